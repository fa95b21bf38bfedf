package uplink

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"time"

	"github.com/shadowai/shadowai/agent/internal/catalogsync"
	"github.com/shadowai/shadowai/agent/internal/identity"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/proto/token"
)

// EnrollOptions are the inputs of `shadowai-agent enroll`.
type EnrollOptions struct {
	Collector    string
	Token        string
	StateDir     string
	AgentVersion string
	// Force replaces an existing enrollment.
	Force bool
}

// Enroll trades the token for a certificate and saves the agent's identity
// in the state directory.
func Enroll(ctx context.Context, o EnrollOptions) (identity.Enrollment, error) {
	var e identity.Enrollment
	tok, err := token.Parse(o.Token)
	if err != nil {
		return e, err
	}
	host, _, err := net.SplitHostPort(o.Collector)
	if err != nil {
		return e, fmt.Errorf("--collector %q: %w (want HOST:PORT)", o.Collector, err)
	}
	if err := identity.PrepareDir(o.StateDir); err != nil {
		return e, err
	}
	if old, err := identity.Load(o.StateDir); err == nil && !o.Force {
		return e, fmt.Errorf("already enrolled with %s as %s: pass --force to enroll again (a new identity)", old.Enrollment.Collector, old.Enrollment.AgentID)
	}
	hostID, err := identity.HostID(o.StateDir)
	if err != nil {
		return e, err
	}
	resp, key, err := requestCertificate(ctx, o, tok, host, hostID)
	if err != nil {
		return e, err
	}
	if sha256.Sum256(resp.GetCaDer()) != tok.CAFingerprint {
		return e, errPin
	}
	if err := checkIssued(resp); err != nil {
		return e, err
	}
	e = identity.Enrollment{Collector: o.Collector, AgentID: resp.GetAgentId(), HostID: hostID, EnrolledAt: time.Now().UTC()}
	if err := catalogsync.SaveTrustedKey(o.StateDir, resp.GetCatalogSigningKey()); err != nil {
		return e, err
	}
	return e, identity.Save(o.StateDir, key, resp.GetCertificateDer(), resp.GetCaDer(), e)
}

func requestCertificate(ctx context.Context, o EnrollOptions, tok token.Token, host, hostID string) (*pb.EnrollResponse, *ecdsa.PrivateKey, error) {
	key, err := identity.NewKey()
	if err != nil {
		return nil, nil, fmt.Errorf("generating agent key: %w", err)
	}
	self, err := identity.SelfSigned(key)
	if err != nil {
		return nil, nil, err
	}
	hostname, _ := os.Hostname()
	csr, err := identity.CSR(key, hostname)
	if err != nil {
		return nil, nil, fmt.Errorf("creating certificate request: %w", err)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{self},
		// The chain is checked by pinnedVerifier against the CA fingerprint
		// from the token; there is no CA to trust before enrollment.
		InsecureSkipVerify:    true,
		VerifyPeerCertificate: pinnedVerifier(tok.CAFingerprint, host),
		MinVersion:            tls.VersionTLS13,
	}
	conn, err := newClient(o.Collector, cfg)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := pb.NewEnrollmentServiceClient(conn).Enroll(ctx, &pb.EnrollRequest{
		Token: o.Token, CsrDer: csr, HostId: hostID, Hostname: hostname, Os: runtime.GOOS, AgentVersion: o.AgentVersion,
	})
	if err != nil {
		return nil, nil, Explain(o.Collector, err)
	}
	return resp, key, nil
}

func checkIssued(resp *pb.EnrollResponse) error {
	ca, err := x509.ParseCertificate(resp.GetCaDer())
	if err != nil {
		return fmt.Errorf("collector sent an unreadable CA: %w", err)
	}
	cert, err := x509.ParseCertificate(resp.GetCertificateDer())
	if err != nil {
		return fmt.Errorf("collector sent an unreadable certificate: %w", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return errors.New("collector sent a certificate its own CA does not verify")
	}
	return nil
}
