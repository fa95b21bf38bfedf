package pki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"time"
)

// ErrKeyMismatch says the CSR's key is not the key the agent proved it
// holds on the TLS connection.
var ErrKeyMismatch = errors.New("the certificate request's key differs from the TLS client key")

// SignAgent checks an agent's certificate signing request and issues a
// client certificate for agentID. proven is the public key the agent used
// on the TLS connection; the CSR must carry the same key.
func (a *Authority) SignAgent(csrDER []byte, proven crypto.PublicKey, agentID string) ([]byte, *x509.Certificate, error) {
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing certificate request: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, nil, fmt.Errorf("certificate request signature: %w", err)
	}
	if !samePublicKey(csr.PublicKey, proven) {
		return nil, nil, ErrKeyMismatch
	}
	return a.Issue(csr.PublicKey, agentID, RoleAgent, AgentValidity)
}

// Issue signs a client certificate for pub with the given common name and
// role.
func (a *Authority) Issue(pub crypto.PublicKey, cn, role string, validity time.Duration) ([]byte, *x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: cn, OrganizationalUnit: []string{role}},
		NotBefore:    time.Now().Add(-5 * time.Minute),
		NotAfter:     time.Now().Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.CA, pub, a.caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("signing certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	return der, cert, err
}

func samePublicKey(a, b crypto.PublicKey) bool {
	ad, err1 := x509.MarshalPKIXPublicKey(a)
	bd, err2 := x509.MarshalPKIXPublicKey(b)
	return err1 == nil && err2 == nil && bytes.Equal(ad, bd)
}

// VerifyClient checks that cert was issued by this CA for client use and
// is valid now. It returns the certificate's common name and role.
func (a *Authority) VerifyClient(cert *x509.Certificate) (cn, role string, err error) {
	pool := x509.NewCertPool()
	pool.AddCert(a.CA)
	_, err = cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return "", "", err
	}
	if len(cert.Subject.OrganizationalUnit) == 1 {
		role = cert.Subject.OrganizationalUnit[0]
	}
	return cert.Subject.CommonName, role, nil
}
