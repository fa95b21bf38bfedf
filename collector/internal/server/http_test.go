package server

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHTTPClosesIdleConnections: a client that made one request (no
// credentials needed for /healthz) cannot then hold the connection, and
// its file descriptor, open forever.
func TestHTTPClosesIdleConnections(t *testing.T) {
	dir := t.TempDir()
	env, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Store.Close()
	saved := httpIdleTimeout
	httpIdleTimeout = 200 * time.Millisecond
	defer func() { httpIdleTimeout = saved }()
	cfg := Config{DataDir: dir, HTTP: "127.0.0.1:0", Log: slog.New(slog.DiscardHandler)}
	stop, err := startHTTP(env, cfg, newRegistry(env))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	addr, err := os.ReadFile(filepath.Join(dir, HTTPAddrFile))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", strings.TrimSpace(string(addr)), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = br.ReadByte()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("an idle keep-alive connection was still open after 5 s")
	}
}
