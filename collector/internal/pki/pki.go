// Package pki is the collector's certificate authority: it creates the CA
// and the server certificate on first start, signs agent certificates at
// enrollment, and mints and checks enrollment tokens that pin the CA.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2/maybe"
)

// Roles carried in a certificate's OrganizationalUnit.
const (
	RoleAgent  = "agent"
	RoleAdmin  = "admin"
	RoleServer = "server"
)

// Validity periods.
const (
	caValidity     = 10 * 365 * 24 * time.Hour
	serverValidity = 2 * 365 * 24 * time.Hour
	// AgentValidity is how long an agent certificate lasts; agents renew
	// well before it ends.
	AgentValidity = 365 * 24 * time.Hour
)

// File names inside the collector's data directory.
const (
	caCertFile     = "ca.crt"
	caKeyFile      = "ca.key"
	serverCertFile = "server.crt"
	serverKeyFile  = "server.key"
)

// Authority holds the CA and the server certificate.
type Authority struct {
	CA     *x509.Certificate
	caKey  crypto.Signer
	Server tls.Certificate
}

// Fingerprint is the SHA-256 of a certificate's DER encoding.
func Fingerprint(cert *x509.Certificate) [32]byte { return sha256.Sum256(cert.Raw) }

// LoadOrCreate loads the CA and server certificate from dir, creating any
// that do not exist yet. hosts are extra names and addresses the server
// certificate must be valid for, besides localhost and this host's name.
func LoadOrCreate(dir string, hosts []string) (*Authority, error) {
	ca, caKey, err := loadOrCreateCA(dir)
	if err != nil {
		return nil, err
	}
	a := &Authority{CA: ca, caKey: caKey}
	if a.Server, err = a.loadOrCreateServer(dir, hosts); err != nil {
		return nil, err
	}
	return a, nil
}

// Load loads an existing CA from dir without creating anything.
func Load(dir string) (*Authority, error) {
	ca, key, err := readPair(filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no collector CA in %s: start `shadowai-collector serve --data %s` once to create it", dir, dir)
	}
	if err != nil {
		return nil, err
	}
	return &Authority{CA: ca, caKey: key}, nil
}

func loadOrCreateCA(dir string) (*x509.Certificate, crypto.Signer, error) {
	certPath, keyPath := filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile)
	cert, key, err := readPair(certPath, keyPath)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return cert, key, err
	}
	key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating CA key: %w", err)
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "shadowai collector CA " + host, Organization: []string{"shadowai"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating CA certificate: %w", err)
	}
	if err := writePair(certPath, keyPath, der, key); err != nil {
		return nil, nil, err
	}
	cert, err = x509.ParseCertificate(der)
	return cert, key, err
}

func (a *Authority) loadOrCreateServer(dir string, hosts []string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, serverCertFile), filepath.Join(dir, serverKeyFile)
	names := serverNames(hosts)
	cert, _, err := readPair(certPath, keyPath)
	if err == nil && coversAll(cert, names) && time.Until(cert.NotAfter) > 30*24*time.Hour {
		return a.serverPair(certPath, keyPath)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "shadowai collector", OrganizationalUnit: []string{RoleServer}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(serverValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.CA, key.Public(), a.caKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("creating server certificate: %w", err)
	}
	if err := writePair(certPath, keyPath, der, key); err != nil {
		return tls.Certificate{}, err
	}
	return a.serverPair(certPath, keyPath)
}

// serverPair loads the server certificate and appends the CA to its chain:
// an enrolling agent knows only the CA's fingerprint (from its token) and
// checks the chain against it.
func (a *Authority) serverPair(certPath, keyPath string) (tls.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return pair, fmt.Errorf("loading server certificate: %w", err)
	}
	pair.Certificate = append(pair.Certificate, a.CA.Raw)
	return pair, nil
}

// serverNames is every name the server certificate must carry.
func serverNames(extra []string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	for _, h := range extra {
		if h != "" && h != "0.0.0.0" && h != "::" {
			names = append(names, h)
		}
	}
	return names
}

func coversAll(cert *x509.Certificate, names []string) bool {
	for _, n := range names {
		if cert.VerifyHostname(n) != nil {
			return false
		}
	}
	return true
}

func randomSerial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func readPair(certPath, keyPath string) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, err
	}
	cert, err := ParseCertPEM(certPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", certPath, err)
	}
	key, err := ParseKeyPEM(keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", keyPath, err)
	}
	return cert, key, nil
}

func writePair(certPath, keyPath string, der []byte, key crypto.Signer) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding key: %w", err)
	}
	if err := maybe.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return maybe.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// ParseCertPEM parses the first CERTIFICATE block.
func ParseCertPEM(b []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return x509.ParseCertificate(blk.Bytes)
}

// ParseKeyPEM parses a PKCS#8 PRIVATE KEY block.
func ParseKeyPEM(b []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("no PEM PRIVATE KEY block")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key of type %T cannot sign", k)
	}
	return s, nil
}
