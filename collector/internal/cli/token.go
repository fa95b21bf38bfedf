package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/shadowai/shadowai/collector/internal/pki"
	"github.com/shadowai/shadowai/proto/token"
)

func tokenCmd(e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("usage: shadowai-collector token create --data DIR [--ttl 24h]")
	}
	fs := flags(e, "token create")
	data := fs.String("data", "", "collector data directory")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token stays valid")
	if err := parseWithData(fs, args[1:], data); err != nil {
		return err
	}
	if *ttl <= 0 {
		return usagef("--ttl must be positive")
	}
	ca, err := pki.Load(*data)
	if err != nil {
		return err
	}
	st, err := openExisting(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	fp := pki.Fingerprint(ca.CA)
	tok, err := token.New(fp)
	if err != nil {
		return err
	}
	expires := time.Now().Add(*ttl)
	if err := st.CreateToken(context.Background(), tok.Hash(), expires); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "One-time enrollment token for the collector with CA sha256:%x, valid until %s:\n", fp, expires.UTC().Format(time.RFC3339))
	fmt.Fprintln(e.stdout, tok.String())
	return nil
}
