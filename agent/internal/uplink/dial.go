// Package uplink connects the agent to its collector over mutual TLS: it
// enrolls, then streams spooled batches and deletes each one only after
// the collector acknowledges it.
package uplink

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/agent/internal/identity"
)

// Message limits: one batch on the wire (the collector accepts 16 MiB), and
// what the agent accepts back (acks, heartbeat answers, signature bundles).
const (
	maxSendMsg = 16 << 20
	maxRecvMsg = 32 << 20
)

// Dial connects to the collector the agent enrolled with, presenting the
// agent's current certificate (renewals apply from the next handshake) and
// trusting only the collector's CA. compression is "gzip" or "none".
func Dial(st *identity.State, compression string) (*grpc.ClientConn, error) {
	host, _, err := net.SplitHostPort(st.Enrollment.Collector)
	if err != nil {
		return nil, fmt.Errorf("collector address %q in the enrollment: %w", st.Enrollment.Collector, err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(st.CA)
	cfg := &tls.Config{
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return st.Current(), nil
		},
		RootCAs:    roots,
		ServerName: host,
		MinVersion: tls.VersionTLS13,
	}
	var opts []grpc.CallOption
	if compression == "gzip" {
		opts = append(opts, grpc.UseCompressor(gzip.Name))
	}
	return newClient(st.Enrollment.Collector, cfg, opts...)
}

func newClient(addr string, cfg *tls.Config, callOpts ...grpc.CallOption) (*grpc.ClientConn, error) {
	callOpts = append(callOpts, grpc.MaxCallSendMsgSize(maxSendMsg), grpc.MaxCallRecvMsgSize(maxRecvMsg))
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(credentials.NewTLS(cfg)),
		// Keepalives find a dead collector (or a NAT that forgot the
		// connection) within 40 s; the collector permits pings every 10 s.
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}),
		grpc.WithDefaultCallOptions(callOpts...),
		grpc.WithDefaultServiceConfig(`{}`),
	)
	if err != nil {
		return nil, fmt.Errorf("collector address %q: %w", addr, err)
	}
	return conn, nil
}

// errPin is returned during enrollment when the collector's CA is not the
// one the token pins.
var errPin = errors.New("the collector's CA does not match the fingerprint in the token: the token belongs to another collector, or something is impersonating it")

// pinnedVerifier checks the server chain against a CA known only by its
// fingerprint: some certificate in the chain must have that fingerprint
// and the leaf must be signed by it for host.
func pinnedVerifier(fp [32]byte, host string) func([][]byte, [][]*x509.Certificate) error {
	return func(raw [][]byte, _ [][]*x509.Certificate) error {
		var ca *x509.Certificate
		for _, der := range raw[min(1, len(raw)):] {
			if sha256.Sum256(der) == fp {
				c, err := x509.ParseCertificate(der)
				if err != nil {
					return err
				}
				ca = c
			}
		}
		if ca == nil || len(raw) == 0 {
			return errPin
		}
		leaf, err := x509.ParseCertificate(raw[0])
		if err != nil {
			return err
		}
		roots := x509.NewCertPool()
		roots.AddCert(ca)
		_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: host})
		if err != nil {
			return fmt.Errorf("collector certificate: %w (start the collector with --san %s)", err, host)
		}
		return nil
	}
}

// Explain turns a gRPC error into one sentence an admin can act on.
func Explain(addr string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	msg := st.Message()
	switch st.Code() {
	case codes.Unavailable:
		switch {
		case strings.Contains(msg, errPin.Error()):
			return errPin
		case strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"), strings.Contains(msg, "i/o timeout"):
			return fmt.Errorf("cannot reach the collector at %s (%s): is it running, and is HOST:PORT right?", addr, lastPart(msg))
		case strings.Contains(msg, "failed to verify certificate"):
			return fmt.Errorf("the collector at %s presented a certificate the CA this agent enrolled with does not verify (%s): the address now reaches another collector, or something is impersonating it; if the collector was rebuilt, enroll again", addr, x509Part(msg))
		case strings.Contains(msg, "certificate"), strings.Contains(msg, "tls:"):
			return fmt.Errorf("TLS with the collector at %s failed: %s", addr, lastPart(msg))
		}
		return fmt.Errorf("collector at %s unavailable: %s", addr, msg)
	case codes.DeadlineExceeded:
		return fmt.Errorf("collector at %s did not answer in time: is it running, and is HOST:PORT right?", addr)
	}
	return fmt.Errorf("collector at %s refused: %s", addr, msg)
}

// x509Part is the x509 reason in a handshake error, without gRPC's
// escaping.
func x509Part(msg string) string {
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, `\"`, "'"), `"`, "")
	if i := strings.Index(msg, "x509: "); i >= 0 {
		return msg[i:]
	}
	return lastPart(msg)
}

// lastPart drops gRPC's nested "transport: Error while dialing:" prefixes.
func lastPart(msg string) string {
	msg = strings.TrimRight(msg, `"`)
	if i := strings.LastIndex(msg, ": "); i >= 0 && i+2 < len(msg) {
		tail := msg[i+2:]
		if j := strings.LastIndex(msg[:i], ": "); j >= 0 && strings.HasPrefix(tail, "connection refused") {
			return strings.TrimLeft(msg[j+2:], `"`)
		}
		return tail
	}
	return msg
}
