// Package tlsconfig builds the gateway's server TLS configurations from PEM
// files, and picks up renewed files without a restart: every handshake checks
// whether the certificate, key or client CA file changed (size or
// modification time) and, if so, loads it again. A file that does not load —
// half written, or a certificate whose new key is not there yet — leaves the
// previous one in use until the files change again, so a rotation never
// takes a listener down.
package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Options name the PEM files of one listener.
type Options struct {
	// CertFile is the server certificate chain, leaf first. Required.
	CertFile string
	// KeyFile is the certificate's private key. Required.
	KeyFile string
	// ClientCAFile, when set, holds the CA certificates client certificates
	// must chain to: the listener then requires one (mutual TLS).
	ClientCAFile string
	// Logger receives a line per reload and per file that failed to load.
	Logger *slog.Logger
}

// New returns a server configuration (TLS 1.2 or later) serving the
// certificate of opts and, with ClientCAFile, requiring a client certificate
// signed by one of its CAs. It fails when a file does not load now. When opts
// name no file at all it returns nil: the listener stays plain TCP.
func New(opts Options) (*tls.Config, error) {
	if opts.CertFile == "" && opts.KeyFile == "" && opts.ClientCAFile == "" {
		return nil, nil
	}
	if opts.CertFile == "" || opts.KeyFile == "" {
		return nil, errors.New("TLS needs both a certificate file and a key file")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	kp := &reloader[*tls.Certificate]{
		files:  []string{opts.CertFile, opts.KeyFile},
		load:   func() (*tls.Certificate, error) { return loadKeyPair(opts.CertFile, opts.KeyFile) },
		what:   "TLS certificate",
		logger: logger,
		describe: func(c *tls.Certificate) []any {
			if c.Leaf == nil {
				return nil
			}
			return []any{"subject", c.Leaf.Subject.String(), "not_after", c.Leaf.NotAfter}
		},
	}
	if err := kp.init(); err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return kp.current(), nil
		},
	}
	if opts.ClientCAFile == "" {
		return cfg, nil
	}
	ca := &reloader[*x509.CertPool]{
		files:  []string{opts.ClientCAFile},
		load:   func() (*x509.CertPool, error) { return loadPool(opts.ClientCAFile) },
		what:   "client CA",
		logger: logger,
	}
	if err := ca.init(); err != nil {
		return nil, err
	}
	// crypto/tls would verify against a fixed ClientCAs pool; asking for any
	// certificate and verifying it here, as crypto/tls does, lets the pool be
	// reloaded.
	cfg.ClientAuth = tls.RequireAnyClientCert
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		return verifyClient(cs, ca.current())
	}
	return cfg, nil
}

// verifyClient checks that the client's certificate chains to roots and may
// be used for client authentication.
func verifyClient(cs tls.ConnectionState, roots *x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("tls: a client certificate is required")
	}
	intermediates := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		intermediates.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return fmt.Errorf("tls: client certificate: %w", err)
	}
	return nil
}

func loadKeyPair(certFile, keyFile string) (*tls.Certificate, error) {
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s with key %s: %w", certFile, keyFile, err)
	}
	return &c, nil
}

func loadPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("client CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("client CA %s holds no PEM certificate", file)
	}
	return pool, nil
}

// stamp is what a file looked like when it was last read: a change in any
// part means it was rewritten or replaced (a Kubernetes secret mount swaps a
// symlink, which Stat follows).
type stamp struct {
	modTime time.Time
	size    int64
	err     string // why Stat failed, "" when it did not
}

func stat(file string) stamp {
	fi, err := os.Stat(file)
	if err != nil {
		return stamp{err: err.Error()}
	}
	return stamp{modTime: fi.ModTime(), size: fi.Size()}
}

// reloader holds a value loaded from files and loads it again when they change.
type reloader[T any] struct {
	files    []string
	load     func() (T, error)
	what     string
	logger   *slog.Logger
	describe func(T) []any // log attributes of a loaded value; nil for none

	mu     sync.Mutex
	value  T
	loaded []stamp // the files' stamps when value was loaded
	failed []stamp // the files' stamps when a reload last failed
}

// init loads the value for the first time.
func (r *reloader[T]) init() error {
	stamps := r.stamps()
	v, err := r.load()
	if err != nil {
		return err
	}
	r.value, r.loaded = v, stamps
	return nil
}

// current returns the value, reloaded first if the files changed since it or
// the last failed attempt was loaded.
func (r *reloader[T]) current() T {
	stamps := r.stamps()
	r.mu.Lock()
	defer r.mu.Unlock()
	if equal(stamps, r.loaded) || equal(stamps, r.failed) {
		return r.value
	}
	v, err := r.load()
	if err != nil {
		r.failed = stamps
		r.logger.Error("reloading "+r.what+" failed; still using the previous one", "files", r.files, "err", err)
		return r.value
	}
	r.value, r.loaded, r.failed = v, stamps, nil
	attrs := []any{"files", r.files}
	if r.describe != nil {
		attrs = append(attrs, r.describe(v)...)
	}
	r.logger.Info("reloaded "+r.what, attrs...)
	return r.value
}

func (r *reloader[T]) stamps() []stamp {
	s := make([]stamp, len(r.files))
	for i, f := range r.files {
		s[i] = stat(f)
	}
	return s
}

func equal(a, b []stamp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].modTime.Equal(b[i].modTime) || a[i].size != b[i].size || a[i].err != b[i].err {
			return false
		}
	}
	return true
}
