-- Inventory at fleet scale: queries read daily rollups, not raw sightings.

-- Queries read rollups, never raw sightings, so raw sightings need no
-- secondary index: rows only append to the rowid B-tree, which keeps
-- ingest cheap. Retention finds old rows through sighting_days instead.
DROP INDEX sightings_service_time;
DROP INDEX sightings_time;

-- The first sightings.id received on each UTC day: ids only grow, so
-- everything received before a day is id < its first_id.
CREATE TABLE sighting_days (
  day       INTEGER PRIMARY KEY,
  first_id  INTEGER NOT NULL
);

-- Daily rollups of AI sightings per (service, host, user, source). day is
-- the UTC day of last_seen, in days since 1970-01-01. Kept 400 days.
CREATE TABLE rollups (
  day         INTEGER NOT NULL,
  service     TEXT NOT NULL,
  host_id     TEXT NOT NULL,
  user        TEXT NOT NULL,
  source      TEXT NOT NULL,
  count       INTEGER NOT NULL,
  sightings   INTEGER NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (day, service, host_id, user, source)
) WITHOUT ROWID;

-- The same per (service, host, user) without the source: a third of the
-- rows, which is what host and user queries read. The service index
-- covers those queries (the key columns come with every index).
CREATE TABLE pairs (
  day         INTEGER NOT NULL,
  service     TEXT NOT NULL,
  host_id     TEXT NOT NULL,
  user        TEXT NOT NULL,
  count       INTEGER NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (day, service, host_id, user)
) WITHOUT ROWID;
CREATE INDEX pairs_service ON pairs(service, day, count, first_seen, last_seen);
CREATE INDEX pairs_host ON pairs(host_id, day);
CREATE INDEX pairs_user ON pairs(user, day);

-- First and last sighting of each (service, host, user) ever (within
-- rollup retention): answers "new this week" and "who started using it".
CREATE TABLE usage (
  service     TEXT NOT NULL,
  host_id     TEXT NOT NULL,
  user        TEXT NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (service, host_id, user)
) WITHOUT ROWID;
CREATE INDEX usage_first ON usage(first_seen);

-- Users seen behind AI sightings (names as agents report them, possibly
-- hashed), numbered for the day sets.
CREATE TABLE users (
  n           INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
);

-- Hosts numbered for the day sets.
CREATE TABLE hosts (
  n        INTEGER PRIMARY KEY,
  host_id  TEXT NOT NULL UNIQUE
);

-- Per UTC day and service: which hosts and users (bitsets over hosts.n
-- and users.n, bit i of byte i/8) and the totals. Distinct hosts and users
-- over any window are the popcount of the OR of its days: exact, and a
-- few kilobytes per day instead of a scan of every rollup row.
CREATE TABLE day_sets (
  day         INTEGER NOT NULL,
  service     TEXT NOT NULL,
  count       INTEGER NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  hosts       BLOB NOT NULL,
  users       BLOB NOT NULL,
  PRIMARY KEY (day, service)
) WITHOUT ROWID;

-- Policy set by an admin for a service; services without a row get the
-- default of their category from the collector's configuration.
CREATE TABLE policies (
  service  TEXT PRIMARY KEY,
  policy   TEXT NOT NULL CHECK (policy IN ('sanctioned', 'unsanctioned', 'under-review')),
  set_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Endpoints: the newest agent of each host. agents stays the table of
-- record (one row per enrollment).
CREATE VIEW endpoints AS
  SELECT a.* FROM agents a
  WHERE a.enrolled_at = (SELECT MAX(b.enrolled_at) FROM agents b WHERE b.host_id = a.host_id);
