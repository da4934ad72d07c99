-- A household's pairings by its number alone (the household page, the assistance card's paired
-- cadre, `pairings_of_household`): without it each such read scanned the whole `pairing` table,
-- whose key starts with the county. The same text serves SQLite and PostgreSQL.
CREATE INDEX IF NOT EXISTS pairing_by_household ON pairing (household_number);
