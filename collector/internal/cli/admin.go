package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2/maybe"

	"github.com/shadowai/shadowai/collector/internal/pki"
)

func adminCmd(e env, args []string) error {
	if len(args) == 0 || args[0] != "cert" {
		return usagef("usage: shadowai-collector admin cert --data DIR --name NAME --out DIR [--valid 2160h]")
	}
	fs := flags(e, "admin cert")
	data := fs.String("data", "", "collector data directory")
	name := fs.String("name", "", "who the certificate is for (its common name)")
	out := fs.String("out", "", "directory to write admin.crt, admin.key and ca.crt into")
	valid := fs.Duration("valid", 90*24*time.Hour, "how long the certificate is valid")
	if err := parseWithData(fs, args[1:], data); err != nil {
		return err
	}
	if *name == "" || *out == "" {
		return usagef("--name and --out are required")
	}
	if *valid <= 0 {
		return usagef("--valid must be positive")
	}
	ca, err := pki.Load(*data)
	if err != nil {
		return err
	}
	return issueAdmin(e, ca, *name, *out, *valid)
}

func issueAdmin(e env, ca *pki.Authority, name, out string, valid time.Duration) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generating the admin key: %w", err)
	}
	der, cert, err := ca.Issue(key.Public(), name, pki.RoleAdmin, valid)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	files := []struct {
		name, typ string
		der       []byte
		mode      os.FileMode
	}{{"admin.key", "PRIVATE KEY", keyDER, 0o600}, {"admin.crt", "CERTIFICATE", der, 0o644}, {"ca.crt", "CERTIFICATE", ca.CA.Raw, 0o644}}
	for _, f := range files {
		if err := maybe.WriteFile(filepath.Join(out, f.name), pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), f.mode); err != nil {
			return fmt.Errorf("writing %s: %w", f.name, err)
		}
	}
	fmt.Fprintf(e.stdout, "admin certificate for %q valid until %s written to %s\n", name, cert.NotAfter.UTC().Format(time.RFC3339), out)
	return nil
}
