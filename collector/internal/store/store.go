// Package store is the collector's SQLite database and the only package
// that writes SQL. One connection writes, in short transactions; readers
// use their own connections in parallel (WAL).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is an open collector database.
type Store struct {
	w     *sql.DB // the single writer
	r     *sql.DB // parallel readers
	path  string
	gw    *groupWriter
	names numberNames
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date.
func Open(path string) (*Store, error) {
	w, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	s := &Store{w: w}
	if err := s.migrate(context.Background()); err != nil {
		w.Close()
		return nil, fmt.Errorf("migrating database %s: %w", path, err)
	}
	if s.r, err = sql.Open("sqlite3", dsn(path, true)); err != nil {
		w.Close()
		return nil, fmt.Errorf("opening database %s for reading: %w", path, err)
	}
	s.r.SetMaxOpenConns(4)
	s.path = path
	s.gw = newGroupWriter(w)
	return s, nil
}

func dsn(path string, readOnly bool) string {
	v := url.Values{}
	v.Set("_journal_mode", "WAL")
	v.Set("_busy_timeout", "10000")
	// FULL: a batch acknowledged to an agent survives power loss.
	v.Set("_synchronous", "FULL")
	v.Set("_foreign_keys", "on")
	// 64 MiB of page cache: rollup and index pages stay in memory.
	v.Set("_cache_size", "-65536")
	if readOnly {
		v.Set("mode", "ro")
	} else {
		v.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + v.Encode()
}

// Close commits every batch already handed to the writer, then closes
// the database.
func (s *Store) Close() error {
	if s.gw != nil {
		s.gw.close()
	}
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

// SchemaVersion is the newest migration this binary knows.
func SchemaVersion() int {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	return len(names)
}

// migrate applies, in order, every embedded migration newer than the
// database's user_version, each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	var have int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	if have > len(names) {
		return fmt.Errorf("database schema version %d is newer than this collector knows (%d): run a newer shadowai-collector", have, len(names))
	}
	for i, name := range names[have:] {
		version := have + i + 1
		if n := migrationNumber(name); n != version {
			return fmt.Errorf("migration %s is out of sequence (want %04d)", name, version)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, version, string(body)); err != nil {
			return fmt.Errorf("applying %s: %w", name, err)
		}
	}
	return nil
}

func migrationNumber(name string) int {
	base := strings.TrimPrefix(name, "migrations/")
	n, _ := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
	return n
}

func (s *Store) apply(ctx context.Context, version int, body string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process (serve and a CLI command started together after an
	// upgrade) may have applied it while this one waited for the lock.
	var have int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return err
	}
	if have >= version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	// PRAGMA takes no bind parameters; version is our own integer.
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(version)); err != nil {
		return err
	}
	return tx.Commit()
}
