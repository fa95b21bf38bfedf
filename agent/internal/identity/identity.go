// Package identity is who the agent is: the stable id of its host, and the
// enrollment it keeps in its state directory (key, certificate, collector
// CA and address). The private key is created on the host and never leaves
// it.
package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/renameio/v2/maybe"
)

// Files in the state directory.
const (
	keyFile        = "agent.key"
	certFile       = "agent.crt"
	caFile         = "ca.crt"
	enrollmentFile = "enrollment.json"
	hostIDFile     = "host-id"
)

// Enrollment is what the agent keeps after enrolling.
type Enrollment struct {
	Collector  string    `json:"collector"`
	AgentID    string    `json:"agent_id"`
	HostID     string    `json:"host_id"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// State is an enrolled agent's identity, loaded from its state directory.
type State struct {
	Dir        string
	Enrollment Enrollment
	Cert       tls.Certificate
	CA         *x509.Certificate
}

// ErrNotEnrolled says the state directory holds no enrollment.
var ErrNotEnrolled = errors.New("agent is not enrolled")

// Load reads an enrolled agent's state.
func Load(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, enrollmentFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: no enrollment in %s; run `shadowai-agent enroll --collector HOST:PORT --token TOKEN --state %s` first", ErrNotEnrolled, dir, dir)
	}
	if errors.Is(err, os.ErrPermission) {
		return nil, fmt.Errorf("state directory %s is not readable by this user (uid %d): %w; run the agent as the user that owns it (root for the service)", dir, os.Getuid(), err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading enrollment: %w", err)
	}
	s := &State{Dir: dir}
	if err := json.Unmarshal(b, &s.Enrollment); err != nil {
		return nil, fmt.Errorf("reading %s: %w (the file is damaged; enroll again)", filepath.Join(dir, enrollmentFile), err)
	}
	s.Cert, err = tls.LoadX509KeyPair(filepath.Join(dir, certFile), filepath.Join(dir, keyFile))
	if err != nil {
		return nil, fmt.Errorf("loading agent certificate: %w (enroll again)", err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, caFile))
	if err != nil {
		return nil, fmt.Errorf("loading collector CA: %w (enroll again)", err)
	}
	if s.CA, err = parseCert(caPEM); err != nil {
		return nil, fmt.Errorf("loading collector CA: %w (enroll again)", err)
	}
	return s, nil
}

// Save writes a fresh enrollment: key (0600), certificate, CA and the
// enrollment record, the record last so a crash never leaves a record that
// points at missing files.
func Save(dir string, key *ecdsa.PrivateKey, certDER, caDER []byte, e Enrollment) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding agent key: %w", err)
	}
	writes := []struct {
		name string
		data []byte
		perm os.FileMode
	}{
		{keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600},
		{certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}), 0o644},
		{caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644},
	}
	for _, w := range writes {
		if err := maybe.WriteFile(filepath.Join(dir, w.name), w.data, w.perm); err != nil {
			return fmt.Errorf("saving %s: %w", w.name, err)
		}
	}
	rec, _ := json.MarshalIndent(e, "", "  ")
	return maybe.WriteFile(filepath.Join(dir, enrollmentFile), append(rec, '\n'), 0o600)
}

// PrepareDir creates the state directory (0700) or checks that an existing
// one is writable.
func PrepareDir(dir string) error {
	if dir == "" {
		return errors.New("--state DIR is required: the agent's state directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating state directory: %w", err)
	}
	probe, err := os.CreateTemp(dir, ".probe*")
	if err != nil {
		return fmt.Errorf("state directory %s is not writable: %w (run as a user that owns it)", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// NewKey creates the agent's key pair.
func NewKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// SelfSigned wraps key in a short-lived self-signed certificate, used only
// to prove possession of the key while enrolling.
func SelfSigned(key *ecdsa.PrivateKey) (tls.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "shadowai enrolling agent"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("creating enrollment certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// CSR is the certificate request sent at enrollment.
func CSR(key *ecdsa.PrivateKey, hostname string) ([]byte, error) {
	return x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: hostname},
	}, key)
}

func parseCert(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return x509.ParseCertificate(blk.Bytes)
}

// HostID returns this host's stable id: the OS's machine id where there is
// one, otherwise an id generated once and kept in the state directory.
func HostID(stateDir string) (string, error) {
	if id, err := osHostID(); err == nil && id != "" {
		return id, nil
	}
	path := filepath.Join(stateDir, hostIDFile)
	if b, err := os.ReadFile(path); err == nil {
		if id := strings.TrimSpace(string(b)); id != "" {
			return id, nil
		}
	}
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	id := "gen-" + hex.EncodeToString(r[:])
	if err := maybe.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("saving generated host id: %w", err)
	}
	return id, nil
}

// CSRFor is a certificate request for an existing key (renewal).
func CSRFor(key crypto.PrivateKey, hostname string) ([]byte, error) {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("agent key of type %T cannot sign a certificate request", key)
	}
	return x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: hostname}}, signer)
}
