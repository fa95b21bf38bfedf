package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/renameio/v2/maybe"

	"github.com/shadowai/shadowai/collector/internal/httpapi"
	"github.com/shadowai/shadowai/collector/internal/metrics"
)

// Files the HTTP API writes into the data directory.
const (
	// HTTPTokenFile holds the admin bearer token (mode 0600).
	HTTPTokenFile = "http-admin.token"
	// HTTPAddrFile holds the address the HTTP API listens on.
	HTTPAddrFile = "http.addr"
)

// httpIdleTimeout closes a keep-alive connection that sends no further
// request.
var httpIdleTimeout = 2 * time.Minute

// startHTTP serves the HTTPS API when cfg.HTTP is set; the returned
// function stops it.
func startHTTP(env *Env, cfg Config, reg *metrics.Registry) (func(), error) {
	if cfg.HTTP == "" {
		return func() {}, nil
	}
	tokenHash, err := adminToken(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	api := &httpapi.API{Inv: env.Inventory(), CA: env.CA, Metrics: reg, TokenHash: tokenHash,
		SilentAfter: env.Config.Endpoints.SilentAfter.Duration, Log: cfg.Log}
	lis, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("listening for HTTP on %s: %w (is the port taken?)", cfg.HTTP, err)
	}
	if err := maybe.WriteFile(filepath.Join(cfg.DataDir, HTTPAddrFile), []byte(lis.Addr().String()+"\n"), 0o644); err != nil {
		lis.Close()
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(env.CA.CA)
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: httpIdleTimeout,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{env.CA.Server}, ClientAuth: tls.VerifyClientCertIfGiven,
			ClientCAs: pool, MinVersion: tls.VersionTLS12}}
	go func() {
		if err := srv.ServeTLS(lis, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Log.Error("http api stopped", "err", err)
		}
	}()
	cfg.Log.Info("http api listening", "addr", lis.Addr().String(), "token_file", filepath.Join(cfg.DataDir, HTTPTokenFile))
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// adminToken reads the bearer token file, creating it on first use, and
// returns its hash.
func adminToken(dir string) ([32]byte, error) {
	path := filepath.Join(dir, HTTPTokenFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		var raw [32]byte
		rand.Read(raw[:])
		b = []byte(hex.EncodeToString(raw[:]) + "\n")
		err = maybe.WriteFile(path, b, 0o600)
	}
	if err != nil {
		return [32]byte{}, fmt.Errorf("preparing the HTTP admin token %s: %w", path, err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 32 {
		return [32]byte{}, fmt.Errorf("HTTP admin token in %s is shorter than 32 characters: delete the file to get a new one", path)
	}
	return sha256.Sum256([]byte(tok)), nil
}
