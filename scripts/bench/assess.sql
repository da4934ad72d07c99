-- Baseline: the whole-registry assessment of `fupin assess --all` written as SQL over the store's
-- PostgreSQL schema (DOMAIN.md §4 exit standard, §7 monitoring), counts by county and in total.
--   psql "$DATABASE_URL" -v as_of=2020-06-15 -v line=4000 -v mline=5000 -f scripts/bench/assess.sql
-- `line` and `mline` are the poverty and monitoring lines (yuan) of the one policy that applies to
-- the benchmark data; money is stored in fen.
\timing on
CREATE TEMP VIEW hh AS
WITH inc AS (
    SELECT DISTINCT ON (county, household_number) county, household_number,
           wage + business + property + transfer - business_cost AS net,
           medical_expense + education_expense + disaster_loss + other_expense AS rigid
    FROM household_income
    ORDER BY county, household_number, year DESC
), mem AS (
    SELECT county, household_number, count(*) AS n,
           bool_and(medical_insurance) AS insured,
           bool_or(school_status IN ('none', 'dropped_out')
                   AND date_part('year', age(:'as_of'::date, to_date(substr(id_number, 7, 8), 'YYYYMMDD')))
                       BETWEEN 6 AND 15) AS out_of_school
    FROM member
    WHERE left_on IS NULL
    GROUP BY county, household_number
)
    SELECT h.county, h.status, coalesce(m.n, 0) AS n, coalesce(i.net, 0) AS net, coalesce(i.rigid, 0) AS rigid,
           (NOT h.food OR NOT h.clothing OR coalesce(m.out_of_school, false) OR NOT coalesce(m.insured, true)
            OR h.housing_grade NOT IN ('A', 'B') OR NOT h.water) AS guarantee_fails
    FROM household h
    LEFT JOIN inc i ON i.county = h.county AND i.household_number = h.number
    LEFT JOIN mem m ON m.county = h.county AND m.household_number = h.number;
\ir judge.sql
