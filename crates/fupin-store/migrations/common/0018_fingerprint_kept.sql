-- The stored fingerprint of a household (migration 3) made trustworthy, so that a re-import skips
-- an unchanged household by comparing it, without loading the household (issue 16): any change to a
-- household's row, members or income made outside fupin's registry writes clears it, and a household
-- without one is loaded and compared in full (issue 15.4: a row edited behind fupin's back must be
-- seen as changed by a re-import). fupin's registry writes set the fingerprint themselves and mark
-- their transaction (SQLite: a row in `fupin_write`, deleted before the commit, that no other
-- connection ever sees; PostgreSQL: the transaction's setting `fupin.write`), which the triggers
-- skip. Other writes (a monitoring decision, SQL by hand) clear it. The fingerprints stored before
-- this migration were not kept this way: they are cleared, and the next import of each household
-- compares it in full and stores its fingerprint again.
UPDATE household SET fingerprint = NULL WHERE fingerprint IS NOT NULL;
{sqlite(CREATE TABLE fupin_write (one INTEGER NOT NULL PRIMARY KEY);
CREATE TRIGGER member_unprint_insert AFTER INSERT ON member
WHEN NOT EXISTS (SELECT 1 FROM fupin_write) BEGIN
    UPDATE household SET fingerprint = NULL
    WHERE county = new.county AND number = new.household_number AND fingerprint IS NOT NULL;
END;
CREATE TRIGGER member_unprint_update AFTER UPDATE ON member
WHEN NOT EXISTS (SELECT 1 FROM fupin_write) BEGIN
    UPDATE household SET fingerprint = NULL WHERE fingerprint IS NOT NULL
    AND ((county = old.county AND number = old.household_number)
      OR (county = new.county AND number = new.household_number));
END;
CREATE TRIGGER member_unprint_delete AFTER DELETE ON member
WHEN NOT EXISTS (SELECT 1 FROM fupin_write) BEGIN
    UPDATE household SET fingerprint = NULL
    WHERE county = old.county AND number = old.household_number AND fingerprint IS NOT NULL;
END;
CREATE TRIGGER income_unprint_insert AFTER INSERT ON household_income
WHEN NOT EXISTS (SELECT 1 FROM fupin_write) BEGIN
    UPDATE household SET fingerprint = NULL
    WHERE county = new.county AND number = new.household_number AND fingerprint IS NOT NULL;
END;
CREATE TRIGGER income_unprint_update AFTER UPDATE ON household_income
WHEN NOT EXISTS (SELECT 1 FROM fupin_write) BEGIN
    UPDATE household SET fingerprint = NULL WHERE fingerprint IS NOT NULL
    AND ((county = old.county AND number = old.household_number)
      OR (county = new.county AND number = new.household_number));
END;
CREATE TRIGGER income_unprint_delete AFTER DELETE ON household_income
WHEN NOT EXISTS (SELECT 1 FROM fupin_write) BEGIN
    UPDATE household SET fingerprint = NULL
    WHERE county = old.county AND number = old.household_number AND fingerprint IS NOT NULL;
END;
CREATE TRIGGER household_unprint AFTER UPDATE ON household
WHEN new.fingerprint IS old.fingerprint AND new.fingerprint IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM fupin_write) BEGIN
    UPDATE household SET fingerprint = NULL WHERE county = new.county AND number = new.number;
END;)}
{postgres(CREATE FUNCTION fupin_unprint_details() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE household SET fingerprint = NULL
        WHERE county = OLD.county AND number = OLD.household_number AND fingerprint IS NOT NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE household SET fingerprint = NULL
        WHERE county = NEW.county AND number = NEW.household_number AND fingerprint IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER member_unprint AFTER INSERT OR UPDATE OR DELETE ON member FOR EACH ROW
WHEN (current_setting('fupin.write', true) IS DISTINCT FROM 'on')
EXECUTE FUNCTION fupin_unprint_details();
CREATE TRIGGER income_unprint AFTER INSERT OR UPDATE OR DELETE ON household_income FOR EACH ROW
WHEN (current_setting('fupin.write', true) IS DISTINCT FROM 'on')
EXECUTE FUNCTION fupin_unprint_details();
CREATE FUNCTION fupin_unprint_household() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.fingerprint := NULL;
    RETURN NEW;
END $$;
CREATE TRIGGER household_unprint BEFORE UPDATE ON household FOR EACH ROW
WHEN (NEW.fingerprint IS NOT DISTINCT FROM OLD.fingerprint AND NEW.fingerprint IS NOT NULL
      AND current_setting('fupin.write', true) IS DISTINCT FROM 'on')
EXECUTE FUNCTION fupin_unprint_household();)}
