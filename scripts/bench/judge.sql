-- The judging part of both SQL baselines (scripts/bench/assess.sql, assess_facts.sql), over the
-- temporary view `hh` each of them defines: one row per household with county, status, people `n`,
-- net income `net` and rigid expenses `rigid` in fen, and `guarantee_fails`.
WITH judged AS (
    SELECT county, status, n,
           CASE WHEN status IN ('poor', 'returned')
                THEN net > :line * 100 * n AND NOT guarantee_fails END AS exit_meets,
           CASE WHEN status NOT IN ('exited', 'non_poor') THEN NULL
                WHEN net < :mline * 100 * n OR guarantee_fails
                    THEN CASE status WHEN 'exited' THEN 'unstable' ELSE 'marginal' END
                WHEN net - rigid < :mline * 100 * n THEN 'sudden_hardship'
                ELSE 'none' END AS monitoring
    FROM hh
)
SELECT coalesce(county, 'all') AS area,
       count(*) FILTER (WHERE status = 'poor') AS poor_h, coalesce(sum(n) FILTER (WHERE status = 'poor'), 0) AS poor_p,
       count(*) FILTER (WHERE status = 'exited') AS exited_h, coalesce(sum(n) FILTER (WHERE status = 'exited'), 0) AS exited_p,
       count(*) FILTER (WHERE status = 'returned') AS returned_h, coalesce(sum(n) FILTER (WHERE status = 'returned'), 0) AS returned_p,
       count(*) FILTER (WHERE status = 'removed') AS removed_h, coalesce(sum(n) FILTER (WHERE status = 'removed'), 0) AS removed_p,
       count(*) FILTER (WHERE exit_meets) AS meets_h, coalesce(sum(n) FILTER (WHERE exit_meets), 0) AS meets_p,
       count(*) FILTER (WHERE monitoring = 'unstable') AS unstable_h, coalesce(sum(n) FILTER (WHERE monitoring = 'unstable'), 0) AS unstable_p,
       count(*) FILTER (WHERE monitoring = 'marginal') AS marginal_h, coalesce(sum(n) FILTER (WHERE monitoring = 'marginal'), 0) AS marginal_p,
       count(*) FILTER (WHERE monitoring = 'sudden_hardship') AS sudden_h, coalesce(sum(n) FILTER (WHERE monitoring = 'sudden_hardship'), 0) AS sudden_p
FROM judged
GROUP BY GROUPING SETS ((county), ())
ORDER BY area;
