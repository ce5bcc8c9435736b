package callback

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a Tencent-style ErrorCode the gateway answers a rejected callback
// with. Each code is the HTTP status times 100 plus a detail, so the number
// alone says both what class of failure it was and which check failed.
type Code int

// The gateway's webhook error codes. Tencent treats any non-zero ErrorCode
// (and any status other than 200) as a failed delivery and retries it.
const (
	CodeOK               Code = 0
	CodeBadQuery         Code = 40001 // a query parameter is missing or malformed
	CodeInvalidJSON      Code = 40002 // the body is not valid JSON
	CodeEmptyBody        Code = 40003 // the body is empty
	CodeNotObject        Code = 40004 // the body is JSON but not an object
	CodeCommandMismatch  Code = 40005 // the body's CallbackCommand contradicts the URL's
	CodeBadField         Code = 40006 // a field has the wrong JSON type or an impossible value
	CodeInvalidUTF8      Code = 40007 // the body is not valid UTF-8
	CodeBadBody          Code = 40008 // the body could not be read: truncated, or a malformed transfer encoding
	CodeUnauthenticated  Code = 40101 // Sign/RequestTime missing, wrong or stale
	CodeAppNotAllowed    Code = 40301 // the SdkAppid is not one this gateway serves
	CodeNotFound         Code = 40401 // not the webhook path
	CodeMethodNotAllowed Code = 40501 // not a POST
	CodeTooLarge         Code = 41301 // the body exceeds the configured limit
	CodeEventTooLarge    Code = 41302 // the decoded event exceeds what the event log can ever store
	CodeUnsupportedMedia Code = 41501 // a Content-Type that is not JSON
	CodeRateLimited      Code = 42901 // the sender exceeded its request rate
	CodeHeadersTooLarge  Code = 43101 // the request line and header fields exceed the limit
	CodeClientGone       Code = 49901 // the client closed the connection first (499, as proxies log it; for logs and metrics, nobody reads it)
	CodeInternal         Code = 50001 // the gateway failed unexpectedly
	CodeLogUnavailable   Code = 50301 // the event log cannot take the event now
	CodeShuttingDown     Code = 50302 // the gateway is shutting down
)

// HTTPStatus is the HTTP status that goes with the code.
func (c Code) HTTPStatus() int {
	if c == CodeOK {
		return http.StatusOK
	}
	return int(c) / 100
}

// Error is a rejected callback: the Tencent ErrorCode, and a message that
// tells the sender what was wrong. It never carries secrets.
type Error struct {
	// Code is the ErrorCode of the response; its HTTP status follows from it.
	Code Code
	// Message is the ErrorInfo of the response.
	Message string
	// Err is the underlying cause, if any, for errors.Is/As; not shown to the sender.
	Err error
}

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the HTTP status the gateway answers this error with.
func (e *Error) HTTPStatus() int { return e.Code.HTTPStatus() }

// AsError returns err as an *Error, mapping anything else to CodeInternal
// with a generic message so that no internal detail reaches the sender.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}
