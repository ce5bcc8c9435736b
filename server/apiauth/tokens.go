package apiauth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"unicode"
)

// HashPrefix marks a secret stored as the hex SHA-256 of the token rather than
// the token itself: "sha256:" followed by 64 hex digits, as printed by
// `printf %s "$TOKEN" | sha256sum`.
const HashPrefix = "sha256:"

// MinSecretLength is the shortest token accepted in clear text. A hashed
// token cannot be checked, so make it as long: `openssl rand -hex 32` is ample.
const MinSecretLength = 16

// File is the JSON token file (--api-tokens):
//
//	{"tokens": [
//	  {"name": "billing", "sdk_app_ids": [1400000001], "secret": "sha256:…", "max_streams": 4},
//	  {"name": "ops", "sdk_app_ids": "*", "secret": "…"}
//	]}
type File struct {
	// Tokens are the subscriber credentials; their names and secrets are unique.
	Tokens []TokenConfig `json:"tokens"`
}

// TokenConfig is one subscriber credential.
type TokenConfig struct {
	// Name identifies the token in logs and error messages; it is not secret.
	Name string `json:"name"`
	// Apps are the SdkAppids the token may read: a list, or "*" for all.
	Apps Apps `json:"sdk_app_ids"`
	// Secret is the bearer token in clear, or HashPrefix and its hex SHA-256.
	Secret string `json:"secret"`
	// MaxStreams caps the token's concurrent streams; 0 is no cap.
	MaxStreams int `json:"max_streams"`
}

// Apps is a token's scope: every app, or the listed ones. In JSON it is the
// string "*" or a non-empty array of SdkAppids.
type Apps struct {
	// All is true for "*": the token reads every app, present and future.
	All bool
	// IDs are the apps the token reads when All is false, sorted, without repeats.
	IDs []uint32
}

// UnmarshalJSON reads "*" or an array of SdkAppids.
func (a *Apps) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf(`sdk_app_ids must be "*" or a list of SdkAppids, got the string %q`, star)
		}
		*a = Apps{All: true}
		return nil
	}
	var ids []uint32
	if err := json.Unmarshal(b, &ids); err != nil {
		return errors.New(`sdk_app_ids must be "*" or a list of SdkAppids, each a whole number from 1 to 4294967295`)
	}
	*a = Apps{IDs: ids}
	return nil
}

// MarshalJSON writes "*" or the list.
func (a Apps) MarshalJSON() ([]byte, error) {
	if a.All {
		return []byte(`"*"`), nil
	}
	return json.Marshal(a.IDs)
}

// LoadFile reads the token file at path. Unknown fields are errors, so that a
// misspelt one is not silently ignored; errors never quote a secret.
func LoadFile(path string) (File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("API token file: %w", err)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("API token file %s: %w", path, jsonError(err))
	}
	if dec.More() {
		return File{}, fmt.Errorf("API token file %s: more than one JSON value", path)
	}
	return f, nil
}

// jsonError locates a decoding mistake without quoting the file's text.
func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return errors.New(`the file must be a JSON object {"tokens": [...]}`)
		}
		return fmt.Errorf("field %s must be a JSON %s", te.Field, jsonKind(te.Type.Kind().String()))
	}
	return err
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice":
		return "array"
	case "struct":
		return "object"
	default:
		return "number"
	}
}

// token is a validated TokenConfig, ready to match requests.
type token struct {
	name       string
	apps       Apps
	maxStreams int
	streams    streamCount
}

// compile validates the configured tokens and indexes them by the SHA-256 of
// their secret.
func compile(cfgs []TokenConfig) (map[[sha256.Size]byte]*token, error) {
	byHash := make(map[[sha256.Size]byte]*token, len(cfgs))
	names := make(map[string]bool, len(cfgs))
	for i, c := range cfgs {
		where := fmt.Sprintf("tokens[%d]", i)
		if c.Name != "" {
			where += fmt.Sprintf(" (%q)", c.Name)
		}
		if err := checkName(c.Name); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if names[c.Name] {
			return nil, fmt.Errorf("%s: the name is used by another token; names identify tokens in logs", where)
		}
		names[c.Name] = true
		apps, err := checkApps(c.Apps)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if c.MaxStreams < 0 || c.MaxStreams > math.MaxInt32 {
			return nil, fmt.Errorf("%s: max_streams must be 0 (no cap) or a positive number", where)
		}
		hash, err := secretHash(c.Secret)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if other, ok := byHash[hash]; ok {
			return nil, fmt.Errorf("%s: has the same secret as token %q; each token needs its own", where, other.name)
		}
		byHash[hash] = &token{name: c.Name, apps: apps, maxStreams: c.MaxStreams}
	}
	return byHash, nil
}

func checkName(name string) error {
	if name == "" {
		return errors.New("name is missing")
	}
	if len(name) > 128 {
		return errors.New("name is longer than 128 bytes")
	}
	if strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return errors.New("name must be printable text")
	}
	return nil
}

func checkApps(a Apps) (Apps, error) {
	if a.All {
		return Apps{All: true}, nil
	}
	if len(a.IDs) == 0 {
		return Apps{}, errors.New(`sdk_app_ids is missing or empty: list the SdkAppids the token may read, or "*" for all`)
	}
	ids := slices.Clone(a.IDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if ids[0] == 0 {
		return Apps{}, errors.New("sdk_app_ids: 0 is not an SdkAppid")
	}
	return Apps{IDs: ids}, nil
}

// secretHash returns the SHA-256 of the token a secret stands for.
func secretHash(secret string) ([sha256.Size]byte, error) {
	var h [sha256.Size]byte
	if hexHash, ok := strings.CutPrefix(secret, HashPrefix); ok {
		b, err := hex.DecodeString(hexHash)
		if err != nil || len(b) != sha256.Size {
			return h, fmt.Errorf("secret: after %q come the 64 hex digits of the token's SHA-256", HashPrefix)
		}
		copy(h[:], b)
		return h, nil
	}
	if secret == "" {
		return h, errors.New("secret is missing")
	}
	if len(secret) < MinSecretLength {
		return h, fmt.Errorf("secret is shorter than %d bytes; generate one with `openssl rand -hex 32`", MinSecretLength)
	}
	return sha256.Sum256([]byte(secret)), nil
}
