"""What the dashboards show, kept materialised: flags on submissions and the table shown_facts.

A unit and period shows its newest accepted version by default, and with «Gồm số liệu chưa duyệt»
its newest accepted or awaiting review one; a returned version never shows. Choosing those
versions among millions of values at every page query took seconds, so every writer of
submissions refreshes the pairs it changed, inside its own transaction.
"""
import pyarrow as pa

from etl.warehouse import db


def refresh_shown(con, pairs=None, weights: bool = True) -> None:
    """Recompute which versions the dashboards show, and their values in shown_facts.

    pairs: the (unit_code, period_key) pairs whose submissions changed (new version, review), as
    tuples or an Arrow table of those two columns; None for everything.
    """
    if pairs is None:
        scope = "true"
    else:
        if not isinstance(pairs, pa.Table):
            pairs = sorted(set(pairs))
            pairs = pa.table({"unit_code": pa.array([u for u, _ in pairs], pa.string()),
                              "period_key": pa.array([p for _, p in pairs], pa.string())})
        if not pairs.num_rows:
            return
        db.stage(con, "changed_pairs", pairs)
        db.record_change(con, "pairs", pairs)
        # The pairs' submissions once, then by id: matching the pairs inside the INSERT's join
        # of every value took 14 s instead of 10 for the national data (564,570 pairs).
        con.execute("DROP TABLE IF EXISTS shown_scope")
        con.execute("CREATE TEMP TABLE shown_scope AS SELECT submission_id "
                    "FROM submissions s WHERE EXISTS (SELECT 1 FROM changed_pairs c "
                    "WHERE c.unit_code = s.unit_code AND c.period_key = s.period_key)")
        scope = "s.submission_id IN (SELECT submission_id FROM shown_scope)"
    con.execute(f"""
        UPDATE submissions t SET shown_accepted = f.acc, shown_unreviewed = f.unrev
        FROM (SELECT submission_id,
                     status = 'accepted' AND row_number() OVER (
                         PARTITION BY unit_code, period_key, status = 'accepted'
                         ORDER BY version DESC) = 1 AS acc,
                     status IN ('accepted', 'submitted') AND row_number() OVER (
                         PARTITION BY unit_code, period_key, status IN ('accepted', 'submitted')
                         ORDER BY version DESC) = 1 AS unrev
              FROM submissions s WHERE {scope}) f
        WHERE t.submission_id = f.submission_id
          AND (t.shown_accepted IS DISTINCT FROM f.acc OR t.shown_unreviewed IS DISTINCT FROM f.unrev)""")
    # By submission (etl.warehouse.store.delete_submissions removes the facts of the
    # submissions it deletes itself).
    con.execute("DELETE FROM shown_facts" if pairs is None else
                "DELETE FROM shown_facts WHERE submission_id IN (SELECT submission_id FROM shown_scope)")
    # Sorted so that a query skips the row groups it does not need (see shown_facts' comment in
    # etl.warehouse.migrations).
    con.execute(f"""
        INSERT INTO shown_facts
        SELECT s.unit_code, s.period_key, p.kind, p.start_date, p.end_date, v.indicator_code,
               v.value, s.submission_id, s.status, s.source, s.shown_accepted, s.shown_unreviewed
        FROM submission_values v
        JOIN submissions s USING (submission_id)
        JOIN periods p USING (period_key)
        WHERE (s.shown_accepted OR s.shown_unreviewed) AND {scope}
        ORDER BY p.kind, CASE WHEN p.kind = 'month' THEN left(s.period_key, 4) END,
                 CASE WHEN p.kind = 'month' THEN v.indicator_code END, s.period_key, v.indicator_code""")
    if pairs is not None:
        con.execute("DROP TABLE shown_scope")
    if weights:            # (migration 2 runs before lineage_weights exists)
        refresh_weights(con)


def refresh_weights(con) -> None:
    """Recompute lineage_weights from the populations the dashboards now show (see its comment
    in etl.warehouse.migrations): a few thousand rows, so always all of them."""
    con.execute("DELETE FROM lineage_weights")
    con.execute("""
        INSERT INTO lineage_weights
        WITH pop AS (
            SELECT DISTINCT ON (u.unreviewed, f.unit_code) u.unreviewed, f.unit_code,
                   f.value AS population
            FROM shown_facts f
            CROSS JOIN (VALUES (false), (true)) u(unreviewed)
            WHERE f.indicator_code = 'population'
              AND CASE WHEN u.unreviewed THEN f.in_unreviewed ELSE f.in_accepted END
              AND f.unit_code IN (SELECT new_code FROM unit_lineage WHERE share = 'partial')
            ORDER BY u.unreviewed, f.unit_code, f.end_date DESC),
        l AS (
            SELECT u.unreviewed, l.new_code, l.old_code, l.share, p.population,
                   count(p.population) OVER o = count(*) OVER o
                       AND sum(p.population) OVER o > 0 AS by_population,
                   sum(p.population) OVER o AS total, count(*) OVER o AS n
            FROM unit_lineage l CROSS JOIN (VALUES (false), (true)) u(unreviewed)
            LEFT JOIN pop p ON p.unreviewed = u.unreviewed AND p.unit_code = l.new_code
            WINDOW o AS (PARTITION BY u.unreviewed, l.old_code))
        SELECT unreviewed, new_code, old_code, share,
               CASE WHEN share = 'full' THEN 1.0 WHEN by_population THEN population / total
                    ELSE 1.0 / n END::DOUBLE,
               CASE WHEN share = 'full' THEN 'full' WHEN by_population THEN 'population'
                    ELSE 'equal' END
        FROM l""")
