// Package loadgen measures the collector the way a fleet uses it: it
// starts the real shadowai-collector binary, enrolls simulated agents
// through the Enrollment RPC, streams batches over mutual-TLS gRPC and
// reports sightings per second and acknowledgement latency; it also times
// the raw SQLite ceiling and inventory queries at fleet scale. It backs
// `make bench-collector`.
package loadgen

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/shadowai/shadowai/collector/internal/pki"
	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
	"github.com/shadowai/shadowai/proto/token"
)

// Agent is an enrolled simulated agent: its id and the TLS configuration
// its certificate gives it.
type Agent struct {
	ID  string
	TLS *tls.Config
}

// mintTokens creates n enrollment tokens in a running collector's data
// directory, as `token create` would.
func mintTokens(dataDir string, n int) ([]string, error) {
	ca, err := pki.Load(dataDir)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(dataDir, "shadowai.db"))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var out []string
	for i := 0; i < n; i++ {
		tok, err := token.New(pki.Fingerprint(ca.CA))
		if err != nil {
			return nil, err
		}
		if err := st.CreateToken(context.Background(), tok.Hash(), time.Now().Add(time.Hour)); err != nil {
			return nil, err
		}
		out = append(out, tok.String())
	}
	return out, nil
}

// enroll enrolls one agent with the collector at addr.
func enroll(ctx context.Context, addr, tok, hostID string) (Agent, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Agent{}, err
	}
	self, err := selfSigned(key)
	if err != nil {
		return Agent{}, err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: hostID}}, key)
	if err != nil {
		return Agent{}, err
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{self}, InsecureSkipVerify: true})))
	if err != nil {
		return Agent{}, err
	}
	defer conn.Close()
	resp, err := pb.NewEnrollmentServiceClient(conn).Enroll(ctx, &pb.EnrollRequest{Token: tok, CsrDer: csr,
		HostId: hostID, Hostname: "bench-" + hostID, Os: "linux", AgentVersion: "bench"})
	if err != nil {
		return Agent{}, fmt.Errorf("enrolling %s: %w", hostID, err)
	}
	return agentTLS(resp, key)
}

func agentTLS(resp *pb.EnrollResponse, key *ecdsa.PrivateKey) (Agent, error) {
	ca, err := x509.ParseCertificate(resp.GetCaDer())
	if err != nil {
		return Agent{}, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	cert := tls.Certificate{Certificate: [][]byte{resp.GetCertificateDer()}, PrivateKey: key}
	return Agent{ID: resp.GetAgentId(), TLS: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool,
		ServerName: "localhost", MinVersion: tls.VersionTLS13}}, nil
}

func selfSigned(key *ecdsa.PrivateKey) (tls.Certificate, error) {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "enrolling"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
