package webhook

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestSourceOf(t *testing.T) {
	tests := []struct {
		remote string
		want   string
	}{
		{"192.0.2.7:443", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:443", "192.0.2.7"},
		{"[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::"},
		{"[2001:db8:1:2:ffff:ffff:ffff:ffff]:80", "2001:db8:1:2::"},
		{"[fe80::1%eth0]:80", "fe80::"},
		{"192.0.2.7", "192.0.2.7"},
		{"@", "invalid IP"},
		{"", "invalid IP"},
	}
	for _, tt := range tests {
		if got := sourceOf(tt.remote).String(); got != tt.want {
			t.Errorf("sourceOf(%q) = %s, want %s", tt.remote, got, tt.want)
		}
	}
}

func TestIPLimiter(t *testing.T) {
	l, err := newIPLimiter(RateLimit{Rate: 2, Burst: 3})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 3 {
		if !l.allow("192.0.2.1:1000", t0) {
			t.Fatalf("request %d of a burst of 3 refused", i+1)
		}
	}
	if l.allow("192.0.2.1:1001", t0) {
		t.Fatal("a 4th request in the same instant allowed past a burst of 3")
	}
	if !l.allow("192.0.2.2:1000", t0) {
		t.Fatal("another address is held back by the first one's limit")
	}
	if !l.allow("192.0.2.1:1000", t0.Add(500*time.Millisecond)) {
		t.Fatal("one request per half second at 2/s refused")
	}
	if l.allow("192.0.2.1:1000", t0.Add(500*time.Millisecond)) {
		t.Fatal("a second request in that half second allowed")
	}
	// Two IPv6 hosts in one /64 share an allowance.
	for i := range 3 {
		l.allow(fmt.Sprintf("[2001:db8::%d]:1", i+1), t0)
	}
	if l.allow("[2001:db8::ff]:1", t0) {
		t.Fatal("hosts of one IPv6 /64 are limited separately")
	}
	if msg := l.rejection().Message; !strings.Contains(msg, "2 per second") || !strings.Contains(msg, "bursts of 3") {
		t.Errorf("rejection %q does not state the limit", msg)
	}
}

func TestIPLimiterConfig(t *testing.T) {
	tests := []struct {
		rl        RateLimit
		off       bool
		wantBurst int
		wantErr   string
	}{
		{rl: RateLimit{}, off: true},
		{rl: RateLimit{Rate: 0, Burst: 10}, off: true},
		{rl: RateLimit{Rate: 2.5}, wantBurst: 3},
		{rl: RateLimit{Rate: 0.1}, wantBurst: 1},
		{rl: RateLimit{Rate: 5, Burst: 20}, wantBurst: 20},
		{rl: RateLimit{Rate: -1}, wantErr: "non-negative"},
		{rl: RateLimit{Rate: 1, Burst: -1}, wantErr: "burst"},
		{rl: RateLimit{Rate: 1, MaxSources: -1}, wantErr: "MaxSources"},
	}
	for _, tt := range tests {
		l, err := newIPLimiter(tt.rl)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: error %v, want one mentioning %q", tt.rl, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%+v: %v", tt.rl, err)
		case tt.off:
			if l != nil {
				t.Errorf("%+v: limiter on, want off", tt.rl)
			}
		case l == nil || l.burst != tt.wantBurst:
			t.Errorf("%+v: limiter %+v, want burst %d", tt.rl, l, tt.wantBurst)
		}
	}
}

func TestIPLimiterMemoryIsBounded(t *testing.T) {
	const maxSources = 64
	l, err := newIPLimiter(RateLimit{Rate: 1, Burst: 2, MaxSources: maxSources})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	addr := func(i int) string {
		return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String() + ":1"
	}

	// However many sources come, the map never grows past the bound, even
	// when all of them are active at once.
	for i := range 10 * maxSources {
		l.allow(addr(i), t0)
		if n := l.tracked(); n > maxSources {
			t.Fatalf("after %d sources the limiter tracks %d, more than %d", i+1, n, maxSources)
		}
	}

	// Sources whose allowance refilled are dropped before any active one:
	// fill the map with sources that each spent their burst, then add more
	// after they refilled; none of the new, spent ones is forgiven.
	l, _ = newIPLimiter(RateLimit{Rate: 1, Burst: 2, MaxSources: maxSources})
	for i := range maxSources {
		l.allow(addr(i), t0)
		l.allow(addr(i), t0)
	}
	later := t0.Add(time.Minute)
	spent := addr(1 << 20)
	l.allow(spent, later)
	l.allow(spent, later)
	for i := range maxSources - 1 {
		l.allow(addr(2<<20+i), later)
	}
	if l.allow(spent, later) {
		t.Fatal("a source that spent its burst was forgiven while refilled ones could be dropped")
	}
	if n := l.tracked(); n > maxSources {
		t.Fatalf("the limiter tracks %d sources, more than %d", n, maxSources)
	}
}
