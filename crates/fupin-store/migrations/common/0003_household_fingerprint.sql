-- A digest of the household as last written (HouseholdRecord::fingerprint): an import skips the
-- households of its file whose digest is unchanged without loading them.
ALTER TABLE household ADD COLUMN fingerprint TEXT;
