package webhook

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/trtc-gateway/trtc-gateway/server/callback"
)

// RateLimit caps how fast one source address may post callbacks. The source
// is the connection's peer address: an IPv4 address, or the /64 network of an
// IPv6 one (one host usually holds a whole /64). Behind a reverse proxy every
// request comes from the proxy, so limit there instead.
type RateLimit struct {
	// Rate is the sustained requests per second one source may send; 0 turns
	// the limit off.
	Rate float64
	// Burst is how many requests a source may send at once; 0 means Rate
	// rounded up, and at least 1.
	Burst int
	// MaxSources bounds how many sources are tracked at once; 0 means 65536.
	// Sources whose allowance has fully refilled are dropped first, losing
	// nothing; past the bound, arbitrary others are, which only forgives them.
	MaxSources int
}

// defaultMaxSources bounds the limiter's memory to a few MiB by default.
const defaultMaxSources = 1 << 16

// ipLimiter is a token bucket per source address, with bounded memory.
type ipLimiter struct {
	limit      rate.Limit
	burst      int
	maxSources int

	mu      sync.Mutex
	sources map[netip.Addr]*rate.Limiter
}

// newIPLimiter returns the limiter for rl, or nil when rl turns it off.
func newIPLimiter(rl RateLimit) (*ipLimiter, error) {
	switch {
	case rl.Rate < 0 || math.IsNaN(rl.Rate) || math.IsInf(rl.Rate, 0):
		return nil, fmt.Errorf("webhook rate %v must be a non-negative number of requests per second", rl.Rate)
	case rl.Burst < 0:
		return nil, fmt.Errorf("webhook burst %d must not be negative", rl.Burst)
	case rl.MaxSources < 0:
		return nil, errors.New("webhook rate limit: MaxSources must not be negative")
	case rl.Rate == 0:
		return nil, nil
	}
	burst := rl.Burst
	if burst == 0 {
		burst = int(min(math.Ceil(rl.Rate), math.MaxInt32))
	}
	maxSources := rl.MaxSources
	if maxSources == 0 {
		maxSources = defaultMaxSources
	}
	return &ipLimiter{
		limit:      rate.Limit(rl.Rate),
		burst:      burst,
		maxSources: maxSources,
		sources:    make(map[netip.Addr]*rate.Limiter),
	}, nil
}

// allow reports whether the source of remoteAddr may send a request at now,
// and takes one from its allowance if so.
func (l *ipLimiter) allow(remoteAddr string, now time.Time) bool {
	key := sourceOf(remoteAddr)
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.sources[key]
	if !ok {
		if len(l.sources) >= l.maxSources {
			l.evict(now)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.sources[key] = lim
	}
	return lim.AllowN(now, 1)
}

// evict makes room for new sources: first it drops every source whose bucket
// has refilled (it is the same as a new one), then, if that freed less than
// an eighth of the map, arbitrary ones until it has. Each call thus frees at
// least maxSources/8 entries, so its linear cost is spread over as many inserts.
func (l *ipLimiter) evict(now time.Time) {
	full := float64(l.burst)
	for key, lim := range l.sources {
		if lim.TokensAt(now) >= full {
			delete(l.sources, key)
		}
	}
	target := l.maxSources - max(l.maxSources/8, 1)
	for key := range l.sources {
		if len(l.sources) <= target {
			break
		}
		delete(l.sources, key)
	}
}

// tracked returns how many sources the limiter holds.
func (l *ipLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sources)
}

// rejection is the error a limited request gets.
func (l *ipLimiter) rejection() *callback.Error {
	return callback.Errorf(callback.CodeRateLimited,
		"too many requests from this address: at most %s per second, in bursts of %d; retry later",
		strconv.FormatFloat(float64(l.limit), 'g', -1, 64), l.burst)
}

// sourceOf maps a peer address to its rate-limit key: the IPv4 address, or
// the IPv6 /64 network. An address that does not parse (not TCP) maps to the
// zero key, which all such requests share.
func sourceOf(remoteAddr string) netip.Addr {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		addr, err := netip.ParseAddr(remoteAddr)
		if err != nil {
			return netip.Addr{}
		}
		ap = netip.AddrPortFrom(addr, 0)
	}
	addr := ap.Addr().Unmap().WithZone("")
	if addr.Is6() {
		return netip.PrefixFrom(addr, 64).Masked().Addr()
	}
	return addr
}
