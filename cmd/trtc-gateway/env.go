package main

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// appIDList is the repeatable, comma-separated --sdk-app-id flag.
type appIDList struct{ ids []uint32 }

func (l *appIDList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(l.ids))
	for i, id := range l.ids {
		s[i] = strconv.FormatUint(uint64(id), 10)
	}
	return strings.Join(s, ",")
}

func (l *appIDList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseUint(part, 10, 32)
		if err != nil || id == 0 {
			return fmt.Errorf("SdkAppid %q is not a positive 32-bit decimal number", part)
		}
		l.ids = append(l.ids, uint32(id))
	}
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level=%q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("--log-format=%q: use text or json", format)
	}
}
