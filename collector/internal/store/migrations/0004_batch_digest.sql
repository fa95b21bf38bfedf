-- The content digest an agent gives each batch (Batch.digest), kept with
-- the batch's idempotency key. A sequence number alone cannot tell a
-- re-send from new sightings under a reused number (an agent state
-- directory restored from a backup); the digest can. NULL for batches of
-- agents that predate it. The index finds a re-send under another number.
ALTER TABLE batches ADD COLUMN digest BLOB;
CREATE INDEX batches_digest ON batches(agent_id, digest) WHERE digest IS NOT NULL;
