package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// sightingCols are the columns one sighting fills, in bind order.
const sightingCols = `agent_id, host_id, hostname, first_seen, last_seen, count, source, domain, service,
	user, pid, exe, process, src_ip, dst_ip, dst_port, catalog_version, attrs`

const (
	colsPerSighting = 18
	// rowsPerInsert sightings go in one multi-row INSERT: one statement
	// step instead of 32 (SQLite allows 32766 bound parameters).
	rowsPerInsert = 32
)

// inserter writes sightings with two prepared statements: a multi-row one
// for full chunks and a single-row one for the rest.
type inserter struct {
	many, one *sql.Stmt
	args      []any
}

func newInserter(ctx context.Context, tx *sql.Tx) (*inserter, error) {
	many, err := tx.PrepareContext(ctx, insertSQL(rowsPerInsert))
	if err != nil {
		return nil, fmt.Errorf("preparing sighting insert: %w", err)
	}
	one, err := tx.PrepareContext(ctx, insertSQL(1))
	if err != nil {
		many.Close()
		return nil, fmt.Errorf("preparing sighting insert: %w", err)
	}
	return &inserter{many: many, one: one, args: make([]any, 0, rowsPerInsert*colsPerSighting)}, nil
}

// insertSQL is built from constants only: n placeholder groups.
func insertSQL(n int) string {
	group := "(" + strings.Repeat("?, ", colsPerSighting-1) + "?)"
	groups := make([]string, n)
	for i := range groups {
		groups[i] = group
	}
	return "INSERT INTO sightings(" + sightingCols + ") VALUES " + strings.Join(groups, ", ")
}

func (in *inserter) close() {
	in.many.Close()
	in.one.Close()
}

func (in *inserter) insert(ctx context.Context, agentID string, xs []Sighting) error {
	for len(xs) >= rowsPerInsert {
		if err := in.exec(ctx, in.many, agentID, xs[:rowsPerInsert]); err != nil {
			return err
		}
		xs = xs[rowsPerInsert:]
	}
	for i := range xs {
		if err := in.exec(ctx, in.one, agentID, xs[i:i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (in *inserter) exec(ctx context.Context, stmt *sql.Stmt, agentID string, xs []Sighting) error {
	in.args = in.args[:0]
	for i := range xs {
		in.args = appendSighting(in.args, agentID, &xs[i])
	}
	if _, err := stmt.ExecContext(ctx, in.args...); err != nil {
		return fmt.Errorf("inserting sightings: %w", err)
	}
	return nil
}

func appendSighting(args []any, agentID string, x *Sighting) []any {
	return append(args, agentID, x.HostID, x.Hostname, x.FirstSeen.UnixNano(), x.LastSeen.UnixNano(),
		int64(x.Count), x.Source, x.Domain, x.Service, x.User, x.PID, x.Exe, x.Process, x.SrcIP, x.DstIP,
		x.DstPort, x.CatalogVersion, attrsJSON(x.Attrs))
}

func attrsJSON(attrs map[string]string) string {
	if len(attrs) == 0 {
		return "{}"
	}
	j, err := json.Marshal(attrs)
	if err != nil {
		return "{}"
	}
	return string(j)
}
