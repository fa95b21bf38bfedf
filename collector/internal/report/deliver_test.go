package report

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/shadowai/shadowai/collector/internal/config"
)

// TestMailGivesUpOnAStalledServer: a mail server that accepts the
// connection and never answers must not hold the report (and every later
// scheduled one) forever.
func TestMailGivesUpOnAStalledServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never answered
		}
	}()
	saved := mailTimeout
	mailTimeout = 200 * time.Millisecond
	defer func() { mailTimeout = saved }()
	r := &Report{Week: "2026-W48"}
	done := make(chan error, 1)
	go func() {
		done <- r.Mail(context.Background(), config.SMTP{Addr: l.Addr().String(), From: "a@example.com", To: []string{"b@example.com"}})
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a server that never answered took the mail")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Mail still waiting for a stalled server after 10 s")
	}
}
