package tlsconfig_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trtc-gateway/trtc-gateway/server/tlsconfig"
	"github.com/trtc-gateway/trtc-gateway/server/tlsconfig/tlsconfigtest"
)

// waitLimit bounds every handshake; it is a deadlock guard, not a speed check.
const waitLimit = 20 * time.Second

// serve accepts TLS connections with cfg on loopback, completes each
// handshake and writes "ok"; it returns the address.
func serve(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(waitLimit))
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				_, _ = c.Write([]byte("ok"))
			}()
		}
	}()
	return ln.Addr().String()
}

// handshake connects as a client trusting roots, presenting client if set,
// and returns the server certificate's common name once the server accepted
// the connection (TLS 1.3 reports a rejected client certificate only on the
// first read).
func handshake(t *testing.T, addr string, roots *x509.CertPool, client *tls.Certificate) (string, error) {
	t.Helper()
	cfg := &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}
	if client != nil {
		cfg.Certificates = []tls.Certificate{*client}
	}
	d := &net.Dialer{Timeout: waitLimit}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(waitLimit))
	got, err := io.ReadAll(c)
	if err != nil {
		return "", err
	}
	if string(got) != "ok" {
		return "", errors.New("the server closed the connection without answering")
	}
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName, nil
}

func TestServesAndReloadsTheCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := tlsconfigtest.NewCA(t, "test CA")
	certFile, keyFile := ca.Server(t, "first").Write(t, dir, "server")
	var logs bytes.Buffer
	cfg, err := tlsconfig.New(tlsconfig.Options{CertFile: certFile, KeyFile: keyFile, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		t.Errorf("MinVersion %x, want TLS 1.2 or later", cfg.MinVersion)
	}
	addr := serve(t, cfg)
	expect := func(want string) {
		t.Helper()
		got, err := handshake(t, addr, ca.Pool(), nil)
		if err != nil || got != want {
			t.Fatalf("server certificate %q (%v), want %q", got, err, want)
		}
	}
	expect("first")

	// A renewed pair replaces the old one at the next handshake.
	second := ca.Server(t, "second")
	tlsconfigtest.WriteFile(t, certFile, second.CertPEM)
	tlsconfigtest.WriteFile(t, keyFile, second.KeyPEM)
	expect("second")

	// Mid-rotation, a new certificate without its key does not load: the
	// previous pair stays in use, and the failure is logged once.
	third := ca.Server(t, "third")
	tlsconfigtest.WriteFile(t, certFile, third.CertPEM)
	expect("second")
	expect("second")
	if n := strings.Count(logs.String(), "reloading TLS certificate failed"); n != 1 {
		t.Errorf("the failed reload was logged %d times, want once:\n%s", n, logs.String())
	}
	tlsconfigtest.WriteFile(t, keyFile, third.KeyPEM)
	expect("third")

	// A corrupted or vanished file leaves the previous pair in use.
	tlsconfigtest.WriteFile(t, certFile, []byte("not PEM"))
	expect("third")
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	expect("third")
	if !strings.Contains(logs.String(), "reloaded TLS certificate") || !strings.Contains(logs.String(), "CN=third") {
		t.Errorf("reloads are not logged with the certificate's subject:\n%s", logs.String())
	}
}

func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	serverCA := tlsconfigtest.NewCA(t, "server CA")
	clientCA := tlsconfigtest.NewCA(t, "client CA")
	otherCA := tlsconfigtest.NewCA(t, "other CA")
	certFile, keyFile := serverCA.Server(t, "server").Write(t, dir, "server")
	caFile := filepath.Join(dir, "client-ca.pem")
	tlsconfigtest.WriteFile(t, caFile, clientCA.PEM)

	cfg, err := tlsconfig.New(tlsconfig.Options{CertFile: certFile, KeyFile: keyFile, ClientCAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, cfg)

	good := clientCA.Client(t, "subscriber").TLS
	foreign := otherCA.Client(t, "stranger").TLS
	serverUse := clientCA.Server(t, "not a client").TLS
	tests := []struct {
		name   string
		client *tls.Certificate
		ok     bool
	}{
		{"client certificate of the client CA", &good, true},
		{"no client certificate", nil, false},
		{"client certificate of another CA", &foreign, false},
		{"certificate of the client CA for servers only", &serverUse, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := handshake(t, addr, serverCA.Pool(), tt.client)
			if tt.ok && err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !tt.ok && err == nil {
				t.Fatal("accepted")
			}
		})
	}

	// Replacing the client CA file trusts the new CA from the next handshake on.
	tlsconfigtest.WriteFile(t, caFile, otherCA.PEM)
	if _, err := handshake(t, addr, serverCA.Pool(), &foreign); err != nil {
		t.Errorf("a client of the new CA after the reload: %v", err)
	}
	if _, err := handshake(t, addr, serverCA.Pool(), &good); err == nil {
		t.Error("a client of the replaced CA is still accepted")
	}
}

func TestNewFailsOnBadFiles(t *testing.T) {
	dir := t.TempDir()
	ca := tlsconfigtest.NewCA(t, "test CA")
	certFile, keyFile := ca.Server(t, "server").Write(t, dir, "server")
	_, otherKey := ca.Server(t, "other").Write(t, dir, "other")
	garbage := filepath.Join(dir, "garbage.pem")
	tlsconfigtest.WriteFile(t, garbage, []byte("not PEM"))
	caFile := filepath.Join(dir, "ca.pem")
	tlsconfigtest.WriteFile(t, caFile, ca.PEM)
	tests := []struct {
		name string
		opts tlsconfig.Options
		want string
	}{
		{"no key", tlsconfig.Options{CertFile: certFile}, "both"},
		{"client CA only", tlsconfig.Options{ClientCAFile: caFile}, "both"},
		{"no certificate", tlsconfig.Options{KeyFile: keyFile}, "both"},
		{"missing file", tlsconfig.Options{CertFile: filepath.Join(dir, "absent.crt"), KeyFile: keyFile}, "absent.crt"},
		{"key of another certificate", tlsconfig.Options{CertFile: certFile, KeyFile: otherKey}, "does not match"},
		{"garbage certificate", tlsconfig.Options{CertFile: garbage, KeyFile: keyFile}, "garbage.pem"},
		{"garbage client CA", tlsconfig.Options{CertFile: certFile, KeyFile: keyFile, ClientCAFile: garbage}, "no PEM certificate"},
		{"missing client CA", tlsconfig.Options{CertFile: certFile, KeyFile: keyFile, ClientCAFile: filepath.Join(dir, "absent-ca.pem")}, "absent-ca.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tlsconfig.New(tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if _, err := tlsconfig.New(tlsconfig.Options{CertFile: certFile, KeyFile: keyFile, ClientCAFile: caFile}); err != nil {
		t.Errorf("good files: %v", err)
	}
	if cfg, err := tlsconfig.New(tlsconfig.Options{}); cfg != nil || err != nil {
		t.Errorf("no files: %v, %v; want no TLS and no error", cfg, err)
	}
}
