"""Rollups: weekly summaries of the large daily facts, declared next to the contract and read by pages.

Pages must stay fast when the facts grow to commune level across 34 provinces (tens of millions of
rows), so the writers of curated data also materialise, beside the facts in `<data dir>/curated/`:

* `exchanges_weekly` (`queries/rollups/exchanges_weekly.sql`): `exchanges_daily` summed per ISO week
  (`week_start`, a Monday) and (provider, consumer, dataset, channel): `calls`, `calls_ok`,
  `records`; the p95 latency as `latency_weighted_sum` (sum of daily p95 x calls) and `latency_calls`
  (calls on days with a p95), so `sum(latency_weighted_sum) / sum(latency_calls)` over any weeks is
  the calls-weighted mean of the daily p95s that the pages show (exact, up to float rounding), plus
  `p95_latency_ms_max` (the largest daily p95 of the week: an upper bound, never a true weekly p95);
  and `last_exchange_date`.  About 6x fewer rows than the daily fact in the demo data.
* `dossiers_weekly` (`queries/rollups/dossiers_weekly.sql`): `dossiers_daily` summed per ISO week and
  (agency, procedure code and names): `dossiers`, `dossiers_reusing`, `fields_total`, `fields_prefilled`.
* `dataset_consumers_weekly` and `exchange_agencies_weekly`, made from `exchanges_weekly` (`built_from`): the
  (week, dataset, consumer) with a successful call, one row each, and the (week, body) with an exchange, whether
  one of its calls succeeded (`connected`) and its last day (`last_exchange_date`).  The distinct counts of the
  sharing KPIs (consumers per dataset, connected bodies) and the freshness of the exchanges read them instead of
  every exchange row: a week's count is a count of rows (the 12-week pace series: `pace_exchanges` 0.35 -> 0.11 s
  at scale 100; `freshness_latest` groups 6 million weekly rows by pair no more).  Their source is
  still the daily fact (its fingerprint, so they are rebuilt with `exchanges_weekly`).  A scope's database
  does not read their files: it defines them as views over its own `exchanges_weekly` (the same SQL).
* `dataset_consumer_spans`, made from `exchanges_weekly` too: each (dataset, consumer) pair's runs of consecutive
  weeks with a successful call (`first_week`, `last_week`). A period's distinct consumers of a dataset are counted
  over the spans reaching into its whole weeks, about a row per pair, instead of a row per pair and week of
  `dataset_consumers_weekly` (which the weekly series still count: a week's pairs are its rows).
* `exchange_flows_weekly`, made from `exchanges_weekly` and `agencies` (`dimensions`): the calls, successful calls
  and records per week and kind of flow (each end's level and province, and whether `agencies` knows it).  The
  scope rule of `all` and of a province, and every sum by level or province, need nothing finer: about 300 rows a
  week instead of 130,000 at scale 100 (`scope_exchange_flows`, `province_calls`, `weekly_calls`).  Its
  fingerprint covers the agencies file's bytes too, so a body moved to another province makes it stale, and
  `curate` rebuilds it when agencies change.

**How queries use them.** The macros `period_exchange_weeks`, `scope_exchange_weeks` and
`period_dossier_weeks` (`queries/_macros.sql`) return the rows of a period at the weekly grain: the
ISO weeks wholly inside the period from the rollup, the days of the partial weeks at its edges from
the daily fact.  Sums are the same as over the daily rows, and so is "has calls_ok > 0" (calls_ok is
never negative), hence every distinct count the KPIs make; tests/test_rollups.py proves KPIs and
page queries equal on the demo data and on periods that start and end mid-week.

**When they are rebuilt.** In full, from the curated facts, whenever a fact is written: by
`python -m dashboard curate` (for the facts the run changed, inside its staging folder, so the swap
is atomic with the facts), by `python -m dashboard demo`, and by `python -m dashboard rollups` (after
facts were put in place by hand).  Each rollup file records in its Parquet metadata a fingerprint of
the fact files it was built from (names, sizes, row counts).

**When they are missing or stale** (an older data dir, facts changed by hand): `dashboard.engine.db` does not
trust them; it builds the rollup in memory in the `all` database from the daily fact (correct, a
few seconds per 10 million daily rows, once per data version) and logs a warning that says to run
`python -m dashboard rollups`.  Restricted scopes read their rollup rows from their scope files
(dashboard/data/scope_files.py, written after the rollups by the same commands) or, without fresh ones,
copy them from the `all` database.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.config import QUERIES_DIR, curated_dir, table_files
from dashboard.sqltext import literal

log = logging.getLogger(__name__)
FINGERPRINT_KEY = "dashboard_rollup_source"


@dataclass(frozen=True)
class Rollup:
    """A summary of one fact table: its grain, what it sums, and the SQL that builds it."""

    name: str
    source: str  # the fact table it summarises
    grain: tuple[str, ...]
    measures: tuple[str, ...]
    doc: str
    built_from: str | None = None  # the rollup its SQL reads (which comes before it in ROLLUPS), else the fact
    dimensions: tuple[str, ...] = ()  # the small tables its SQL joins: a change to them makes it stale too

    @property
    def sql_path(self) -> Path:
        return QUERIES_DIR / "rollups" / f"{self.name}.sql"

    def sql(self) -> str:
        return self.sql_path.read_text(encoding="utf-8")

    def sorted_sql(self) -> str:
        """Its SQL with the rows in the order of its grain, as its files are written: the same bytes on every run,
        and a weekly rollup week first, so a period reads only its row groups."""
        return f"select * from ({self.sql()}) order by {', '.join(self.grain)}"


ROLLUPS: dict[str, Rollup] = {
    r.name: r
    for r in (
        Rollup(
            "exchanges_weekly",
            "exchanges_daily",
            ("week_start", "provider_agency_id", "consumer_agency_id", "dataset_id", "channel"),
            (
                "calls",
                "calls_ok",
                "records",
                "latency_calls",
                "latency_weighted_sum",
                "p95_latency_ms_max",
                "last_exchange_date",
            ),
            "exchanges_daily per ISO week, provider, consumer, dataset and channel",
        ),
        Rollup(
            "dossiers_weekly",
            "dossiers_daily",
            ("week_start", "agency_id", "procedure_code", "procedure_name_vi", "procedure_name_en"),
            ("dossiers", "dossiers_reusing", "fields_total", "fields_prefilled"),
            "dossiers_daily per ISO week, agency and procedure",
        ),
        Rollup(
            "dataset_consumers_weekly",
            "exchanges_daily",
            ("week_start", "dataset_id", "consumer_agency_id"),
            (),
            "the consumers of each dataset with a successful call, per ISO week",
            built_from="exchanges_weekly",
        ),
        Rollup(
            "dataset_consumer_spans",
            "exchanges_daily",
            ("dataset_id", "consumer_agency_id", "first_week"),
            ("last_week",),
            "each (dataset, consumer) pair's runs of consecutive ISO weeks with a successful call",
            built_from="exchanges_weekly",
        ),
        Rollup(
            "exchange_agencies_weekly",
            "exchanges_daily",
            ("week_start", "agency_id"),
            ("connected", "last_exchange_date"),
            "the bodies with an exchange, as provider or consumer, per ISO week: connected or not, last day",
            built_from="exchanges_weekly",
        ),
        Rollup(
            "exchange_flows_weekly",
            "exchanges_daily",
            (
                "week_start",
                "provider_known",
                "provider_level",
                "provider_province",
                "consumer_known",
                "consumer_level",
                "consumer_province",
            ),
            ("calls", "calls_ok", "records"),
            "the exchanges per ISO week between kinds of body: each end's level and province (and whether it is known)",
            built_from="exchanges_weekly",
            dimensions=("agencies",),
        ),
    )
}
# The rollups made from another rollup: a scope's database defines them as views over its own rows of it.
DERIVED = tuple(r.name for r in ROLLUPS.values() if r.built_from)


def _files_list(files: list[Path]) -> str:
    return "[" + ", ".join(literal(str(p)) for p in files) + "]"


def source_fingerprint(
    base: Path, table: str, con: duckdb.DuckDBPyConnection | None = None, *, times: bool = False
) -> str | None:
    """A hash of the table's files (path inside curated/, size, row count from the footer); None without files.
    With `times`, their modification times too (the scope files': dashboard/data/scope_files.py)."""
    files = table_files(base, table)
    if not files:
        return None
    own = con is None
    con = con or duckdb.connect(":memory:")
    try:
        rows = dict(
            con.execute(f"select file_name, num_rows from parquet_file_metadata({_files_list(files)})").fetchall()
        )
    finally:
        if own:
            con.close()
    cur = curated_dir(base)
    h = hashlib.sha1()
    for p in files:
        h.update(f"{p.relative_to(cur)}|{p.stat().st_size}|{rows.get(str(p), -1)}\n".encode())
    if not times:
        return h.hexdigest()[:16]
    h = hashlib.sha1(h.hexdigest()[:16].encode())
    for p in files:
        h.update(f"{p.relative_to(cur)}|{p.stat().st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def dimension_fingerprint(base: Path, table: str) -> str:
    """A hash of a small dimension table's files, content and all: a body moved to another province changes neither
    a size nor a row count, and the same rows written again (the demo, a re-curation) give the same hash."""
    cur = curated_dir(base)
    h = hashlib.sha1()
    for p in table_files(base, table):
        h.update(f"{p.relative_to(cur)}\n".encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def rollup_fingerprint(base: Path, rollup: Rollup, con: duckdb.DuckDBPyConnection | None = None) -> str | None:
    """What a rollup file records it was built from: its fact's fingerprint, with its dimensions' too; None when the
    fact has no file."""
    fact = source_fingerprint(base, rollup.source, con)
    if fact is None or not rollup.dimensions:
        return fact
    parts = [fact, *(dimension_fingerprint(base, d) for d in rollup.dimensions)]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def rollup_state(base: Path, rollup: Rollup, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """'fresh' (built from the current fact files, and dimension files if it has any), 'stale', 'missing', or
    'no_source' (no fact)."""
    expected = rollup_fingerprint(base, rollup, con)
    if expected is None:
        return "no_source"
    files = table_files(base, rollup.name)
    if not files:
        return "missing"
    own = con is None
    con = con or duckdb.connect(":memory:")
    try:
        meta = con.execute(
            f"select decode(key), decode(value) from parquet_kv_metadata({_files_list(files)})"
        ).fetchall()
    except duckdb.Error:
        return "stale"
    finally:
        if own:
            con.close()
    found = {v for k, v in meta if k == FINGERPRINT_KEY}
    return "fresh" if found == {expected} else "stale"


def build_rollups(base: Path, names: list[str] | None = None) -> dict[str, int]:
    """(Re)build the rollups (all, or `names`, and the rollup a derived one of them is made from when that one is not
    fresh) of `<base>/curated` from its facts; returns their row counts.

    Each is written to `curated/<name>.parquet` through a temporary file and a rename, with the source
    fingerprint in its metadata.  A rollup whose fact is missing is skipped.
    """
    base = Path(base)
    cur = curated_dir(base)
    tmp_dir = base / f".rollups-tmp-{os.getpid()}"
    con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "3GB"})
    counts: dict[str, int] = {}
    try:
        con.execute(f"set temp_directory = {literal(str(tmp_dir))}")
        con.execute("set preserve_insertion_order = true")
        wanted = set(names or ROLLUPS)
        for name in list(wanted):  # a derived rollup is made from a fresh one: rebuild that first if it is not
            made_from = ROLLUPS[name].built_from
            if made_from and made_from not in wanted and rollup_state(base, ROLLUPS[made_from], con) != "fresh":
                wanted.add(made_from)
        # In ROLLUPS' order, whatever the order of `names`: a derived rollup after the one it is made from.
        for name in [n for n in ROLLUPS if n in wanted]:
            rollup = ROLLUPS[name]
            files = table_files(base, rollup.source)
            if not files:
                continue
            fingerprint = rollup_fingerprint(base, rollup, con)
            # A derived rollup reads the rollup it is made from, as it is in the folder now (fresh, or just built).
            read = rollup.built_from or rollup.source
            read_files = table_files(base, read) if rollup.built_from else files
            if not read_files or not all(table_files(base, d) for d in rollup.dimensions):
                continue
            for table, table_paths in ((read, read_files), *((d, table_files(base, d)) for d in rollup.dimensions)):
                con.execute(
                    f'create or replace view "{table}" as '
                    f"select * from read_parquet({_files_list(table_paths)}, union_by_name = true)"
                )
            target = cur / f"{rollup.name}.parquet"
            tmp = cur / f".{rollup.name}.parquet.tmp-{os.getpid()}"
            # Our own paths and a hex fingerprint: COPY takes no bound parameters.
            # A derived rollup's SQL has no order (a scope's database uses it as a view): its file is sorted here, by
            # its grain (the spans, a row per pair and run, are read whole).
            sql = rollup.sorted_sql() if rollup.built_from else rollup.sql()
            # A COPY answers the number of rows it wrote.
            counts[name] = con.execute(
                f"copy ({sql}) to {literal(str(tmp))} (format parquet, compression zstd, "
                f"row_group_size 122880, kv_metadata {{{FINGERPRINT_KEY}: {literal(fingerprint)}}})"
            ).fetchall()[0][0]
            if (cur / rollup.name).is_dir():
                shutil.rmtree(cur / rollup.name)
            os.replace(tmp, target)
    finally:
        con.close()
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return counts


def run_rollups_command(base: Path) -> int:
    """`python -m dashboard rollups`: rebuild every rollup of the data dir from its facts."""
    if not curated_dir(base).is_dir():
        print(f"No curated data in {curated_dir(base)}.")
        return 1
    from dashboard.data.demo_marker import is_demo_data, refresh_demo_marker
    from dashboard.data.scope_files import build_scope_files

    # Demo data stays demo data: what this command writes is derived from the facts the marker vouched for.
    was_demo = is_demo_data(base)
    counts = build_rollups(base)
    for name, n in counts.items():
        print(f"{name}: {n:,} rows (from {ROLLUPS[name].source})")
    if not counts:
        print("No fact table to roll up.")
    scoped = build_scope_files(base)
    if scoped:
        print("scope files: " + ", ".join(f"{name} {n:,} rows" for name, n in scoped.items()))
    if was_demo:
        refresh_demo_marker(base)
    return 0
