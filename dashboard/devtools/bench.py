"""Benchmark: how fast each page's queries are, against the same SQL on the raw daily Parquet.

`python -m dashboard bench [--scale K] [--data-dir DIR] [--scopes all,province:HNI] [--period last_4_weeks]`

Data: `--data-dir` if given, else `/tmp/dashboard-bench-scale-K`, generated with the demo generator
at scale K when it holds no curated data; rollups missing or stale are rebuilt first (timed).

Pages: the overview and every page under `pages/leaders/`; a page's queries are found by reading its
source for `ui.query("name", ...)` (keyword arguments with literal values are used as written, others
get a default: see `DEFAULTS`) and `ui.kpis(` (the KPI table: current and comparison period).

Per page and scope it reports, in seconds:
* `cold`: the page's queries right after start: the database cache (`dashboard.engine.db.DATABASES`) and the
  UI's result caches (st.cache_data, st.cache_resource) cleared, so this includes building the scope's database;
* `warm`: the same again through the UI's cache (what a leader waits for on a rerun);
* `engine_warm`: the same again straight to the engine (database built, no result cache);
* `baseline`: the same SQL in a fresh plain DuckDB connection over the raw daily Parquet (the
  daily-only versions of the queries that read rollups, tests/rollup_reference/), scope by
  parameters, no rollups, no scope database; and `ratio` = baseline / cold;
* `rss_mib`: the process's resident memory after the page; the peak is reported once.

Fresh processes (issue 11): for each scope a new Python process builds the `all` database (`start_s`: what the
server does when it starts, `serve` warms it), then the scope's database (`build_s`, 0 for `all`), then runs each
page's queries once (`fresh_cold_s`, no cache of any kind; `first_page_s` = build + the overview) and again
(`fresh_engine_warm_s`).  `province:smallest` names the province with the fewest exchange rows.  Another process
builds `all` and every province's database, with its KPI table, one after another: the time and the peak memory
of a server that 34 provincial leaders have opened (`provinces`).  With `--compare-data-dir` (the same demo at a
smaller scale) the fresh measures run there too and each cold time is divided by its counterpart (`growth`).

Then: app start to first overview (a fresh process running app.py through Streamlit's AppTest on the
data dir, until the overview has rendered) and, if `python -m dashboard snapshot` exists, the
snapshot of the last complete week (a fresh process).  `--json PATH` writes everything as JSON.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from dashboard.config import PAGES_DIR, QUERIES_DIR, ROOT, curated_dir, table_files
from dashboard.data.contract import LOAD_ORDER
from dashboard.data.io import curated_select_sql
from dashboard.data.rollups import ROLLUPS, build_rollups, rollup_state
from dashboard.data.scope_files import refresh_scope_files
from dashboard.engine.db import empty_table_sql
from dashboard.period import Period, iso_week, preset_period
from dashboard.scope import Scope

REFERENCE_DIR = ROOT / "tests" / "rollup_reference"
DEFAULTS = {"limit": 10, "role": "provider", "search": "", "minutes_per_dossier": 15.0}
# Issue 11's targets: cold page (fresh process, database build included) 0.5 s, engine-warm 0.1 s, growth from
# scale 10 to 100 at most 1.5x, 2 GiB with every province built, app start 2.5 s, snapshot 30 s.
TARGETS = {
    "cold_s": 0.5,
    "warm_s": 0.2,
    "engine_warm_s": 0.1,
    "growth": 1.5,
    "app_start_s": 2.5,
    "peak_rss_mib": 2048,
    "snapshot_s": 30.0,
}


def page_queries(path: Path) -> dict:
    """The queries one page runs: [(name, {literal keyword arguments}, [other keyword names])], and kpis."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    queries: list[tuple[str, dict, list[str]]] = []
    kpis = False
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "ui"):
            continue
        if node.func.attr == "kpis":
            kpis = True
        if node.func.attr != "query" or not node.args:
            continue
        first = node.args[0]
        literal = {k.arg: k.value.value for k in node.keywords if k.arg and isinstance(k.value, ast.Constant)}
        other = [k.arg for k in node.keywords if k.arg and not isinstance(k.value, ast.Constant)]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            names = [first.value]
        elif isinstance(first, ast.JoinedStr):  # f"prefix_{x}": every query file with that prefix
            prefix = "".join(v.value for v in first.values if isinstance(v, ast.Constant))
            names = sorted(p.stem for p in QUERIES_DIR.glob(f"{prefix}*.sql"))
        else:
            continue
        for name in names:
            entry = (name, literal, other)
            if entry not in queries:
                queries.append(entry)
    return {"queries": queries, "kpis": kpis}


def leader_pages() -> dict[str, Path]:
    pages = {"overview": PAGES_DIR / "leaders" / "overview.py"}
    for p in sorted((PAGES_DIR / "leaders").glob("*.py")):
        pages.setdefault(p.stem, p)
    return pages


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _last_day(base: Path) -> dt.date:
    files = [str(p) for p in table_files(base, "exchanges_daily")]
    con = duckdb.connect()
    try:
        return con.execute("select max(exchange_date) from read_parquet($f)", {"f": files}).fetchall()[0][0]
    finally:
        con.close()


def _baseline_connection(base: Path) -> duckdb.DuckDBPyConnection:
    """A plain DuckDB connection with views over the raw curated Parquet (no rollups) and the macros."""
    con = duckdb.connect(":memory:", config={"threads": 2})
    for table in LOAD_ORDER:
        if not table_files(base, table):  # an optional table that is absent
            con.execute(empty_table_sql(table))
            continue
        con.execute(f'create view "{table}" as {curated_select_sql(con, table, table_files(base, table))}')
    # The macros that read rollups are created too (they are not used by the daily-only SQL).
    for rollup in ROLLUPS.values():
        con.execute(f'create view "{rollup.name}" as {rollup.sql()} limit 0')
    con.execute((QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8"))
    return con


class _Bench:
    def __init__(self, base: Path, period: Period) -> None:
        from dashboard.engine.kpis import NOT_READY_THRESHOLD, READY_THRESHOLD

        self.base = base
        self.period = period
        self.defaults = {
            **DEFAULTS,
            "ready_threshold": READY_THRESHOLD,
            "not_ready_threshold": NOT_READY_THRESHOLD,
            "trend_start": min(period.start, period.end - dt.timedelta(days=83)),
        }

    def params(self, scope: Scope, name: str, literal: dict, picks: dict) -> dict:
        return {
            **self.period.params(),
            **scope.params(),
            "lang": "vi",
            **self.defaults,
            **picks,
            **literal,
        }

    def picks(self, scope: Scope) -> dict:
        """Values a leader would pick on a page: the first dataset and roadmap item the scope shows."""
        from dashboard.engine.query import run_query

        p = {**self.period.params(), **scope.params(), "lang": "vi"}
        out = {"dataset_id": "", "item_id": ""}
        datasets = run_query(self.base, scope, "sharing_datasets", p)
        if datasets.height:
            out["dataset_id"] = datasets["dataset_id"][0]
        items = (
            run_query(self.base, scope, "roadmap_timeline", p)
            if (QUERIES_DIR / "roadmap_timeline.sql").is_file()
            else None
        )
        if items is not None and items.height and "item_id" in items.columns:
            out["item_id"] = items["item_id"][0]
        return out

    def run_page(self, page: str, spec: dict, scope: Scope, picks: dict) -> dict:
        import streamlit as st

        from dashboard.config import data_version
        from dashboard.engine.db import DATABASES
        from dashboard.engine.kpis import kpi_table
        from dashboard.engine.query import bind, load_sql, run_query
        from dashboard.web import session

        calls = []
        for name, literal, _other in spec["queries"]:
            params = self.params(scope, name, literal, picks)
            calls.append((name, bind(load_sql(name), params), params))
        version = data_version(self.base)

        def through_ui() -> None:
            for name, bound, _ in calls:
                session.cached_query(str(self.base), version, scope.key, name, tuple(sorted(bound.items())))
            if spec["kpis"]:
                session.cached_kpis(str(self.base), version, scope.key, self.period.start, self.period.end, 15.0)

        def engine() -> None:
            for name, _, params in calls:
                run_query(self.base, scope, name, params)
            if spec["kpis"]:
                kpi_table(self.base, self.period, scope)

        DATABASES.clear()
        st.cache_data.clear()
        st.cache_resource.clear()  # the pages' results (web/session.py) and their built figures and tables
        t0 = time.perf_counter()
        through_ui()
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        through_ui()
        warm = time.perf_counter() - t0
        t0 = time.perf_counter()
        engine()
        engine_warm = time.perf_counter() - t0

        per_query = {}
        for name, _, params in calls:
            t0 = time.perf_counter()
            run_query(self.base, scope, name, params)
            per_query[name] = round(time.perf_counter() - t0, 4)

        # Baseline: the same SQL (daily-only versions) on the raw daily Parquet, in a fresh connection.
        con = _baseline_connection(self.base)
        try:
            t0 = time.perf_counter()
            for name, _, params in calls:
                _run_plain(con, _reference_sql(name), params)
            if spec["kpis"]:
                from dashboard.engine.kpis import KPI_QUERIES, READY_THRESHOLD

                for period in (self.period, self.period.previous()):
                    p = {
                        **period.params(),
                        **scope.params(),
                        "minutes_per_dossier": 15.0,
                        "ready_threshold": READY_THRESHOLD,
                    }
                    for name in KPI_QUERIES:
                        _run_plain(con, _reference_sql(name), p)
            baseline = time.perf_counter() - t0
        finally:
            con.close()
        return {
            "page": page,
            "scope": scope.key,
            "queries": [c[0] for c in calls] + (["kpis (current + previous period)"] if spec["kpis"] else []),
            "cold_s": round(cold, 3),
            "warm_s": round(warm, 4),
            "engine_warm_s": round(engine_warm, 3),
            "baseline_s": round(baseline, 3),
            "ratio": round(baseline / cold, 2) if cold else None,
            "rss_mib": round(_rss_mib()),
            "per_query_warm_s": per_query,
        }


def _reference_sql(name: str) -> str:
    ref = REFERENCE_DIR / f"{name}.sql"
    path = ref if ref.is_file() else QUERIES_DIR / f"{name}.sql"
    return path.read_text(encoding="utf-8")


def _run_plain(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> None:
    from dashboard.engine.query import bind

    con.execute(sql, bind(sql, params)).fetchall()


def _app_start(base: Path, today: dt.date) -> dict:
    """A fresh process runs app.py (the overview) through AppTest; wall time from process start."""
    code = (
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=600)\n"
        "at.run()\n"
        "import sys\n"
        "errors = [e.value for e in at.exception] + [e.body for e in at.error]\n"
        "print('ERRORS' if errors else 'OK', len(at.get('plotly_chart')), errors[:2])\n"
    )
    # Data with rollups rebuilt here is no longer byte-for-byte the demo generator's: no login needed to measure.
    env = {
        **os.environ,
        "DASHBOARD_DATA_DIR": str(base),
        "DASHBOARD_TODAY": today.isoformat(),
        "DASHBOARD_ALLOW_NO_AUTH": "1",
    }
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    out = (done.stdout.strip().splitlines() or [""])[-1]
    return {"app_start_s": round(seconds, 2), "ok": done.returncode == 0 and out.startswith("OK"), "detail": out[:300]}


def _snapshot(base: Path, today: dt.date) -> dict:
    week = iso_week(today - dt.timedelta(days=today.isoweekday()))
    env = {**os.environ, "DASHBOARD_TODAY": today.isoformat(), "DASHBOARD_ALLOW_NO_AUTH": "1"}
    cmd = [sys.executable, "-m", "dashboard", "snapshot", "--data-dir", str(base), "--week", week, "--force"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    tail = (done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or [""])[-1]
    return {"week": week, "snapshot_s": round(seconds, 1), "exit_code": done.returncode, "detail": tail[:300]}


def _child(*args: str) -> dict:
    """Run `child_main(*args)` of this module in a fresh Python process; its JSON report."""
    code = "import sys; from dashboard.devtools.bench import child_main; child_main(sys.argv[1:])"
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1][:300]}
    return json.loads(lines[-1])


def child_main(argv: list[str]) -> None:
    """In a fresh process: `fresh BASE SCOPE START END PICKS_JSON` or `provinces BASE START END`."""
    logging.disable(logging.WARNING)
    from dashboard.engine.db import database
    from dashboard.engine.kpis import kpi_table
    from dashboard.engine.query import run_query

    mode, base = argv[0], Path(argv[1])
    t0 = time.perf_counter()
    database(base, Scope())
    out: dict = {"start_s": round(time.perf_counter() - t0, 3)}
    if mode == "provinces":
        period = Period(dt.date.fromisoformat(argv[2]), dt.date.fromisoformat(argv[3]))
        from dashboard.engine.query import run_sql

        codes = run_sql(base, Scope(), "select province_code from provinces order by 1")["province_code"].to_list()
        t0 = time.perf_counter()
        for code in codes:
            kpi_table(base, period, Scope("province", code))
        out |= {"provinces": len(codes), "all_provinces_s": round(time.perf_counter() - t0, 2)}
        out["peak_rss_mib"] = round(_peak_mib())
        print(json.dumps(out))
        return
    scope = Scope.parse(argv[2])
    period = Period(dt.date.fromisoformat(argv[3]), dt.date.fromisoformat(argv[4]))
    picks = json.loads(argv[5])
    bench = _Bench(base, period)
    t0 = time.perf_counter()
    database(base, scope)
    out["build_s"] = round(time.perf_counter() - t0, 3) if scope.type != "all" else 0.0
    pages = []
    for page, path in leader_pages().items():
        spec = page_queries(path)
        if not spec["queries"] and not spec["kpis"]:
            continue
        calls = [(name, bench.params(scope, name, literal, picks)) for name, literal, _ in spec["queries"]]
        times = []
        for _ in range(2):
            t0 = time.perf_counter()
            for name, params in calls:
                run_query(base, scope, name, params)
            if spec["kpis"]:
                kpi_table(base, period, scope)
            times.append(round(time.perf_counter() - t0, 3))
        pages.append({"page": page, "fresh_cold_s": times[0], "fresh_engine_warm_s": times[1]})
    out["pages"] = pages
    out["first_page_s"] = round(out["build_s"] + (pages[0]["fresh_cold_s"] if pages else 0), 3)
    out["peak_rss_mib"] = round(_peak_mib())
    print(json.dumps(out))


def smallest_province(base: Path) -> str:
    """The province with the fewest exchange rows (provider or consumer side), for the bench's small province."""
    from dashboard.engine.query import run_sql

    # Each row once per province body at either end (once when both ends are the same body): two equi-joins, not a
    # join on `in (provider, consumer)`, which DuckDB runs as a nested loop (over the 120 s limit at scale 100).
    sql = """
        select a.province_code, count(*) as n
        from (
            select provider_agency_id as agency_id from exchanges_weekly
            union all
            select consumer_agency_id from exchanges_weekly where consumer_agency_id is distinct from provider_agency_id
        ) as e
        join agencies as a on a.agency_id = e.agency_id
        where a.province_code is not null
        group by 1 order by n, 1 limit 1
    """
    return run_sql(base, Scope(), sql)["province_code"][0]


def fresh_measures(base: Path, scopes: list[Scope], period: Period, picks: dict[str, dict]) -> dict:
    """Per scope a fresh process: start, database build, each page cold and engine-warm (see the docstring)."""
    out: dict = {"scopes": {}}
    for scope in scopes:
        out["scopes"][scope.key] = _child(
            "fresh",
            str(base),
            scope.key,
            period.start.isoformat(),
            period.end.isoformat(),
            json.dumps(picks.get(scope.key, {})),
        )
    out["provinces"] = _child("provinces", str(base), period.start.isoformat(), period.end.isoformat())
    return out


def prepare(base: Path | None, scale: float) -> tuple[Path, dict]:
    """The data dir to measure (generated at `scale` when empty) with fresh rollups; what it took."""
    from dashboard.data.demo import generate

    base = Path(base) if base else Path(f"/tmp/dashboard-bench-scale-{scale:g}")
    info: dict = {"data_dir": str(base)}
    cur = curated_dir(base)
    if not (cur.is_dir() and any(cur.rglob("*.parquet"))):
        t0 = time.perf_counter()
        generate(base, scale=scale, progress=sys.stderr.isatty())
        info["generated_s"] = round(time.perf_counter() - t0, 1)
    todo = [r.name for r in ROLLUPS.values() if rollup_state(base, r) in ("missing", "stale")]
    if todo:
        t0 = time.perf_counter()
        build_rollups(base, todo)
        info["rollups_built_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    if refresh_scope_files(base) is not None:
        info["scope_files_built_s"] = round(time.perf_counter() - t0, 1)
    con = duckdb.connect()
    try:
        for table in ("exchanges_daily", "exchanges_weekly", "dossiers_daily", "dossiers_weekly"):
            files = [str(p) for p in table_files(base, table)]
            info[f"rows_{table}"] = con.execute("select count(*) from read_parquet($f)", {"f": files}).fetchall()[0][0]
    finally:
        con.close()
    return base, info


def run_bench(
    base: Path | None = None,
    scale: float = 1.0,
    scopes: tuple[str, ...] = ("all", "province:HNI", "province:smallest", "agency:VPTW"),
    period_preset: str = "last_4_weeks",
    app: bool = True,
    snapshot: bool = True,
    compare: Path | None = None,
    fresh: bool = True,
) -> dict:
    """Measure every leader page in every scope; returns the report (see the module docstring)."""
    import streamlit  # noqa: F401 - its loggers exist once it is imported

    for name in ("streamlit", "streamlit.runtime.caching.cache_data_api", "dashboard.engine.db"):
        logging.getLogger(name).setLevel(logging.ERROR)
    base, info = prepare(base, scale)
    os.environ["DASHBOARD_DATA_DIR"] = str(base)
    today = _last_day(base) + dt.timedelta(days=1)
    period = preset_period(period_preset, today)
    bench = _Bench(base, period)
    load = os.getloadavg()
    report: dict = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": f"{platform.node()}: {os.cpu_count()} CPU, {platform.machine()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}",
        "load_average_at_start": [round(x, 2) for x in load],
        **info,
        "today": today.isoformat(),
        "period": {"preset": period_preset, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "targets": TARGETS,
        "pages": [],
    }
    resolved = [Scope.parse(key) for key in scopes]
    if any(s.key == "province:smallest" for s in resolved):
        small = Scope("province", smallest_province(base))
        resolved = [small if s.key == "province:smallest" else s for s in resolved]
    all_picks = {}
    for scope in resolved:
        picks = all_picks[scope.key] = bench.picks(scope)
        for page, path in leader_pages().items():
            spec = page_queries(path)
            if not spec["queries"] and not spec["kpis"]:
                continue
            report["pages"].append(bench.run_page(page, spec, scope, picks))
    from dashboard.engine.db import DATABASES

    DATABASES.clear()
    report["peak_rss_mib"] = round(_peak_mib())
    if fresh:
        report["fresh"] = fresh_measures(base, resolved, period, all_picks)
        if compare is not None:
            small_base, _ = prepare(compare, scale)
            small_period = preset_period(period_preset, _last_day(small_base) + dt.timedelta(days=1))
            report["compare"] = {
                "data_dir": str(small_base),
                **fresh_measures(small_base, resolved, small_period, all_picks),
            }
    if app:
        report["app"] = _app_start(base, today)
    if snapshot:
        report["snapshot"] = _snapshot(base, today)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def format_bench(report: dict) -> str:
    lines = [
        f"Benchmark {report['date']} on {report['machine']}",
        f"data: {report['data_dir']}  exchanges_daily {report['rows_exchanges_daily']:,} rows, exchanges_weekly "
        f"{report['rows_exchanges_weekly']:,}; dossiers_daily {report['rows_dossiers_daily']:,}, dossiers_weekly "
        f"{report['rows_dossiers_weekly']:,}",
        f"period: {report['period']['preset']} {report['period']['start']}..{report['period']['end']}; "
        f"load average at start {report['load_average_at_start']}, at end {report['load_average_at_end']}",
        "",
        f"{'page':<12} {'scope':<14} {'cold s':>7} {'warm s':>7} {'engine s':>9} {'baseline s':>11} {'ratio':>6} "
        f"{'RSS MiB':>8}",
    ]
    for r in report["pages"]:
        flag = " " if r["cold_s"] <= TARGETS["cold_s"] and r["warm_s"] <= TARGETS["warm_s"] else "!"
        lines.append(
            f"{r['page']:<12} {r['scope']:<14} {r['cold_s']:>7.3f} {r['warm_s']:>7.4f} {r['engine_warm_s']:>9.3f} "
            f"{r['baseline_s']:>11.3f} {r['ratio'] or 0:>6.2f} {r['rss_mib']:>8} {flag}"
        )
    lines += format_fresh(report)
    lines.append("")
    lines.append(f"peak resident memory: {report['peak_rss_mib']:,} MiB (target <= {TARGETS['peak_rss_mib']:,})")
    if report.get("app"):
        a = report["app"]
        lines.append(f"app start to first overview: {a['app_start_s']} s ({'ok' if a['ok'] else a['detail']})")
    if report.get("snapshot"):
        s = report["snapshot"]
        lines.append(f"snapshot {s['week']}: {s['snapshot_s']} s (exit {s['exit_code']}: {s['detail']})")
    lines.append(
        f"(! = over the cold {TARGETS['cold_s']} s or warm {TARGETS['warm_s']} s target; fresh-process targets: "
        f"cold {TARGETS['cold_s']} s with the build, engine-warm {TARGETS['engine_warm_s']} s, growth "
        f"{TARGETS['growth']}x)"
    )
    return "\n".join(lines)


def format_fresh(report: dict) -> list[str]:
    """The fresh-process measures as lines, with the growth against --compare-data-dir when given."""
    fresh = report.get("fresh")
    if not fresh:
        return []
    small = (report.get("compare") or {}).get("scopes", {})
    lines = [
        "",
        "fresh process per scope (s): start = `all` built; build = the scope's database; then each page",
        f"{'scope':<16} {'page':<12} {'start':>6} {'build':>6} {'cold':>6} {'warm':>6} {'growth':>7}",
    ]
    for key, r in fresh["scopes"].items():
        if "error" in r:
            lines.append(f"{key:<16} error: {r['error']}")
            continue
        other = {p["page"]: p for p in small.get(key, {}).get("pages", [])}
        for i, p in enumerate(r["pages"]):
            cold = p["fresh_cold_s"] + (r["build_s"] if i == 0 else 0)
            base_p = other.get(p["page"])
            growth = ""
            if base_p:
                small_cold = base_p["fresh_cold_s"] + (small[key]["build_s"] if i == 0 else 0)
                growth = f"{cold / small_cold:.2f}x" if small_cold else ""
            lines.append(
                f"{key:<16} {p['page']:<12} {r['start_s']:>6.2f} {r['build_s'] if i == 0 else 0:>6.2f} "
                f"{p['fresh_cold_s']:>6.3f} {p['fresh_engine_warm_s']:>6.3f} {growth:>7}"
            )
    prov = fresh.get("provinces", {})
    if "error" in prov:
        lines.append(f"every province: error: {prov['error']}")
    elif prov:
        lines.append(
            f"`all` + every province's database and KPI table ({prov['provinces']}): "
            f"{prov['all_provinces_s']} s, peak {prov['peak_rss_mib']:,} MiB"
        )
    return lines


def run_bench_command(args) -> int:
    scopes = tuple(s.strip() for s in args.scopes.split(",") if s.strip())
    report = run_bench(
        Path(args.data_dir).expanduser().resolve() if args.data_dir else None,
        args.scale,
        scopes,
        args.period,
        app=not args.no_app,
        snapshot=not args.no_snapshot,
        compare=Path(args.compare_data_dir).expanduser().resolve() if args.compare_data_dir else None,
        fresh=not args.no_fresh,
    )
    print(format_bench(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    return 0
