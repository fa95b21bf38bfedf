package store

import (
	"context"
	"fmt"
	"time"
)

// Service is a catalog entry as the store keeps it.
type Service struct {
	ID, Name, Vendor, Category string
	Risk                       int
}

// SyncServices replaces the services table with the given catalog.
func (s *Store) SyncServices(ctx context.Context, svcs []Service) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM services"); err != nil {
		return fmt.Errorf("clearing services: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO services(id, name, vendor, category, risk) VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, v := range svcs {
		if _, err := stmt.ExecContext(ctx, v.ID, v.Name, v.Vendor, v.Category, v.Risk); err != nil {
			return fmt.Errorf("storing service %s: %w", v.ID, err)
		}
	}
	return tx.Commit()
}

// InventoryRow is one AI service and how it was used.
type InventoryRow struct {
	Service, Name, Vendor, Category string
	Risk                            int
	Hosts, Users                    uint64
	FirstSeen, LastSeen             time.Time
	Count                           uint64
}

// Inventory lists every AI service seen, most used first.
func (s *Store) Inventory(ctx context.Context) ([]InventoryRow, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT x.service, COALESCE(v.name, ''), COALESCE(v.vendor, ''), COALESCE(v.category, ''), COALESCE(v.risk, 0),
		       COUNT(DISTINCT x.host_id), COUNT(DISTINCT NULLIF(x.user, '')),
		       MIN(x.first_seen), MAX(x.last_seen), SUM(x.count)
		FROM sightings x LEFT JOIN services v ON v.id = x.service
		WHERE x.service <> ''
		GROUP BY x.service
		ORDER BY SUM(x.count) DESC, x.service`)
	if err != nil {
		return nil, fmt.Errorf("querying inventory: %w", err)
	}
	defer rows.Close()
	var out []InventoryRow
	for rows.Next() {
		var r InventoryRow
		var first, last, count int64
		if err := rows.Scan(&r.Service, &r.Name, &r.Vendor, &r.Category, &r.Risk, &r.Hosts, &r.Users, &first, &last, &count); err != nil {
			return nil, fmt.Errorf("reading inventory row: %w", err)
		}
		r.FirstSeen, r.LastSeen, r.Count = time.Unix(0, first), time.Unix(0, last), uint64(count)
		out = append(out, r)
	}
	return out, rows.Err()
}
