// Package server runs the collector: it opens the data directory (CA,
// database), serves the gRPC services over mutual TLS, and shuts down so
// that everything acknowledged is committed.
package server

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/renameio/v2/maybe"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/shadowai/shadowai/collector/internal/auth"
	"github.com/shadowai/shadowai/collector/internal/bundles"
	"github.com/shadowai/shadowai/collector/internal/config"
	"github.com/shadowai/shadowai/collector/internal/enroll"
	"github.com/shadowai/shadowai/collector/internal/ingest"
	"github.com/shadowai/shadowai/collector/internal/inventory"
	"github.com/shadowai/shadowai/collector/internal/metrics"
	"github.com/shadowai/shadowai/collector/internal/pki"
	"github.com/shadowai/shadowai/collector/internal/store"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// Config is what `shadowai-collector serve` needs.
type Config struct {
	DataDir string
	Listen  string
	// Hosts are extra names the server certificate must be valid for.
	Hosts []string
	Log   *slog.Logger
	// HTTP, when set, is the address of the HTTPS API (inventory, endpoints,
	// /metrics).
	HTTP string
	// ConfigFile overrides the data directory's collector.yaml.
	ConfigFile string
}

// AddrFile is written into the data directory with the address actually
// listened on (useful with port 0).
const AddrFile = "collector.addr"

// maxStreamsPerConn bounds concurrent RPCs on one connection; an agent
// uses a stream and a heartbeat at a time.
const maxStreamsPerConn = 64

// maxRecvMsg bounds one message from an agent.
const maxRecvMsg = 16 << 20

// Run serves until ctx is cancelled, then stops gracefully: in-flight
// batches finish committing and are acknowledged before it returns.
func Run(ctx context.Context, cfg Config) error {
	settings, err := config.Load(cfg.DataDir, cfg.ConfigFile)
	if err != nil {
		return err
	}
	env, err := Open(cfg.DataDir, cfg.Hosts)
	if err != nil {
		return err
	}
	env.Config = settings
	// Closing the store commits every batch the writer still holds.
	defer env.Store.Close()
	lis, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another collector running, or the port taken?)", cfg.Listen, err)
	}
	reg := newRegistry(env)
	srv, hs, ing := newGRPC(env, cfg.Log, reg)
	stopHTTP, err := startHTTP(env, cfg, reg)
	if err != nil {
		lis.Close()
		return err
	}
	defer stopHTTP()
	addr := lis.Addr().String()
	if err := maybe.WriteFile(filepath.Join(cfg.DataDir, AddrFile), []byte(addr+"\n"), 0o644); err != nil {
		lis.Close()
		return err
	}
	cfg.Log.Info("collector listening", "addr", addr, "data", cfg.DataDir, "ca_fingerprint", fmt.Sprintf("%x", pki.Fingerprint(env.CA.CA)))
	// Retention and reports end before the store closes.
	var bg sync.WaitGroup
	defer bg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bg.Go(func() { runBackground(ctx, env, cfg) })
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving gRPC: %w", err)
	case <-ctx.Done():
	}
	stopGRPC(srv, hs, ing, cfg.Log)
	return nil
}

// stopGRPC has every agent stream acknowledge what it has in flight and
// end, then stops the server, forcibly after 10 s.
func stopGRPC(srv *grpc.Server, hs *health.Server, ing *ingest.Server, log *slog.Logger) {
	hs.Shutdown()
	log.Info("collector stopping: finishing in-flight batches")
	ing.Drain()
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		srv.Stop()
	}
}

// Env is an opened data directory.
type Env struct {
	CA    *pki.Authority
	Store *store.Store
	// SigningKey signs signature bundles; agents get its public half when
	// they enroll.
	SigningKey ed25519.PrivateKey
	Config     config.Config
}

// DatabaseFile is the SQLite database inside the data directory.
const DatabaseFile = "shadowai.db"

// Open prepares the data directory: CA and server certificate (created on
// first use), database (migrated) and the embedded catalog's services.
func Open(dir string, hosts []string) (*Env, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	ca, err := pki.LoadOrCreate(dir, hosts)
	if err != nil {
		return nil, fmt.Errorf("preparing certificates in %s: %w", dir, err)
	}
	st, err := store.Open(filepath.Join(dir, DatabaseFile))
	if err != nil {
		return nil, err
	}
	key, err := bundles.LoadOrCreateKey(dir)
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := syncCatalog(st); err != nil {
		st.Close()
		return nil, err
	}
	return &Env{CA: ca, Store: st, SigningKey: key, Config: config.Default()}, nil
}

func syncCatalog(st *store.Store) error {
	cat, err := bundles.InForce(context.Background(), st)
	if err != nil {
		return fmt.Errorf("loading the signature catalog: %w", err)
	}
	return bundles.SyncServices(context.Background(), st, cat)
}

func newGRPC(env *Env, log *slog.Logger, reg *metrics.Registry) (*grpc.Server, *health.Server, *ingest.Server) {
	guard := &auth.Guard{
		CA:      env.CA,
		Revoked: revocationChecker(env.Store),
		Open: map[string]bool{pb.EnrollmentService_Enroll_FullMethodName: true,
			healthpb.Health_Check_FullMethodName: true, healthpb.Health_Watch_FullMethodName: true},
		Roles: map[string]string{
			"/shadowai.v1.IngestService/":     pki.RoleAgent,
			"/shadowai.v1.HeartbeatService/":  pki.RoleAgent,
			"/shadowai.v1.SignaturesService/": pki.RoleAgent,
			"/shadowai.v1.InventoryService/":  pki.RoleAdmin,
		},
	}
	// Renewal is authenticated by the agent's current certificate.
	guard.Roles[pb.EnrollmentService_Renew_FullMethodName] = pki.RoleAgent
	tlsCfg := &tls.Config{
		Certificates: []tls.Certificate{env.CA.Server},
		// Every client presents a certificate; the guard verifies it per
		// method, because enrollment comes with a self-signed one.
		ClientAuth: tls.RequireAnyClientCert,
		MinVersion: tls.VersionTLS13,
	}
	srv := grpc.NewServer(
		grpc.Creds(credentials.NewTLS(tlsCfg)),
		grpc.ChainUnaryInterceptor(guard.Unary),
		grpc.ChainStreamInterceptor(guard.Stream),
		grpc.MaxRecvMsgSize(maxRecvMsg),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		// An idle connection (no RPC for 15 minutes: not a live agent, whose
		// stream stays open) is closed, and no connection may open more
		// streams than an agent ever needs, so unauthenticated callers of
		// Enroll or Health cannot hold resources indefinitely.
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 2 * time.Minute, Timeout: 20 * time.Second, MaxConnectionIdle: 15 * time.Minute}),
		grpc.MaxConcurrentStreams(maxStreamsPerConn),
	)
	sigs := &bundles.Server{Store: env.Store, Log: log}
	ing := &ingest.Server{Store: env.Store, Log: log, CatalogVersion: sigs.CurrentVersion, Metrics: ingest.NewMetrics(reg)}
	ing.SetRateLimit(env.Config.Ingest.AgentSightingsPerSecond, env.Config.Ingest.AgentBurst)
	pb.RegisterEnrollmentServiceServer(srv, &enroll.Server{CA: env.CA, Store: env.Store, Log: log, SigningKey: env.SigningKey.Public().(ed25519.PublicKey)})
	pb.RegisterIngestServiceServer(srv, ing)
	pb.RegisterHeartbeatServiceServer(srv, ing)
	pb.RegisterSignaturesServiceServer(srv, sigs)
	pb.RegisterInventoryServiceServer(srv, &inventory.Server{Inv: env.Inventory(), SilentAfter: env.Config.Endpoints.SilentAfter.Duration, Log: log})
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	return srv, hs, ing
}

// Inventory answers queries with the environment's store and policy.
func (env *Env) Inventory() *inventory.Inventory {
	return &inventory.Inventory{Store: env.Store, Policy: env.Config.Policy}
}

func revocationChecker(st *store.Store) auth.RevocationChecker {
	return func(ctx context.Context, id string) error {
		a, err := st.Agent(ctx, id)
		switch {
		case errors.Is(err, store.ErrNoAgent):
			return status.Errorf(codes.PermissionDenied, "agent %s is not enrolled with this collector: enroll it again with a new token", id)
		case err != nil:
			return status.Error(codes.Unavailable, "could not look up the agent; retry later")
		case !a.RevokedAt.IsZero():
			return status.Errorf(codes.PermissionDenied, "agent %s was revoked at %s: if that was a mistake, enroll it again with a new token", id, a.RevokedAt.UTC().Format(time.RFC3339))
		}
		return nil
	}
}
