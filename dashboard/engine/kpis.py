"""The KPIs of metrics.md: one catalogue (with the RAG thresholds) and one function that computes them."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboard.csvsafe import csv_text
from dashboard.engine.query import QUERY_THREADS, run_queries
from dashboard.period import Period
from dashboard.scope import Scope

__all__ = ["KPIS", "Kpi", "Period", "Scope", "compute_kpis", "kpi_table", "status_for"]

DEFAULT_MINUTES_PER_DOSSIER = 15.0
KPI_QUERIES = ("kpis_exchanges", "kpis_dossiers", "kpis_quality", "kpis_governance", "kpis_roadmap")
KPI_COLUMNS = ("kpi_id", "value", "numerator", "denominator", "status")


@dataclass(frozen=True)
class Kpi:
    """One KPI: its area, its unit, and its RAG thresholds (None where no threshold applies)."""

    id: str
    area: str
    unit: str  # "ratio", "count" or "hours"
    green: float | None = None
    amber: float | None = None
    higher_is_better: bool = True


# The one place where thresholds live (metrics.md, "green / amber").
KPIS: tuple[Kpi, ...] = (
    Kpi("sharing_coverage", "sharing", "ratio", 0.80, 0.50),
    Kpi("shared_data_utilization", "sharing", "ratio", 0.70, 0.40),
    Kpi("exchange_success_rate", "sharing", "ratio", 0.99, 0.95),
    Kpi("cross_level_share", "sharing", "ratio"),
    Kpi("connected_agencies", "sharing", "ratio", 0.90, 0.60),
    Kpi("records_exchanged", "sharing", "count"),
    Kpi("reuse_breadth", "reuse", "ratio", 0.50, 0.25),
    Kpi("dossier_reuse_rate", "reuse", "ratio", 0.80, 0.50),
    Kpi("prefill_rate", "reuse", "ratio", 0.92, 0.42),
    Kpi("redeclared_fields", "reuse", "count", higher_is_better=False),
    Kpi("hours_saved_estimate", "reuse", "hours"),
    Kpi("quality_correct", "quality", "ratio", 0.90, 0.75),
    Kpi("quality_sufficient", "quality", "ratio", 0.90, 0.75),
    Kpi("quality_clean", "quality", "ratio", 0.90, 0.75),
    Kpi("quality_live", "quality", "ratio", 0.90, 0.75),
    Kpi("quality_index", "quality", "ratio", 0.90, 0.75),
    Kpi("datasets_ready", "quality", "ratio", 0.80, 0.50),
    Kpi("ownership_coverage", "governance", "ratio", 0.95, 0.80),
    Kpi("dictionary_coverage", "governance", "ratio", 0.90, 0.60),
    Kpi("metadata_completeness", "governance", "ratio", 0.95, 0.80),
    Kpi("key_databases_operating", "governance", "ratio", 0.80, 0.50),
    Kpi("roadmap_progress", "roadmap", "ratio"),
    Kpi("schedule_performance", "roadmap", "ratio", 0.95, 0.85),
    Kpi("milestones_on_time", "roadmap", "ratio", 0.90, 0.70),
    Kpi("items_overdue", "roadmap", "count", higher_is_better=False),
)
KPI_BY_ID = {k.id: k for k in KPIS}
# The province scorecard's headline KPI per area (queries/provinces_scorecard.sql, the Provinces page, the summary).
SCORECARD_KPIS = (
    "connected_agencies",
    "exchange_success_rate",
    "dossier_reuse_rate",
    "prefill_rate",
    "quality_index",
    "ownership_coverage",
    "schedule_performance",
)
AREAS = ("sharing", "reuse", "quality", "governance", "roadmap")
# A dataset is "ready" (readiness group 1) at the quality criteria's green threshold.
READY_THRESHOLD = KPI_BY_ID["quality_correct"].green
NOT_READY_THRESHOLD = KPI_BY_ID["quality_correct"].amber


def status_for(kpi_id: str, value: float | None) -> str | None:
    """green / amber / red by the KPI's thresholds; None for a null value or a KPI without thresholds."""
    kpi = KPI_BY_ID[kpi_id]
    if value is None or kpi.green is None:
        return None
    if value >= kpi.green:
        return "green"
    if value >= kpi.amber:
        return "amber"
    return "red"


def _kpi_params(period: Period, scope: Scope, minutes_per_dossier: float) -> dict:
    return {
        **period.params(),
        **scope.params(),
        "minutes_per_dossier": float(minutes_per_dossier),
        "ready_threshold": READY_THRESHOLD,
    }


def _kpi_rows(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The KPI queries' frames as the KPI table: kpi_id, value, numerator, denominator, status, in catalogue order."""
    rows = pl.concat(frames, how="vertical_relaxed")
    order = {k.id: i for i, k in enumerate(KPIS)}
    missing = set(order) - set(rows["kpi_id"])
    if missing:
        raise RuntimeError(f"KPI queries did not return {sorted(missing)}")
    return (
        # the status in plain Python on this thread: a Polars callback would run on Polars' worker threads, which
        # can freeze a busy server (see dashboard/web/ui.py values_mapped and tests/e2e/test_udf_threads.py)
        rows.with_columns(
            pl.Series("status", [status_for(k, v) for k, v in rows.select("kpi_id", "value").iter_rows()], pl.String),
            pl.col("kpi_id").replace_strict(order, return_dtype=pl.Int32).alias("_order"),
        )
        .sort("_order")
        .select(KPI_COLUMNS)
    )


def _kpi_tables(
    base: Path,
    periods: list[Period],
    scope: Scope,
    minutes_per_dossier: float,
    database_scope: Scope | None,
    threads: int,
) -> list[pl.DataFrame]:
    """The KPI table of each period: the KPI queries of every period run together (run_queries)."""
    db_scope = database_scope or scope
    calls = [(db_scope, name, _kpi_params(p, scope, minutes_per_dossier)) for p in periods for name in KPI_QUERIES]
    frames = run_queries(base, calls, threads)
    n = len(KPI_QUERIES)
    return [_kpi_rows(frames[i * n : (i + 1) * n]) for i in range(len(periods))]


def compute_kpis(
    base: Path,
    period: Period,
    scope: Scope,
    *,
    minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER,
    database_scope: Scope | None = None,
    threads: int = QUERY_THREADS,
) -> pl.DataFrame:
    """The KPI table for (period, scope): kpi_id, value, numerator, denominator, status, in catalogue order.

    The queries run in the database of `database_scope` (default: `scope` itself), which is how the
    tests prove that a scope's own database gives the same numbers as the `all` database; up to `threads` at a
    time (1: one after another, for a caller that runs several scopes at once itself).
    """
    return _kpi_tables(base, [period], scope, minutes_per_dossier, database_scope, threads)[0]


def kpi_table(
    base: Path,
    period: Period,
    scope: Scope,
    *,
    minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER,
    database_scope: Scope | None = None,
) -> pl.DataFrame:
    """compute_kpis for the period and its comparison period (all their queries at once): adds previous_value and
    change."""
    current, previous = _kpi_tables(
        base, [period, period.previous()], scope, minutes_per_dossier, database_scope, QUERY_THREADS
    )
    previous = previous.select("kpi_id", pl.col("value").alias("previous_value"))
    return current.join(previous, on="kpi_id", how="left", maintain_order="left").with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change")
    )


def run_kpis_command(base: Path, args: argparse.Namespace) -> int:
    """`python -m dashboard kpis`: print the KPI table as a table, CSV or JSON."""
    from dashboard.engine.db import DataMissingError

    try:
        period = Period(args.start, args.end)
        scope = Scope.parse(args.scope)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    minutes = args.minutes_per_dossier if args.minutes_per_dossier is not None else DEFAULT_MINUTES_PER_DOSSIER
    try:
        table = compute_kpis(base, period, scope, minutes_per_dossier=minutes)
    except DataMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        sys.stdout.write(csv_text(table, null_value="", float_precision=None))
    elif args.format == "json":
        print(json.dumps(table.to_dicts(), ensure_ascii=False, indent=2))
    else:
        with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, fmt_str_lengths=40):
            print(table)
    return 0
