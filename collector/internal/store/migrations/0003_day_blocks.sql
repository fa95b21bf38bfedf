-- Queries that group by host or user read packed day blocks instead of
-- a row per (day, service, host, user): at 10,000 hosts a week is about
-- 120,000 such rows, and having SQLite group and sort them took 200 to
-- 300 ms. A block holds the same facts for 256 host numbers in one row,
-- so a week is a few thousand rows that the store adds up in Go.

-- Numbers are never reused (AUTOINCREMENT): retention deletes hosts and
-- users nothing refers to any more, and a number cached by a reader, or
-- left in an old day set, must never come to mean someone else.
CREATE TABLE hosts_numbered (
  n        INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id  TEXT NOT NULL UNIQUE
);
INSERT INTO hosts_numbered(n, host_id) SELECT n, host_id FROM hosts;
DROP TABLE hosts;
ALTER TABLE hosts_numbered RENAME TO hosts;

CREATE TABLE users_numbered (
  n           INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL UNIQUE,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
);
INSERT INTO users_numbered(n, name, first_seen, last_seen) SELECT n, name, first_seen, last_seen FROM users;
DROP TABLE users;
ALTER TABLE users_numbered RENAME TO users;

-- Per UTC day, service and block of 256 host numbers (block = hosts.n >> 8):
-- one 40-byte fact per (host, user), five big-endian 64-bit integers:
-- hosts.n, users.n (0 when the sightings carried no user), the sum of
-- counts, the first and the last sighting (Unix nanoseconds). Facts are
-- sorted by host and user. Kept as long as rollups.
CREATE TABLE day_blocks (
  day      INTEGER NOT NULL,
  service  TEXT NOT NULL,
  block    INTEGER NOT NULL,
  facts    BLOB NOT NULL,
  PRIMARY KEY (day, service, block)
) WITHOUT ROWID;

INSERT INTO day_blocks(day, service, block, facts)
  SELECT p.day, p.service, h.n >> 8,
    unhex(group_concat(printf('%016x%016x%016x%016x%016x', h.n, COALESCE(u.n, 0), p.count, p.first_seen, p.last_seen), ''
      ORDER BY h.n, COALESCE(u.n, 0)))
  FROM pairs p JOIN hosts h ON h.host_id = p.host_id LEFT JOIN users u ON u.name = p.user AND p.user <> ''
  GROUP BY p.day, p.service, h.n >> 8;

-- The blocks hold everything pairs held.
DROP TABLE pairs;

-- Which hosts a user worked on, and whether a host or user still appears
-- anywhere (retention of the numbering). Both hold key columns only, which
-- ingest never updates, so they cost a write only for a new combination.
CREATE INDEX usage_host ON usage(host_id);
CREATE INDEX usage_user ON usage(user, service);

-- Versions that readers compare to know when a copy they keep in memory
-- is stale. 'hostnames' changes whenever an agent's hostname, host or
-- enrollment does (hostnames of large host listings are kept in memory).
CREATE TABLE versions (
  name     TEXT PRIMARY KEY,
  version  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO versions(name, version) VALUES ('hostnames', 0);
CREATE TRIGGER agents_hostnames_insert AFTER INSERT ON agents BEGIN
  UPDATE versions SET version = version + 1 WHERE name = 'hostnames';
END;
CREATE TRIGGER agents_hostnames_update AFTER UPDATE OF hostname, host_id, enrolled_at ON agents
  WHEN old.hostname IS NOT new.hostname OR old.host_id IS NOT new.host_id OR old.enrolled_at IS NOT new.enrolled_at BEGIN
  UPDATE versions SET version = version + 1 WHERE name = 'hostnames';
END;
CREATE TRIGGER agents_hostnames_delete AFTER DELETE ON agents BEGIN
  UPDATE versions SET version = version + 1 WHERE name = 'hostnames';
END;
