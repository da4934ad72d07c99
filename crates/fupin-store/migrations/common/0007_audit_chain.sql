-- The tamper-evident audit log (issue 15.4). Every entry is chained to the one before it: `seq` is its
-- place in the chain, `hash` the SHA-256 of the previous entry's hash and of this entry's canonical
-- content (`fupin_store::audit`), and `state` the fingerprint of a household as the entry left it.
-- The chain is sealed in Rust as each write transaction commits (SQL cannot hash on both backends);
-- the entries written before this migration are sealed, in id order, when the database is next
-- opened. `audit_head` holds the last link, so that deleting the newest entries shows too.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
ALTER TABLE audit_log ADD COLUMN state TEXT;
CREATE INDEX audit_by_seq ON audit_log (seq);
CREATE INDEX audit_unsealed ON audit_log (id) WHERE hash IS NULL;
CREATE TABLE audit_head (
    one INTEGER NOT NULL PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (one, seq, hash) VALUES (1, 0, '');
-- A household's last entry before the chain carries the fingerprint its row was last written with.
UPDATE audit_log SET state = (
    SELECT h.fingerprint FROM household h
    WHERE h.county = audit_log.county AND h.number = audit_log.entity_key
)
WHERE entity = 'household' AND id = (
    SELECT MAX(a.id) FROM audit_log a
    WHERE a.county = audit_log.county AND a.entity = 'household' AND a.entity_key = audit_log.entity_key
);
