-- Search by name or part of an ID number over a whole province (issue 10): indexes made for it,
-- over the current members (`left_on IS NULL`), created and filled here and kept current on every
-- write (SQLite: the triggers below; PostgreSQL: its own index upkeep).
--
-- Names of one or two characters (shorter than a trigram) are found by exact name or prefix,
-- through `member_by_name` (PostgreSQL: `text_pattern_ops`, so that `LIKE 'p%'` uses it in any
-- collation). Longer names and parts of ID numbers of 3 or more characters through trigrams:
-- SQLite's FTS5 `trigram` tokenizer (SQLite 3.34+; contentless with delete, 3.43+: the bundled
-- SQLite is 3.46), PostgreSQL's `pg_trgm` GIN indexes. `CREATE EXTENSION pg_trgm` needs a role
-- allowed to create it (pg_trgm is a trusted extension since PostgreSQL 13: the database's owner
-- may; otherwise a superuser runs `CREATE EXTENSION pg_trgm SCHEMA public` once before the first
-- start); it lives in schema `public`. The advisory lock keeps two stores migrating at once (the
-- tests' schemas) from both creating it. The SQLite index is linked to `member` by its rowid: `VACUUM`
-- and `VACUUM INTO` keep it (tried on SQLite 3.40), though SQLite does not promise so
-- for a table without an INTEGER PRIMARY KEY.
CREATE INDEX member_by_name ON member (name{postgres( text_pattern_ops)}) WHERE left_on IS NULL;
CREATE INDEX member_by_county_name ON member (county, name{postgres( text_pattern_ops)}) WHERE left_on IS NULL;
{postgres(SELECT pg_advisory_xact_lock(7310010);
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE INDEX member_name_trgm ON member USING gin (name public.gin_trgm_ops) WHERE left_on IS NULL;
CREATE INDEX member_id_number_trgm ON member USING gin (id_number public.gin_trgm_ops) WHERE left_on IS NULL;)}
{sqlite(CREATE VIRTUAL TABLE member_search USING fts5(
    name, id_number, content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO member_search (rowid, name, id_number)
    SELECT rowid, name, id_number FROM member WHERE left_on IS NULL;
CREATE TRIGGER member_search_insert AFTER INSERT ON member WHEN new.left_on IS NULL BEGIN
    INSERT INTO member_search (rowid, name, id_number) VALUES (new.rowid, new.name, new.id_number);
END;
CREATE TRIGGER member_search_update AFTER UPDATE OF name, id_number, left_on ON member BEGIN
    DELETE FROM member_search WHERE rowid = old.rowid AND old.left_on IS NULL;
    INSERT INTO member_search (rowid, name, id_number)
        SELECT new.rowid, new.name, new.id_number WHERE new.left_on IS NULL;
END;
CREATE TRIGGER member_search_delete AFTER DELETE ON member WHEN old.left_on IS NULL BEGIN
    DELETE FROM member_search WHERE rowid = old.rowid;
END;)}
