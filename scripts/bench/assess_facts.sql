-- Baseline: the same rules as scripts/bench/assess.sql, in SQL over the one row per household that
-- fupin's own scan reads (the rule facts of migration 4: `people`, `rule_income` as
-- 'YEAR,WAGE,BUSINESS,PROPERTY,TRANSFER,BUSINESS_COST,MEDICAL,EDUCATION,DISASTER,OTHER' in fen,
-- `rule_members` as 'ID:SCHOOL:INSURED;...'), so that SQL and fupin read the same rows.
--   psql "$DATABASE_URL" -v as_of=2020-06-15 -v line=4000 -v mline=5000 -f scripts/bench/assess_facts.sql
\timing on
CREATE TEMP VIEW hh AS
    SELECT h.county, h.status, h.people AS n,
           coalesce(split_part(h.rule_income, ',', 2)::bigint + split_part(h.rule_income, ',', 3)::bigint
                    + split_part(h.rule_income, ',', 4)::bigint + split_part(h.rule_income, ',', 5)::bigint
                    - split_part(h.rule_income, ',', 6)::bigint, 0) AS net,
           coalesce(split_part(h.rule_income, ',', 7)::bigint + split_part(h.rule_income, ',', 8)::bigint
                    + split_part(h.rule_income, ',', 9)::bigint + split_part(h.rule_income, ',', 10)::bigint, 0) AS rigid,
           (NOT h.food OR NOT h.clothing OR h.housing_grade NOT IN ('A', 'B') OR NOT h.water
            OR EXISTS (SELECT 1 FROM unnest(string_to_array(nullif(h.rule_members, ''), ';')) AS m(x)
                       WHERE split_part(m.x, ':', 3) = '0'
                          OR (split_part(m.x, ':', 2) IN ('none', 'dropped_out')
                              AND date_part('year', age(:'as_of'::date, to_date(substr(m.x, 7, 8), 'YYYYMMDD')))
                                  BETWEEN 6 AND 15))) AS guarantee_fails
    FROM household h;
\ir judge.sql
