"""Targets and pace to 2030 (metrics.md): for a scope and an as-of date, every targeted KPI's pace.

The weekly series is read from the weekly rollups and cheap per-week queries (queries/pace_*.sql), never by
running the KPI queries twelve times over the daily facts; tests/test_pace.py proves each week equals the KPI
table of that week computed on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

import polars as pl

from dashboard.data.contract import TARGET_KPIS
from dashboard.engine.kpis import READY_THRESHOLD
from dashboard.engine.query import run_query
from dashboard.scope import Scope

SERIES_WEEKS = 12
MIN_TREND_WEEKS = 4
PACE_STATUSES = ("reached", "on_pace", "off_pace", "no_trend", "no_target")
PACE_COLUMNS = (
    "kpi_id",
    "target_value",
    "target_date",
    "current_value",
    "slope_per_week",
    "projected_value",
    "required_per_week",
    "projected_date",
    "status",
)
# Besides PACE_COLUMNS, compute_pace gives what the pages show: where the target comes from, the week of the
# current value, the weeks left, and the series itself (12 Sundays, oldest first; a null week is None).
DETAIL_COLUMNS = (
    "target_id",
    "target_scope_type",
    "phase",
    "basis_vi",
    "basis_en",
    "current_week_end",
    "weeks_left",
    "series_week_ends",
    "series_values",
)
# Which pace query computes the weekly series of each KPI that may have a target.
PACE_QUERY_OF: dict[str, str] = {
    **dict.fromkeys(
        ("sharing_coverage", "shared_data_utilization", "exchange_success_rate", "connected_agencies", "reuse_breadth"),
        "pace_exchanges",
    ),
    **dict.fromkeys(("dossier_reuse_rate", "prefill_rate"), "pace_dossiers"),
    **dict.fromkeys(
        ("quality_correct", "quality_sufficient", "quality_clean", "quality_live", "quality_index", "datasets_ready"),
        "pace_quality",
    ),
    **dict.fromkeys(
        ("ownership_coverage", "dictionary_coverage", "metadata_completeness", "key_databases_operating"),
        "pace_governance",
    ),
    **dict.fromkeys(("schedule_performance", "milestones_on_time"), "pace_roadmap"),
}
SERIES_KPIS = tuple(PACE_QUERY_OF)  # every KPI with a weekly series from the rollups (the KPI cards' sparklines)
# The strategy's three phases as spans of days, for the bands of the pace charts (a display convention: a phase
# ends on 31 December of its last year, the next starts the day after).
PHASE_SPANS: dict[str, tuple[dt.date, dt.date]] = {
    "2025-2026": (dt.date(2025, 1, 1), dt.date(2026, 12, 31)),
    "2026-2028": (dt.date(2027, 1, 1), dt.date(2028, 12, 31)),
    "2028-2030": (dt.date(2029, 1, 1), dt.date(2030, 12, 31)),
}
# Float noise (0.8 - 0.6 = 0.20000000000000007) must not turn "exactly on the target" into "short of it", nor
# 4 weeks into 5: comparisons and the ceiling of weeks are taken on values rounded to this many decimals.
_DECIMALS = 9


def series_week_ends(end: dt.date) -> list[dt.date]:
    """The Sundays of the last 12 complete ISO weeks ending on or before `end`, oldest first (week 0 .. 11)."""
    last = end - dt.timedelta(days=end.isoweekday() % 7)
    return [last - dt.timedelta(weeks=SERIES_WEEKS - 1 - k) for k in range(SERIES_WEEKS)]


def weekly_series(
    base: Path,
    scope: Scope,
    end: dt.date,
    kpi_ids: list[str] | None = None,
    *,
    database_scope: Scope | None = None,
    weeks_before: int = 0,
) -> pl.DataFrame:
    """kpi_id, week_end, value for the 12 weeks of the pace series of `end` (only the queries the KPIs need), and
    `weeks_before` more weeks before them: each week's value is its own (as of its Sunday), so the series of a
    date `weeks_before` weeks earlier is part of the same read (the weekly summary's pace a week before)."""
    wanted = list(TARGET_KPIS if kpi_ids is None else kpi_ids)
    ends = series_week_ends(end)
    ends = [ends[0] - dt.timedelta(weeks=k) for k in range(weeks_before, 0, -1)] + ends
    params = {**scope.params(), "week_ends": ends, "ready_threshold": READY_THRESHOLD}
    queries = list(dict.fromkeys(PACE_QUERY_OF[k] for k in wanted))
    frames = [run_query(base, database_scope or scope, name, params) for name in queries]
    if not frames:
        return pl.DataFrame(schema={"kpi_id": pl.String, "week_end": pl.Date, "value": pl.Float64})
    return (
        pl.concat(frames, how="vertical_relaxed")
        .filter(pl.col("kpi_id").is_in(wanted))
        .select("kpi_id", "week_end", "value")
    )


def applying_target(targets: list[dict], scope: Scope, end: dt.date) -> dict | None:
    """Among the KPI's targets dated on or after `end`: the scope's own if it has any, else the national ones;
    of these the one with the earliest date (None: no target applies)."""
    live = [t for t in targets if t["target_date"] >= end]
    own = [t for t in live if scope.type != "all" and t["scope_type"] == scope.type]
    chosen = own or [t for t in live if t["scope_type"] == "all"]
    return min(chosen, key=lambda t: t["target_date"]) if chosen else None


def ols_slope(points: list[tuple[int, float]]) -> float:
    """Ordinary least squares slope of value on week number, per week."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return sxy / sxx


def pace_of(values: list[float | None], ends: list[dt.date], target: dict | None) -> dict:
    """The pace of one KPI from its 12 weekly values (None: a null week) and the target that applies."""
    points = [(k, v) for k, v in enumerate(values) if v is not None]
    last = points[-1] if points else None
    out = dict.fromkeys(
        (c for c in PACE_COLUMNS + DETAIL_COLUMNS if c not in ("series_week_ends", "series_values")), None
    )
    out["current_value"] = last[1] if last else None
    out["current_week_end"] = ends[last[0]] if last else None
    if target is not None:
        out.update(
            target_id=target["target_id"],
            target_scope_type=target["scope_type"],
            target_value=target["target_value"],
            target_date=target["target_date"],
            phase=target["phase"],
            basis_vi=target["basis_vi"],
            basis_en=target["basis_en"],
        )
    if len(points) >= MIN_TREND_WEEKS:
        out["slope_per_week"] = ols_slope(points)
    if target is None:
        out["status"] = "no_target"
        return out
    if last is None:
        out["status"] = "no_trend"
        return out
    v, goal, t0 = last[1], target["target_value"], out["current_week_end"]
    w = (target["target_date"] - t0).days / 7
    out["weeks_left"] = w
    out["required_per_week"] = (goal - v) / w if w else None
    b = out["slope_per_week"]
    if b is None:
        out["status"] = "no_trend"
        return out
    out["projected_value"] = v + b * w
    short = round(goal - v, _DECIMALS)
    if b > 0 and short > 0:
        out["projected_date"] = t0 + dt.timedelta(weeks=math.ceil(round(short / b, _DECIMALS)))
    if short <= 0:
        out["status"] = "reached"
    elif round(out["projected_value"] - goal, _DECIMALS) >= 0:
        out["status"] = "on_pace"
    else:
        out["status"] = "off_pace"
    return out


PACE_SCHEMA = {
    "kpi_id": pl.String,
    "target_value": pl.Float64,
    "target_date": pl.Date,
    "current_value": pl.Float64,
    "slope_per_week": pl.Float64,
    "projected_value": pl.Float64,
    "required_per_week": pl.Float64,
    "projected_date": pl.Date,
    "status": pl.String,
    "target_id": pl.String,
    "target_scope_type": pl.String,
    "phase": pl.String,
    "basis_vi": pl.String,
    "basis_en": pl.String,
    "current_week_end": pl.Date,
    "weeks_left": pl.Float64,
    "series_week_ends": pl.List(pl.Date),
    "series_values": pl.List(pl.Float64),
}


def compute_pace(
    base: Path,
    scope: Scope,
    end: dt.date,
    *,
    database_scope: Scope | None = None,
    series: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every targeted KPI's pace for `scope` as of `end` (metrics.md, "Targets and pace to 2030"): PACE_COLUMNS,
    then DETAIL_COLUMNS, one row per KPI that has a target of the scope or a national one (any date), in the
    catalogue's order. No kpi_targets table (or no target): no rows.

    `series`, when given, is `weekly_series(base, scope, end, <these KPIs or more>)` already read (the dashboard
    reads it once for the KPI cards' sparklines and the pace)."""
    db_scope = database_scope or scope
    targets = run_query(base, db_scope, "pace_targets", scope.params()).to_dicts()
    kpi_ids = [k for k in TARGET_KPIS if any(t["kpi_id"] == k for t in targets)]
    if not kpi_ids:
        return pl.DataFrame(schema=PACE_SCHEMA)
    ends = series_week_ends(end)
    if series is None:
        series = weekly_series(base, scope, end, kpi_ids, database_scope=db_scope)
    by_week = {(k, w): v for k, w, v in series.iter_rows()}
    rows = []
    for kpi_id in kpi_ids:
        values = [by_week.get((kpi_id, e)) for e in ends]
        target = applying_target([t for t in targets if t["kpi_id"] == kpi_id], scope, end)
        row = pace_of(values, ends, target)
        row.update(kpi_id=kpi_id, series_week_ends=ends, series_values=values)
        rows.append(row)
    return pl.DataFrame(rows, schema=PACE_SCHEMA)


def run_pace_command(base: Path, args: argparse.Namespace) -> int:
    """`python -m dashboard pace`: print every targeted KPI's pace as a table, CSV or JSON."""
    from dashboard.engine.db import DataMissingError

    try:
        scope = Scope.parse(args.scope)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        table = compute_pace(base, scope, args.end).select(PACE_COLUMNS)
    except DataMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if table.is_empty():
        print("no targets are set (no kpi_targets rows for this scope or national ones)", file=sys.stderr)
    if args.format == "csv":
        sys.stdout.write(table.write_csv(null_value="", float_precision=None))
    elif args.format == "json":
        print(json.dumps(table.to_dicts(), ensure_ascii=False, indent=2, default=str))
    else:
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True, tbl_width_chars=200):
            print(table)
    return 0
