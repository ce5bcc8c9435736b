package logbuf

import "testing"

func TestTail(t *testing.T) {
	tests := []struct {
		name, written string
		n             int
		want          string
	}{
		{"short", "a\nb\n", 10, "a\nb\n"},
		{"exact", "a\nb\n", 4, "a\nb\n"},
		{"cut at a line start", "first line\nsecond\nthird\n", 12, "…\nthird\n"},
		{"no line start in the tail", "0123456789", 4, "…\n6789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Buffer
			_, _ = b.Write([]byte(tt.written))
			if got := b.Tail(tt.n); got != tt.want {
				t.Errorf("Tail(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}
