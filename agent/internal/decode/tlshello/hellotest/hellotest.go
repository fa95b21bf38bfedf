// Package hellotest records real ClientHellos from Go's TLS client for
// tests and capture generators: the first TLS record the client writes.
// Go sends a post-quantum key share, so the record is about 1.8 KiB and
// spans two TCP segments, as browsers' do.
package hellotest

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// Record returns the first TLS record of a Go client handshake for sni
// offering alpn.
func Record(sni string, alpn []string) ([]byte, error) {
	c, s := net.Pipe()
	defer s.Close()
	go func() {
		tc := tls.Client(c, &tls.Config{ServerName: sni, NextProtos: alpn, InsecureSkipVerify: true})
		tc.SetDeadline(time.Now().Add(5 * time.Second))
		tc.Handshake()
		c.Close()
	}()
	s.SetDeadline(time.Now().Add(5 * time.Second))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(s, hdr); err != nil {
		return nil, fmt.Errorf("recording a ClientHello: %w", err)
	}
	body := make([]byte, int(binary.BigEndian.Uint16(hdr[3:])))
	if _, err := io.ReadFull(s, body); err != nil {
		return nil, fmt.Errorf("recording a ClientHello: %w", err)
	}
	return append(hdr, body...), nil
}
