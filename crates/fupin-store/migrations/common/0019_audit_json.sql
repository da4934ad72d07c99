-- PostgreSQL: the audit log's before and after values as `json` (their text, kept as written)
-- rather than `jsonb` (issue 16). Nothing queries inside them (they are read back whole: a
-- household's history, `fupin audit verify`, which hashes the values parsed, not their text), and
-- converting every entry's value to `jsonb` was the largest single cost of an import: `COPY` of
-- 100,000 new households' entries 6.5 s as `jsonb`, 3.3 s as `json` (docs/PERFORMANCE.md). Values
-- bound as `jsonb` by other writes are converted by PostgreSQL's assignment cast. Rewrites the
-- table once (minutes for a province's log). SQLite keeps its text: nothing to do.
{postgres(ALTER TABLE audit_log ALTER COLUMN before_json TYPE json USING before_json::json,
    ALTER COLUMN after_json TYPE json USING after_json::json;)}
{sqlite(SELECT 1;)}
