package uplink

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"google.golang.org/grpc"

	"github.com/shadowai/shadowai/agent/internal/identity"
	pb "github.com/shadowai/shadowai/proto/shadowai/v1"
)

// RenewIfDue asks the collector for a new certificate when the current one
// expires within before. It reports whether it renewed.
func RenewIfDue(ctx context.Context, conn *grpc.ClientConn, st *identity.State, before time.Duration, log *slog.Logger) (bool, error) {
	left := time.Until(st.NotAfter())
	if left > before {
		return false, nil
	}
	if err := Renew(ctx, conn, st); err != nil {
		return false, fmt.Errorf("renewing the agent certificate (expires in %s): %w", left.Round(time.Second), err)
	}
	log.Info("agent certificate renewed", "not_after", st.NotAfter().UTC().Format(time.RFC3339), "was_left_s", left.Seconds())
	return true, nil
}

// Renew trades the current certificate for a new one for the same key.
func Renew(ctx context.Context, conn *grpc.ClientConn, st *identity.State) error {
	hostname, _ := os.Hostname()
	csr, err := st.RenewalCSR(hostname)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := pb.NewEnrollmentServiceClient(conn).Renew(ctx, &pb.RenewRequest{CsrDer: csr})
	if err != nil {
		return Explain(st.Enrollment.Collector, err)
	}
	return st.Renewed(resp.GetCertificateDer())
}
