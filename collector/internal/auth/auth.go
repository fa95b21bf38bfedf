// Package auth decides who is calling the collector. Every connection
// presents a client certificate (mutual TLS); enrollment accepts a
// self-signed one and binds its key, every other call needs a certificate
// from the collector's CA, with the role the method requires, for an agent
// that is not revoked.
package auth

import (
	"context"
	"crypto"
	"crypto/x509"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/pki"
)

// Peer is the authenticated caller.
type Peer struct {
	// ID is the certificate's common name: the agent id, or an admin name.
	ID   string
	Role string
	// Key is the public key the caller proved it holds on this connection.
	Key crypto.PublicKey
}

type peerKey struct{}

// NewContext returns ctx carrying p as the authenticated caller.
func NewContext(ctx context.Context, p Peer) context.Context {
	return context.WithValue(ctx, peerKey{}, p)
}

// FromContext returns the caller authenticated by the interceptor.
func FromContext(ctx context.Context) (Peer, bool) {
	p, ok := ctx.Value(peerKey{}).(Peer)
	return p, ok
}

// RevocationChecker says whether an agent may still connect; it returns a
// gRPC status error when not.
type RevocationChecker func(ctx context.Context, id string) error

// Guard authenticates calls.
type Guard struct {
	CA      *pki.Authority
	Revoked RevocationChecker
	// Roles maps a full method name prefix ("/shadowai.v1.IngestService/")
	// to the role it requires. Methods not listed are refused.
	Roles map[string]string
	// Open lists full method names that need only proof of key possession
	// (enrollment).
	Open map[string]bool
}

// Unary is the unary server interceptor.
func (g *Guard) Unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	ctx, err := g.authenticate(ctx, info.FullMethod)
	if err != nil {
		return nil, err
	}
	return h(ctx, req)
}

// Stream is the stream server interceptor.
func (g *Guard) Stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	ctx, err := g.authenticate(ss.Context(), info.FullMethod)
	if err != nil {
		return err
	}
	return h(srv, g.streamFor(&wrappedStream{ServerStream: ss, ctx: ctx}))
}

type wrappedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (w *wrappedStream) Context() context.Context { return w.ctx }

func (g *Guard) authenticate(ctx context.Context, method string) (context.Context, error) {
	cert, err := clientCert(ctx)
	if err != nil {
		return nil, err
	}
	if g.Open[method] {
		return NewContext(ctx, Peer{Key: cert.PublicKey}), nil
	}
	id, role, err := g.CA.VerifyClient(cert)
	if err != nil {
		return nil, status.Errorf(codes.Unauthenticated,
			"client certificate is not valid for this collector (%v): enroll the agent again with a new token", err)
	}
	want, ok := g.required(method)
	if !ok || role != want {
		return nil, status.Errorf(codes.PermissionDenied, "a %q certificate may not call %s", role, method)
	}
	if role == pki.RoleAgent && g.Revoked != nil {
		if err := g.Revoked(ctx, id); err != nil {
			return nil, err
		}
	}
	return NewContext(ctx, Peer{ID: id, Role: role, Key: cert.PublicKey}), nil
}

func (g *Guard) required(method string) (string, bool) {
	for prefix, role := range g.Roles {
		if strings.HasPrefix(method, prefix) {
			return role, true
		}
	}
	return "", false
}

var errNoCert = status.Error(codes.Unauthenticated, "no client certificate: the collector accepts mutual TLS only")

func clientCert(ctx context.Context) (*x509.Certificate, error) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil, errNoCert
	}
	ti, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(ti.State.PeerCertificates) == 0 {
		return nil, errNoCert
	}
	return ti.State.PeerCertificates[0], nil
}
