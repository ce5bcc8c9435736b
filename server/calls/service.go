package calls

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	gatewayv1 "github.com/trtc-gateway/trtc-gateway/gen/go/trtc/gateway/v1"
	"github.com/trtc-gateway/trtc-gateway/server/pagetoken"
)

// Page sizes of ListCallRecords.
const (
	// DefaultPageSize is the page size when a request gives none (Tencent's is 10).
	DefaultPageSize = 50
	// MaxPageSize is the largest page a request may ask for.
	MaxPageSize = 1000
	// maxIDLength bounds the ids and accounts a request may name: longer ones
	// cannot be Tencent's, and refusing them keeps the error short.
	maxIDLength = 1024
)

// ErrorDomain is the domain of the ErrorInfo details this service attaches.
const ErrorDomain = "trtc-gateway"

// TencentNoRecord is the error code get_record_by_callid answers for an
// unknown call; NOT_FOUND answers carry it in their ErrorInfo metadata.
const TencentNoRecord = 101050

// Options configure a Service.
type Options struct {
	// Projection is the state the service reads.
	Projection *Projection
	// Ready returns nil once the projection has caught up with the log, and
	// an error saying how far it is otherwise; nil means always ready.
	Ready func() error
	// Authorize returns an error (PERMISSION_DENIED) when the caller may not
	// read app; nil lets every caller read every app.
	Authorize func(ctx context.Context, app uint32) error
}

// Service is the CallService.
type Service struct {
	gatewayv1.UnimplementedCallServiceServer
	opts Options
}

// NewService returns the CallService over opts.Projection.
func NewService(opts Options) (*Service, error) {
	if opts.Projection == nil {
		return nil, errors.New("calls: Options.Projection is required")
	}
	return &Service{opts: opts}, nil
}

// GetCallRecord returns one call's record.
func (s *Service) GetCallRecord(ctx context.Context, req *gatewayv1.GetCallRecordRequest) (*gatewayv1.GetCallRecordResponse, error) {
	if err := s.begin(ctx, req.GetSdkAppId(), req.GetCallId()); err != nil {
		return nil, err
	}
	r, seq, ok := s.opts.Projection.Record(req.GetSdkAppId(), req.GetCallId())
	if !ok {
		return nil, notFound(req.GetSdkAppId(), req.GetCallId(), s.opts.Projection.Call(req.GetSdkAppId(), req.GetCallId()) != nil)
	}
	return &gatewayv1.GetCallRecordResponse{CallRecord: r, Sequence: seq}, nil
}

// GetCall returns one call in progress or ended.
func (s *Service) GetCall(ctx context.Context, req *gatewayv1.GetCallRequest) (*gatewayv1.GetCallResponse, error) {
	if err := s.begin(ctx, req.GetSdkAppId(), req.GetCallId()); err != nil {
		return nil, err
	}
	c := s.opts.Projection.Call(req.GetSdkAppId(), req.GetCallId())
	if c == nil {
		return nil, status.Errorf(codes.NotFound,
			"the event log holds no event of call %q of SdkAppid %d: check the call id and app, or the call's events have left the log's retention",
			req.GetCallId(), req.GetSdkAppId())
	}
	return &gatewayv1.GetCallResponse{Call: c}, nil
}

// ListCallRecords returns a page of records matching the request's filter.
func (s *Service) ListCallRecords(ctx context.Context, req *gatewayv1.ListCallRecordsRequest) (*gatewayv1.ListCallRecordsResponse, error) {
	f, size, err := listArgs(req)
	if err != nil {
		return nil, err
	}
	if err := s.access(ctx, req.GetSdkAppId()); err != nil {
		return nil, err
	}
	fp := fingerprint(req)
	var after *Cursor
	if req.GetPageToken() != "" {
		cur, err := pagetoken.Decode(req.GetPageToken(), fp)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		if after, err = decodeCursor(cur); err != nil {
			return nil, status.Error(codes.InvalidArgument, pagetoken.ErrInvalid.Error())
		}
	}
	recs, next, total := s.opts.Projection.Records(req.GetSdkAppId(), f, after, size)
	resp := &gatewayv1.ListCallRecordsResponse{CallRecords: recs, TotalSize: int32(min(total, 1<<31-1))}
	if next != nil {
		resp.NextPageToken = pagetoken.Encode(fp, encodeCursor(*next))
	}
	return resp, nil
}

// begin checks a request naming one call, the caller's scope and readiness.
func (s *Service) begin(ctx context.Context, app uint32, id string) error {
	if app == 0 {
		return status.Error(codes.InvalidArgument, "sdk_app_id is required: the SdkAppid of the application the call belongs to")
	}
	if id == "" {
		return status.Error(codes.InvalidArgument, "call_id is required: the CallId of the call, as in its callbacks")
	}
	if err := checkText("call_id", id); err != nil {
		return err
	}
	return s.access(ctx, app)
}

// access checks the caller's scope, then that the projection is caught up.
func (s *Service) access(ctx context.Context, app uint32) error {
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(ctx, app); err != nil {
			return err
		}
	}
	if s.opts.Ready != nil {
		if err := s.opts.Ready(); err != nil {
			return status.Errorf(codes.Unavailable, "%v; retry shortly", err)
		}
	}
	return nil
}

// notFound is GetCallRecord's NOT_FOUND: it names the call, carries Tencent's
// code, and says whether the call is known but not ended.
func notFound(app uint32, id string, known bool) error {
	msg := fmt.Sprintf("no record of call %q of SdkAppid %d: the event log holds no end-call callback for it (Tencent's get_record_by_callid answers %d)", id, app, TencentNoRecord)
	if known {
		msg += "; the call has events but has not ended: GetCall shows it in progress"
	} else {
		msg += "; check the call id and app, or its events have left the log's retention"
	}
	st := status.New(codes.NotFound, msg)
	if d, err := st.WithDetails(&errdetails.ErrorInfo{
		Reason: "CALL_RECORD_NOT_FOUND",
		Domain: ErrorDomain,
		Metadata: map[string]string{
			"sdk_app_id":         strconv.FormatUint(uint64(app), 10),
			"call_id":            id,
			"tencent_error_code": strconv.Itoa(TencentNoRecord),
		},
	}); err == nil {
		st = d
	}
	return st.Err()
}

// listArgs checks a ListCallRecords request and returns its filter and page size.
func listArgs(req *gatewayv1.ListCallRecordsRequest) (Filter, int, error) {
	var f Filter
	if req.GetSdkAppId() == 0 {
		return f, 0, status.Error(codes.InvalidArgument, "sdk_app_id is required: the SdkAppid whose call records to list")
	}
	size := int(req.GetPageSize())
	switch {
	case size < 0 || size > MaxPageSize:
		return f, 0, status.Errorf(codes.InvalidArgument, "page_size=%d must be from 1 to %d (0 is %d)", size, MaxPageSize, DefaultPageSize)
	case size == 0:
		size = DefaultPageSize
	}
	var err error
	if f.From, err = timeArg("start_time", req.GetStartTime()); err != nil {
		return f, 0, err
	}
	if f.To, err = timeArg("end_time", req.GetEndTime()); err != nil {
		return f, 0, err
	}
	if f.From != 0 && f.To != 0 && f.To <= f.From {
		return f, 0, status.Errorf(codes.InvalidArgument, "end_time %s must be after start_time %s: the window is [start_time, end_time)",
			req.GetEndTime().AsTime().Format("2006-01-02T15:04:05.999999999Z07:00"), req.GetStartTime().AsTime().Format("2006-01-02T15:04:05.999999999Z07:00"))
	}
	if _, ok := gatewayv1.CallResult_name[int32(req.GetCallResult())]; !ok {
		return f, 0, status.Errorf(codes.InvalidArgument, "call_result=%d is not a CallResult: use a CALL_RESULT_* name, e.g. CALL_RESULT_NORMAL_END", req.GetCallResult())
	}
	if _, ok := gatewayv1.CallType_name[int32(req.GetCallType())]; !ok {
		return f, 0, status.Errorf(codes.InvalidArgument, "call_type=%d is not a CallType: use CALL_TYPE_SINGLE_CALL or CALL_TYPE_MULTI_CALL", req.GetCallType())
	}
	for _, a := range []struct{ name, v string }{
		{"caller_account", req.GetCallerAccount()}, {"callee_account", req.GetCalleeAccount()}, {"room_id", req.GetRoomId()},
	} {
		if err := checkText(a.name, a.v); err != nil {
			return f, 0, err
		}
	}
	f.Result, f.Type = req.GetCallResult(), req.GetCallType()
	f.Caller, f.Callee, f.Room = req.GetCallerAccount(), req.GetCalleeAccount(), req.GetRoomId()
	return f, size, nil
}

// timeArg converts an optional timestamp to Unix nanoseconds (0: unset).
func timeArg(name string, t *timestamppb.Timestamp) (int64, error) {
	if t == nil {
		return 0, nil
	}
	if err := t.CheckValid(); err != nil {
		return 0, status.Errorf(codes.InvalidArgument, "%s is not a valid time: %v; give an RFC 3339 time such as 2026-01-02T15:04:05Z", name, err)
	}
	ns := t.AsTime().UnixNano()
	if ns == 0 {
		ns = 1 // the epoch itself, not "unset"
	}
	return ns, nil
}

// checkText refuses an id or account no callback could carry.
func checkText(name, v string) error {
	if len(v) > maxIDLength {
		return status.Errorf(codes.InvalidArgument, "%s is %d bytes long; Tencent's ids are at most %d", name, len(v), maxIDLength)
	}
	if !utf8.ValidString(v) {
		return status.Errorf(codes.InvalidArgument, "%s is not valid UTF-8", name)
	}
	return nil
}

// fingerprint identifies a ListCallRecords request's result set.
func fingerprint(req *gatewayv1.ListCallRecordsRequest) uint64 {
	return pagetoken.Fingerprint("calls/v1",
		strconv.FormatUint(uint64(req.GetSdkAppId()), 10),
		req.GetStartTime().AsTime().String(), strconv.FormatBool(req.GetStartTime() != nil),
		req.GetEndTime().AsTime().String(), strconv.FormatBool(req.GetEndTime() != nil),
		req.GetCallResult().String(), req.GetCallType().String(),
		req.GetCallerAccount(), req.GetCalleeAccount(), req.GetRoomId())
}

func encodeCursor(c Cursor) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(c.Start))
	return append(b, c.ID...)
}

func decodeCursor(b []byte) (*Cursor, error) {
	if len(b) < 8 {
		return nil, errors.New("short cursor")
	}
	return &Cursor{Start: int64(binary.BigEndian.Uint64(b)), ID: string(b[8:])}, nil
}
