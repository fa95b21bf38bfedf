package store

import (
	"context"
	"fmt"
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
type InventoryRow = Row

// Inventory lists every AI service ever seen, most used first.
func (s *Store) Inventory(ctx context.Context) ([]InventoryRow, error) {
	return s.Query(ctx, Query{By: "service"})
}

// Services lists the catalog's services.
func (s *Store) Services(ctx context.Context) ([]Service, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id, name, vendor, category, risk FROM services ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("listing services: %w", err)
	}
	defer rows.Close()
	var out []Service
	for rows.Next() {
		var v Service
		if err := rows.Scan(&v.ID, &v.Name, &v.Vendor, &v.Category, &v.Risk); err != nil {
			return nil, fmt.Errorf("reading service: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SeenServices lists every service id present in the rollups, including
// ids the catalog does not know (sent by agents with a newer catalog). The
// day sets have a row per day and service, a few hundred times fewer
// than usage, and the same retention.
func (s *Store) SeenServices(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT DISTINCT service FROM day_sets ORDER BY service")
	if err != nil {
		return nil, fmt.Errorf("listing seen services: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
