package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

type blockKey struct {
	day     Day
	service string
	block   int64
}

// applyBlocks merges the group's (day, service, host, user) totals into
// the day blocks: one read and one write per block the group touched.
func (r *rollup) applyBlocks(ctx context.Context, tx *sql.Tx, hosts, users map[string]int64) error {
	if len(r.pairs) == 0 {
		return nil
	}
	byBlock := map[blockKey][]fact{}
	for k, v := range r.pairs {
		h := hosts[k.host]
		bk := blockKey{k.day, k.service, blockOf(h)}
		byBlock[bk] = append(byBlock[bk], fact{host: h, user: users[k.user], count: v.count, first: v.first, last: v.last})
	}
	read, err := tx.PrepareContext(ctx, "SELECT facts FROM day_blocks WHERE day = ? AND service = ? AND block = ?")
	if err != nil {
		return fmt.Errorf("preparing day block read: %w", err)
	}
	defer read.Close()
	write, err := tx.PrepareContext(ctx, `INSERT INTO day_blocks(day, service, block, facts) VALUES (?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET facts = excluded.facts`)
	if err != nil {
		return fmt.Errorf("preparing day block write: %w", err)
	}
	defer write.Close()
	var buf []byte
	for k, fs := range byBlock {
		if buf, err = mergeBlock(ctx, read, write, k, fs, buf); err != nil {
			return err
		}
	}
	return nil
}

// mergeBlock adds fs to the stored block k; buf is scratch space.
func mergeBlock(ctx context.Context, read, write *sql.Stmt, k blockKey, fs []fact, buf []byte) ([]byte, error) {
	var stored []byte
	err := read.QueryRowContext(ctx, int64(k.day), k.service, k.block).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return buf, fmt.Errorf("reading the day block %d of %s: %w", k.block, k.service, err)
	}
	if fs, err = decodeFacts(fs, stored); err != nil {
		return buf, fmt.Errorf("day %d, service %s, block %d: %w", k.day, k.service, k.block, err)
	}
	buf = appendFacts(buf[:0], mergeFacts(fs))
	if _, err := write.ExecContext(ctx, int64(k.day), k.service, k.block, buf); err != nil {
		return buf, fmt.Errorf("writing the day block %d of %s: %w", k.block, k.service, err)
	}
	return buf, nil
}
