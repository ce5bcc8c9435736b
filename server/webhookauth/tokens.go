package webhookauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
)

// Tokens maps an SdkAppid to its webhook authentication token.
type Tokens map[uint32]string

// Add sets app's token. Configuring the same app twice with different tokens
// is an error, since one of them would be silently ignored.
func (t *Tokens) Add(app uint32, token string) error {
	if app == 0 {
		return fmt.Errorf("SdkAppid 0 is not an app")
	}
	if token == "" {
		return fmt.Errorf("the webhook token of SdkAppid %d is empty", app)
	}
	if *t == nil {
		*t = Tokens{}
	}
	if old, ok := (*t)[app]; ok && old != token {
		return fmt.Errorf("SdkAppid %d is given two different webhook tokens", app)
	}
	(*t)[app] = token
	return nil
}

// AddPairs adds the comma-separated SdkAppid=token pairs of v. Its errors
// say which pair is wrong without repeating it, since it may hold a token.
// A token given this way cannot contain a comma.
func (t *Tokens) AddPairs(v string) error {
	for i, pair := range strings.Split(v, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		appText, token, ok := strings.Cut(pair, "=")
		if !ok {
			return fmt.Errorf("webhook token %d is not of the form SdkAppid=token", i+1)
		}
		app, err := strconv.ParseUint(strings.TrimSpace(appText), 10, 32)
		if err != nil || app == 0 {
			return fmt.Errorf("webhook token %d: the part before '=' must be an SdkAppid, a decimal number from 1 to 4294967295", i+1)
		}
		if err := t.Add(uint32(app), token); err != nil {
			return err
		}
	}
	return nil
}

// Flag is the repeatable --webhook-token flag: each value holds
// comma-separated SdkAppid=token pairs. Set only collects the text, so that
// the flag package, which quotes a value it could not set, never prints a
// token; Tokens parses it afterwards. It prints no token either.
type Flag struct {
	// Name is the flag's name in error messages; "--webhook-token" when empty.
	Name   string
	values []string
}

// Set collects v (flag.Value); it never fails.
func (f *Flag) Set(v string) error {
	f.values = append(f.values, v)
	return nil
}

// String is empty or "<redacted>" (flag.Value).
func (f *Flag) String() string {
	if f == nil || len(f.values) == 0 {
		return ""
	}
	return "<redacted>"
}

// Tokens parses every value given, with AddPairs.
func (f *Flag) Tokens() (Tokens, error) {
	var t Tokens
	for _, v := range f.values {
		if err := t.AddPairs(v); err != nil {
			name := f.Name
			if name == "" {
				name = "--webhook-token"
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return t, nil
}

// tokenFile is the JSON file of webhook tokens:
//
//	{"apps": [{"sdk_app_id": 1400000001, "token": "the token from Tencent's console"}]}
type tokenFile struct {
	Apps []struct {
		SdkAppID uint32 `json:"sdk_app_id"`
		Token    string `json:"token"`
	} `json:"apps"`
}

// LoadFile adds the tokens of the JSON file at path, of the form
// {"apps": [{"sdk_app_id": 1400000001, "token": "…"}]}. Unknown fields are
// errors, so that a misspelt one is not silently ignored.
func (t *Tokens) LoadFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("webhook token file: %w", err)
	}
	var f tokenFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("webhook token file %s: %w", path, jsonError(err))
	}
	if dec.More() {
		return fmt.Errorf("webhook token file %s: more than one JSON value", path)
	}
	for i, a := range f.Apps {
		if err := t.Add(a.SdkAppID, a.Token); err != nil {
			return fmt.Errorf("webhook token file %s, apps[%d]: %w", path, i, err)
		}
	}
	return nil
}

// jsonError locates a decoding mistake without quoting the file's text, which
// may be a token.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "a JSON " + te.Type.Kind().String()
		switch te.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Uint32:
			want = "a whole number from 1 to 4294967295"
		case reflect.Slice:
			want = "an array"
		case reflect.Struct:
			want = "an object"
		}
		if te.Field == "" {
			return fmt.Errorf(`the file must be a JSON object {"apps": [...]}`)
		}
		return fmt.Errorf("field %s must be %s", te.Field, want)
	}
	return err
}
