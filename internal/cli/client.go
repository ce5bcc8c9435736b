package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// apiFlags are how a subcommand reaches the gateway's gRPC API.
type apiFlags struct {
	addr          string
	token         string
	tls           bool
	ca, cert, key string
	serverName    string
}

func (a *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.addr, "addr", "localhost:9090", "the gateway's gRPC API, host:port (its --grpc-addr)")
	fs.StringVar(&a.token, "token", "", "bearer token for a gateway started with --api-tokens (prefer TRTCGW_TOKEN: flags show in ps)")
	fs.BoolVar(&a.tls, "tls", false, "use TLS with the system's CAs (implied by --ca, --cert and --key)")
	fs.StringVar(&a.ca, "ca", "", "PEM CA certificates that signed the gateway's --api-tls-cert")
	fs.StringVar(&a.cert, "cert", "", "PEM client certificate, for a gateway started with --api-client-ca (mTLS)")
	fs.StringVar(&a.key, "key", "", "PEM private key of --cert")
	fs.StringVar(&a.serverName, "server-name", "", "name to verify the gateway's certificate against; default: the host of --addr")
}

// dial opens a client connection; it does not wait for the gateway.
func (a *apiFlags) dial() (*grpc.ClientConn, error) {
	creds := insecure.NewCredentials()
	if a.tls || a.ca != "" || a.cert != "" || a.key != "" {
		cfg, err := a.tlsConfig()
		if err != nil {
			return nil, err
		}
		creds = credentials.NewTLS(cfg)
	}
	opts := []grpc.DialOption{grpc.WithTransportCredentials(creds)}
	if a.token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer(a.token)))
	}
	conn, err := grpc.NewClient(a.addr, opts...)
	if err != nil {
		return nil, usagef("--addr=%q: %w", a.addr, err)
	}
	return conn, nil
}

func (a *apiFlags) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: a.serverName}
	if a.ca != "" {
		pem, err := os.ReadFile(a.ca)
		if err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca %s holds no PEM certificate", a.ca)
		}
	}
	switch {
	case a.cert != "" && a.key != "":
		pair, err := tls.LoadX509KeyPair(a.cert, a.key)
		if err != nil {
			return nil, fmt.Errorf("--cert and --key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	case a.cert != "" || a.key != "":
		return nil, usageError{errors.New("--cert and --key go together")}
	}
	return cfg, nil
}

// bearer sends "authorization: Bearer <token>" with every call. It is
// allowed without TLS, as the gateway's examples are: the API listener is
// often plaintext on an internal network.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return false }
