package auth

import (
	"sync"
	"time"

	"google.golang.org/grpc"

	"github.com/shadowai/shadowai/collector/internal/pki"
)

// RecheckInterval is how often a long-lived agent stream is checked for
// revocation again: a live agent keeps one stream open for days, and
// `agents revoke` must not wait for it to reconnect.
var RecheckInterval = 30 * time.Second

// rechecking is a server stream that re-runs the revocation check on a
// received message once RecheckInterval has passed since the last check.
type rechecking struct {
	*wrappedStream
	g  *Guard
	id string

	mu   sync.Mutex // guards last
	last time.Time
}

func (g *Guard) streamFor(w *wrappedStream) grpc.ServerStream {
	p, _ := FromContext(w.ctx)
	if p.Role != pki.RoleAgent || g.Revoked == nil {
		return w
	}
	return &rechecking{wrappedStream: w, g: g, id: p.ID, last: time.Now()}
}

func (r *rechecking) RecvMsg(m any) error {
	if err := r.wrappedStream.RecvMsg(m); err != nil {
		return err
	}
	r.mu.Lock()
	due := time.Since(r.last) >= RecheckInterval
	if due {
		r.last = time.Now()
	}
	r.mu.Unlock()
	if due {
		return r.g.Revoked(r.ctx, r.id)
	}
	return nil
}
