package identity

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/renameio/v2/maybe"
)

// certs holds the client certificate currently in use, per state
// directory, so a renewal takes effect on the next TLS handshake without
// a restart.
var certs sync.Map // dir -> *tls.Certificate

// Current is the client certificate to present now.
func (s *State) Current() *tls.Certificate {
	if c, ok := certs.Load(s.Dir); ok {
		return c.(*tls.Certificate)
	}
	return &s.Cert
}

// NotAfter is when the current certificate expires.
func (s *State) NotAfter() time.Time {
	c := s.Current()
	if c.Leaf != nil {
		return c.Leaf.NotAfter
	}
	if len(c.Certificate) == 0 {
		return time.Time{}
	}
	leaf, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return time.Time{}
	}
	return leaf.NotAfter
}

// Renewed installs a renewed certificate for the same key: it is checked
// against the key and the collector CA, written atomically (the key file is
// untouched) and used from the next connection on.
func (s *State) Renewed(certDER []byte) error {
	leaf, err := x509.ParseCertificate(certDER)
	if err != nil {
		return fmt.Errorf("renewed certificate is unreadable: %w", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(s.CA)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return fmt.Errorf("renewed certificate does not verify with the collector CA: %w", err)
	}
	cur := s.Current()
	pair := &tls.Certificate{Certificate: [][]byte{certDER}, PrivateKey: cur.PrivateKey, Leaf: leaf}
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})
	if _, err := tls.X509KeyPair(data, keyPEM(cur)); err != nil {
		return fmt.Errorf("renewed certificate is not for this agent's key: %w", err)
	}
	if err := maybe.WriteFile(filepath.Join(s.Dir, certFile), data, 0o644); err != nil {
		return fmt.Errorf("saving renewed certificate: %w", err)
	}
	certs.Store(s.Dir, pair)
	return nil
}

func keyPEM(c *tls.Certificate) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// RenewalCSR is the certificate request for renewing with the current key.
func (s *State) RenewalCSR(hostname string) ([]byte, error) {
	return CSRFor(s.Current().PrivateKey, hostname)
}
