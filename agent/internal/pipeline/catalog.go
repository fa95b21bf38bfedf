package pipeline

import (
	"context"

	"google.golang.org/grpc"

	"github.com/shadowai/shadowai/agent/internal/catalogsync"
)

// updateCatalog installs the signature catalog the collector announced in
// a heartbeat, if it differs from the one in force and verifies; later
// sightings carry its version.
func (a *agent) updateCatalog(ctx context.Context, conn grpc.ClientConnInterface, announced string) {
	if a.sync == nil {
		a.sync = &catalogsync.Syncer{StateDir: a.cfg.StateDir, Live: a.catalog, Log: a.opts.Log}
	}
	if v := a.sync.Update(ctx, conn, announced); v != "" {
		a.mu.Lock()
		a.agg.SetCatalogVersion(v)
		a.mu.Unlock()
	}
}
