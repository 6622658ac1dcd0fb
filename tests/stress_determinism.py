"""Stress script (not a test): do the KPIs and the queries give the same results on every run?

    .venv/bin/python tests/stress_determinism.py --data tiny --rounds 30
    .venv/bin/python tests/stress_determinism.py --data /tmp/s3demo --rounds 10 --queries
    .venv/bin/python tests/stress_determinism.py --data tiny --threads 1     # the single-threaded control
    .venv/bin/python tests/stress_determinism.py --data /tmp/s3demo --rounds 1 --queries --save /tmp/before.pkl
    .venv/bin/python tests/stress_determinism.py --data /tmp/s3demo --rounds 1 --queries --compare /tmp/before.pkl
    .venv/bin/python tests/stress_determinism.py --data /tmp/s3demo --time 15     # ms per query, warm databases

Each round clears the database cache (dashboard.engine.db.DATABASES), so every round builds fresh databases,
then computes compute_kpis for every period and scope in the scope's own database and in the `all` database,
and (with --queries) runs every queries/*.sql. Every result is compared exactly with the first round's; the KPI
table of a scope's own database is also compared with the `all` database's. It prints which KPI ids / columns
and which queries varied (in value, or only in row order) and how often; exit 1 when anything varied.
Run two copies at once to see more of the variance (the threads then compete for the cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import pickle
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
for _p in (str(ROOT), str(ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from dashboard.engine import db  # noqa: E402
from dashboard.engine.kpis import NOT_READY_THRESHOLD, READY_THRESHOLD, compute_kpis  # noqa: E402
from dashboard.engine.pace import series_week_ends  # noqa: E402
from dashboard.engine.query import bind, load_sql, run_query  # noqa: E402
from dashboard.period import Period  # noqa: E402
from dashboard.scope import Scope  # noqa: E402

TINY_PERIODS = [Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)), Period(dt.date(2026, 2, 23), dt.date(2026, 3, 1))]
DEMO_PERIODS = [
    Period(dt.date(2026, 11, 23), dt.date(2026, 11, 29)),  # a week
    Period(dt.date(2026, 11, 2), dt.date(2026, 11, 29)),  # 4 weeks
    Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30)),  # a quarter (edge days on both sides)
    Period(dt.date(2026, 1, 1), dt.date(2026, 11, 30)),  # year to date
]


def set_threads(threads: int) -> None:
    """Every database built from now on gets `threads` threads (the default argument of hardened_connection)."""
    defaults = list(db.hardened_connection.__defaults__)
    defaults[0] = threads
    db.hardened_connection.__defaults__ = tuple(defaults)


def scopes_of(base: Path, limit: int) -> list[Scope]:
    agencies = pl.read_parquet(base / "curated" / "agencies.parquet")
    provinces = sorted(p for p in agencies["province_code"].unique().to_list() if p is not None)[:limit]
    central = sorted(agencies.filter(pl.col("province_code").is_null())["agency_id"].to_list())[: max(1, limit // 2)]
    local = sorted(agencies.filter(pl.col("province_code").is_not_null())["agency_id"].to_list())[: max(1, limit // 2)]
    return [Scope(), *(Scope("province", p) for p in provinces), *(Scope("agency", a) for a in central + local)]


def query_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "queries").glob("*.sql") if not p.stem.startswith("_"))


def query_params(base: Path, period: Period, scope: Scope) -> dict:
    params = {
        **period.params(),
        **scope.params(),
        "lang": "vi",
        "limit": 10,
        "role": "provider",
        "search": "",
        "minutes_per_dossier": 15.0,
        "ready_threshold": READY_THRESHOLD,
        "not_ready_threshold": NOT_READY_THRESHOLD,
        "trend_start": min(period.start, period.end - dt.timedelta(days=83)),
        "week_ends": series_week_ends(period.end),  # the pace queries' weeks, as engine/pace.py gives them
        "dataset_id": "",
        "item_id": "",
    }
    datasets = run_query(base, scope, "sharing_datasets", params)
    if datasets.height:
        params["dataset_id"] = sorted(datasets["dataset_id"].to_list())[0]
    items = run_query(base, scope, "roadmap_timeline", params)
    if items.height:
        params["item_id"] = sorted(items["item_id"].to_list())[0]
    return params


def differing_columns(a: pl.DataFrame, b: pl.DataFrame, key: str) -> list[str]:
    """For two KPI tables: 'kpi_id.column' for every cell that is not exactly equal."""
    out = []
    joined = a.join(b, on=key, how="full", suffix="_b", nulls_equal=True)
    for col in a.columns:
        if col == key:
            continue
        for kpi, x, y in joined.select(key, col, f"{col}_b").iter_rows():
            if not (x == y or (x is None and y is None)):
                out.append(f"{kpi}.{col}")
    return out


def one_round(base: Path, periods, scopes, with_queries: bool, params_cache: dict) -> dict:
    db.DATABASES.clear()
    results = {}
    for period in periods:
        for scope in scopes:
            for where in ("own", "all"):
                database_scope = None if where == "own" else Scope()
                results[("kpis", str(period), scope.key, where)] = compute_kpis(
                    base, period, scope, database_scope=database_scope
                )
    if with_queries:
        for period in periods:
            for scope in scopes:
                key = (str(period), scope.key)
                if key not in params_cache:
                    params_cache[key] = query_params(base, period, scope)
                params = params_cache[key]
                for name in query_names():
                    sql = load_sql(name)
                    results[("query", name, str(period), scope.key)] = run_query(base, scope, name, bind(sql, params))
    return results


def close_enough(a: pl.DataFrame, b: pl.DataFrame, rel: float = 1e-12) -> str | None:
    """None when the frames hold the same rows (in any order among rows that tie), floats within `rel`
    relative and everything else exactly equal; else what differs."""
    if a.columns != b.columns or a.dtypes != b.dtypes or a.height != b.height:
        return f"shape {a.schema} {a.height} vs {b.schema} {b.height}"
    exact = [c for c, t in a.schema.items() if not t.is_float()]
    if exact:
        a, b = a.sort(exact, nulls_last=True, maintain_order=True), b.sort(exact, nulls_last=True, maintain_order=True)
    for col, dtype in a.schema.items():
        for x, y in zip(a[col].to_list(), b[col].to_list(), strict=True):
            if dtype.is_float() and x is not None and y is not None:
                if not (x == y or math.isclose(x, y, rel_tol=rel, abs_tol=0.0)):
                    return f"{col}: {x!r} vs {y!r}"
            elif x != y:
                return f"{col}: {x!r} vs {y!r}"
    return None


def time_queries(base: Path, periods, scopes, reps: int) -> None:
    """Per query (and compute_kpis): the least time of `reps` runs, summed over the periods and scopes, in ms."""
    params_cache: dict = {}
    totals: Counter[str] = Counter()
    for period in periods:
        for scope in scopes:
            params = params_cache.setdefault((str(period), scope.key), query_params(base, period, scope))
            for name in query_names():
                bound = bind(load_sql(name), params)
                best = math.inf
                for _ in range(reps):
                    t0 = time.perf_counter()
                    run_query(base, scope, name, bound)
                    best = min(best, time.perf_counter() - t0)
                totals[name] += best * 1000
            best = math.inf
            for _ in range(reps):
                t0 = time.perf_counter()
                compute_kpis(base, period, scope)
                best = min(best, time.perf_counter() - t0)
            totals["compute_kpis"] += best * 1000
    n = len(periods) * len(scopes)
    print(f"least of {reps} runs, mean over {n} (period, scope) pairs, ms")
    for name, ms in sorted(totals.items()):
        print(f"  {name:40s} {ms / n:8.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="tiny", help="'tiny' (tests/tiny_fixture.py) or a data dir")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--threads", type=int, default=db.THREADS)
    ap.add_argument("--scopes", type=int, default=4, help="provinces (and agencies) to take per kind on real data")
    ap.add_argument("--queries", action="store_true", help="also run every queries/*.sql")
    ap.add_argument("--save", type=Path, help="pickle the first round's results to this file")
    ap.add_argument("--compare", type=Path, help="compare the first round with a --save file (1e-12 relative)")
    ap.add_argument("--time", type=int, metavar="REPS", help="only time every query and compute_kpis")
    args = ap.parse_args(argv)
    set_threads(args.threads)
    if args.data == "tiny":
        from tiny_fixture import write_tiny

        base = Path(tempfile.mkdtemp(prefix="tiny-"))
        write_tiny(base)
        periods = TINY_PERIODS
    else:
        base = Path(args.data)
        periods = DEMO_PERIODS
    scopes = scopes_of(base, args.scopes)
    if args.time:
        time_queries(base, periods, scopes, args.time)
        return 0
    kpi_cells: Counter[str] = Counter()  # run to run, per kpi_id.column
    scope_cells: Counter[str] = Counter()  # own database vs `all` database, per kpi_id.column
    query_values: Counter[str] = Counter()
    query_order: Counter[str] = Counter()
    params_cache: dict = {}
    first = None
    t0 = time.perf_counter()
    for r in range(args.rounds):
        res = one_round(base, periods, scopes, args.queries, params_cache)
        for key, frame in res.items():
            if key[0] == "kpis" and key[3] == "own":
                other = res[(*key[:3], "all")]
                for cell in differing_columns(frame, other, "kpi_id"):
                    scope_cells[cell] += 1
        if first is None:
            first = res
            if args.save:
                args.save.write_bytes(pickle.dumps({k: v.to_dict(as_series=False) for k, v in res.items()}))
                args.save.with_suffix(".schema").write_bytes(pickle.dumps({k: v.schema for k, v in res.items()}))
            if args.compare:
                saved = pickle.loads(args.compare.read_bytes())
                schemas = pickle.loads(args.compare.with_suffix(".schema").read_bytes())
                changed = 0
                for key, frame in res.items():
                    what = close_enough(frame, pl.DataFrame(saved[key], schema=schemas[key]))
                    if what:
                        changed += 1
                        print(f"CHANGED {key}: {what}")
                print(f"compared {len(res)} results with {args.compare}: {changed} changed")
            continue
        for key, frame in res.items():
            ref = first[key]
            if frame.equals(ref, null_equal=True):
                continue
            if key[0] == "kpis":
                for cell in differing_columns(frame, ref, "kpi_id"):
                    kpi_cells[cell] += 1
            elif frame.sort(frame.columns, nulls_last=True).equals(
                ref.sort(ref.columns, nulls_last=True), null_equal=True
            ):
                query_order[key[1]] += 1
            else:
                query_values[key[1]] += 1
        print(f"round {r + 1}/{args.rounds} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    print(f"data {base}, threads {args.threads}, {args.rounds} rounds, {len(periods)} periods x {len(scopes)} scopes")
    for title, counter in (
        ("KPI cells varying run to run (kpi_id.column: times)", kpi_cells),
        ("KPI cells differing between a scope's own database and `all` (times)", scope_cells),
        ("queries varying in value (times)", query_values),
        ("queries varying only in row order (times)", query_order),
    ):
        print(f"{title}:", "none" if not counter else "")
        for name, n in sorted(counter.items()):
            print(f"  {name}: {n}")
    return 1 if kpi_cells or scope_cells or query_values or query_order else 0


if __name__ == "__main__":
    sys.exit(main())
