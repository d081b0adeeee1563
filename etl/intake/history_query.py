"""The history a file is checked against (etl.intake.validate.history): its unit's earlier
reports and the other units' latest ones, for a whole chunk of files in one query each.
"""
import math
from collections import defaultdict

import pyarrow as pa

from etl.domain.periods import Period
from etl.intake.validate import History, Stats

# History is read from shown_facts (the versions shown with «Gồm số liệu chưa duyệt»: newest
# accepted or awaiting review), not from the current_values view: that view joins every stored
# value, which at national scale (16 M values) took seconds per file.
#
# One query serves a whole chunk of files. Each request (a file, by its place `seq` in the chunk)
# must see the database as if the files before it in the chunk were already stored, as when
# files were loaded one at a time. `batch_values` are the values of the chunk's files to be
# stored; `batch_pairs` their unit+period. A row of `xr` (those values, and the stored rows of
# the same unit+period that they replace) is seen by the requests src < seq <= until: from just
# after its file until the next file for its unit+period replaces it.
_HISTORY_CTE = """
WITH base AS (
    SELECT unit_code, period_key, start_date, end_date, indicator_code, value
    FROM shown_facts f
    WHERE in_unreviewed AND NOT EXISTS (SELECT 1 FROM batch_pairs b
                                        WHERE b.unit_code = f.unit_code AND b.period_key = f.period_key)),
xr AS (
    SELECT -1 AS src, b.until, f.unit_code, f.period_key, f.start_date, f.end_date, f.indicator_code, f.value
    FROM shown_facts f
    JOIN (SELECT unit_code, period_key, min(seq) AS until FROM batch_pairs GROUP BY 1, 2) b
      ON b.unit_code = f.unit_code AND b.period_key = f.period_key
    WHERE f.in_unreviewed
    UNION ALL
    SELECT * FROM batch_values)
"""
# The xr rows a request sees (r: requests, x: xr); each query adds what it needs to the join.
_SEES = "x.src < r.seq AND r.seq <= x.until"

_RATE = "CASE WHEN i.kind = 'flow' THEN value / (date_diff('day', start_date, end_date) + 1) ELSE value END"

OWN_SQL = _HISTORY_CTE + f"""
SELECT req, indicator_code, count(*), quantile_cont(r, 0.25), median(r), quantile_cont(r, 0.75)
FROM (SELECT req, indicator_code, {_RATE} AS r
      FROM (SELECT r.seq AS req, b.indicator_code, b.value, b.start_date, b.end_date
            FROM requests r JOIN base b ON b.unit_code = r.unit_code
            WHERE b.period_key <> r.period_key AND b.start_date < r.start_date
            UNION ALL
            SELECT r.seq, x.indicator_code, x.value, x.start_date, x.end_date
            FROM requests r JOIN xr x ON x.unit_code = r.unit_code AND {_SEES}
            WHERE x.period_key <> r.period_key AND x.start_date < r.start_date) o
      JOIN indicators i ON i.code = o.indicator_code)
GROUP BY 1, 2
"""

# The latest population known for the file's unit, used when the file gives none.
POPULATION_SQL = _HISTORY_CTE + f"""
SELECT req, arg_max(value, end_date) FROM (
    SELECT r.seq AS req, b.value, b.end_date FROM requests r JOIN base b ON b.unit_code = r.unit_code
    WHERE b.indicator_code = 'population'
    UNION ALL
    SELECT r.seq, x.value, x.end_date FROM requests r JOIN xr x ON x.unit_code = r.unit_code AND {_SEES}
    WHERE x.indicator_code = 'population')
GROUP BY 1
"""

# One point per other unit: its latest flow rate up to this period's end, per 10,000 residents
# (its latest population). Each request has its own set of points (its own unit left out, the
# chunk's files seen up to it), and quantiles do not merge, so computing them in SQL meant
# aggregating requests × units × indicators rows. Instead: the points of units the chunk does
# not touch are the same for every request with the same period end (SHARED_PEERS_SQL); the
# few points of touched units come per request (OWN_PEERS_SQL); _quantiles merges the two.
_PEER_CTE = _HISTORY_CTE + """,
flows AS (SELECT code FROM indicators WHERE kind = 'flow'),
touched AS (SELECT unit_code FROM requests UNION SELECT unit_code FROM batch_pairs),
base_latest AS (
    SELECT e.end_date AS upto, b.unit_code, b.indicator_code, max(b.end_date) AS end_date,
           arg_max(b.value / (date_diff('day', b.start_date, b.end_date) + 1), b.end_date) AS rate
    FROM (SELECT DISTINCT end_date FROM requests) e JOIN base b ON b.end_date <= e.end_date
    WHERE b.indicator_code IN (SELECT code FROM flows) AND {touched}
    GROUP BY 1, 2, 3),
base_pop AS (
    SELECT unit_code, arg_max(value, end_date) AS population, max(end_date) AS end_date
    FROM base b WHERE indicator_code = 'population' AND value > 0 AND {touched} GROUP BY 1)
"""

SHARED_PEERS_SQL = _PEER_CTE.format(touched="b.unit_code NOT IN (SELECT unit_code FROM touched)") + """
SELECT l.upto, l.indicator_code, l.rate * 10000 / p.population
FROM base_latest l JOIN base_pop p USING (unit_code)
"""

OWN_PEERS_SQL = _PEER_CTE.format(touched="b.unit_code IN (SELECT unit_code FROM touched)") + f""",
latest AS (
    SELECT req, unit_code, indicator_code, arg_max(rate, end_date) AS rate FROM (
        SELECT r.seq AS req, l.unit_code, l.indicator_code, l.rate, l.end_date
        FROM requests r JOIN base_latest l ON l.upto = r.end_date AND l.unit_code <> r.unit_code
        UNION ALL
        SELECT r.seq, x.unit_code, x.indicator_code,
               x.value / (date_diff('day', x.start_date, x.end_date) + 1), x.end_date
        FROM requests r JOIN xr x ON {_SEES} AND x.end_date <= r.end_date
        WHERE x.unit_code <> r.unit_code AND x.indicator_code IN (SELECT code FROM flows))
    GROUP BY 1, 2, 3),
pop AS (
    SELECT req, unit_code, arg_max(population, end_date) AS population FROM (
        SELECT r.seq AS req, p.unit_code, p.population, p.end_date
        FROM requests r JOIN base_pop p ON p.unit_code <> r.unit_code
        UNION ALL
        SELECT r.seq, x.unit_code, x.value, x.end_date FROM requests r JOIN xr x ON {_SEES}
        WHERE x.unit_code <> r.unit_code AND x.indicator_code = 'population' AND x.value > 0)
    GROUP BY 1, 2)
SELECT l.req, l.indicator_code, l.rate * 10000 / p.population
FROM latest l JOIN pop p USING (req, unit_code)
"""


def _quantile(xs: list[float], q: float) -> float:
    """quantile_cont, as DuckDB computes it (so the findings match the SQL they replace)."""
    pos = (len(xs) - 1) * q
    lo = math.floor(pos)
    return xs[lo] if lo == pos else xs[lo] + (xs[lo + 1] - xs[lo]) * (pos - lo)


def _peer_stats(shared: list[float], extra: list[float]) -> Stats:
    xs = sorted(shared + extra) if extra else shared
    return Stats(len(xs), _quantile(xs, 0.25), _quantile(xs, 0.5), _quantile(xs, 0.75))


_DAY = pa.date32()


def fetch_histories(con, requests: list[tuple[int, str, Period]],
                    stored: list[tuple[int, str, Period, list]] = ()) -> dict[int, History]:
    """History for each request (seq, unit_code, period), seeing the files `stored` before it.

    stored: (seq, unit_code, period, values) of the chunk's files that will be stored, in order.
    """
    if not requests:
        return {}
    until, last = {}, {}                # seq -> the seq of the next file for its unit+period
    for q, u, p, _ in reversed(stored):
        until[q] = last.get((u, p.key), 2**31 - 1)
        last[(u, p.key)] = q
    tables = {
        "requests": pa.table({
            "seq": pa.array([q for q, _, _ in requests], pa.int32()),
            "unit_code": pa.array([u for _, u, _ in requests], pa.string()),
            "period_key": pa.array([p.key for _, _, p in requests], pa.string()),
            "start_date": pa.array([p.start for _, _, p in requests], _DAY),
            "end_date": pa.array([p.end for _, _, p in requests], _DAY)}),
        "batch_pairs": pa.table({
            "seq": pa.array([q for q, _, _, _ in stored], pa.int32()),
            "unit_code": pa.array([u for _, u, _, _ in stored], pa.string()),
            "period_key": pa.array([p.key for _, _, p, _ in stored], pa.string())}),
        "batch_values": pa.table({
            "src": pa.array([q for q, _, _, vs in stored for _ in vs], pa.int32()),
            "until": pa.array([until[q] for q, _, _, vs in stored for _ in vs], pa.int32()),
            "unit_code": pa.array([u for _, u, _, vs in stored for _ in vs], pa.string()),
            "period_key": pa.array([p.key for _, _, p, vs in stored for _ in vs], pa.string()),
            "start_date": pa.array([p.start for _, _, p, vs in stored for _ in vs], _DAY),
            "end_date": pa.array([p.end for _, _, p, vs in stored for _ in vs], _DAY),
            "indicator_code": pa.array([v.indicator_code for *_, vs in stored for v in vs], pa.string()),
            "value": pa.array([float(v.value) for *_, vs in stored for v in vs], pa.float64())}),
    }
    for name, table in tables.items():
        con.register(name, table)
    try:
        own = con.execute(OWN_SQL).fetchall()
        population = dict(con.execute(POPULATION_SQL).fetchall())
        shared_rows = con.execute(SHARED_PEERS_SQL).fetchall()
        extra_rows = con.execute(OWN_PEERS_SQL).fetchall()
    finally:
        for name in tables:
            con.unregister(name)
    out = {q: History({}, {}, population.get(q)) for q, _, _ in requests}
    for q, code, n, q1, med, q3 in own:
        out[q].own[code] = Stats(n, q1, med, q3)
    shared, extra = defaultdict(list), defaultdict(list)
    shared_codes, extra_codes = defaultdict(set), defaultdict(set)
    for upto, code, point in shared_rows:
        shared[(upto, code)].append(point)
        shared_codes[upto].add(code)
    for points in shared.values():
        points.sort()
    for q, code, point in extra_rows:
        extra[(q, code)].append(point)
        extra_codes[q].add(code)
    for q, _, period in requests:
        for code in shared_codes[period.end] | extra_codes[q]:
            out[q].peers[code] = _peer_stats(shared.get((period.end, code), []),
                                             extra.get((q, code), []))
    return out


def fetch_history(con, unit_code: str, period: Period) -> History:
    return fetch_histories(con, [(0, unit_code, period)])[0]
