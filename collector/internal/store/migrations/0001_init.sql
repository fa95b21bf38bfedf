-- Enrollment tokens: only the SHA-256 of the secret is kept.
CREATE TABLE tokens (
  hash        BLOB PRIMARY KEY,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  agent_id    TEXT
) WITHOUT ROWID;

-- One row per enrolled agent (endpoint).
CREATE TABLE agents (
  id              TEXT PRIMARY KEY,
  host_id         TEXT NOT NULL,
  hostname        TEXT NOT NULL,
  os              TEXT NOT NULL,
  agent_version   TEXT NOT NULL,
  cert_serial     TEXT NOT NULL,
  cert_not_after  INTEGER NOT NULL,
  enrolled_at     INTEGER NOT NULL,
  last_seen       INTEGER,
  last_heartbeat  INTEGER,
  health          TEXT,
  revoked_at      INTEGER
) WITHOUT ROWID;
CREATE INDEX agents_host ON agents(host_id);

-- Committed batches, the idempotency key of ingest.
CREATE TABLE batches (
  agent_id     TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  received_at  INTEGER NOT NULL,
  sightings    INTEGER NOT NULL,
  dropped      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (agent_id, seq)
) WITHOUT ROWID;

-- Raw sightings as the agents sent them. Times are Unix nanoseconds.
CREATE TABLE sightings (
  id              INTEGER PRIMARY KEY,
  agent_id        TEXT NOT NULL,
  host_id         TEXT NOT NULL,
  hostname        TEXT NOT NULL,
  first_seen      INTEGER NOT NULL,
  last_seen       INTEGER NOT NULL,
  count           INTEGER NOT NULL,
  source          TEXT NOT NULL,
  domain          TEXT NOT NULL,
  service         TEXT NOT NULL,
  user            TEXT NOT NULL,
  pid             INTEGER NOT NULL,
  exe             TEXT NOT NULL,
  process         TEXT NOT NULL,
  src_ip          TEXT NOT NULL,
  dst_ip          TEXT NOT NULL,
  dst_port        INTEGER NOT NULL,
  catalog_version TEXT NOT NULL,
  attrs           TEXT NOT NULL
);
CREATE INDEX sightings_service_time ON sightings(service, last_seen);
CREATE INDEX sightings_time ON sightings(last_seen);

-- The catalog's services, so queries can show vendor, category and risk.
CREATE TABLE services (
  id        TEXT PRIMARY KEY,
  name      TEXT NOT NULL,
  vendor    TEXT NOT NULL,
  category  TEXT NOT NULL,
  risk      INTEGER NOT NULL
) WITHOUT ROWID;

-- Published signature bundles; exactly one is current once any is
-- published. content is the exact signed document.
CREATE TABLE bundles (
  version       TEXT PRIMARY KEY,
  sha256        TEXT NOT NULL,
  content       BLOB NOT NULL,
  signature     BLOB NOT NULL,
  public_key    BLOB NOT NULL,
  published_at  INTEGER NOT NULL,
  current       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE UNIQUE INDEX bundles_one_current ON bundles(current) WHERE current = 1;
