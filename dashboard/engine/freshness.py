"""Freshness, "late or low?": how far each fact table lags the period's end, overall and per province and body.

For the period's end (or today, when the period ends in the future: days not yet lived cannot be late) and a
scope, `freshness()` gives one row per fact table and unit: the scope as a whole (`unit_type` "scope"), each
province and each central body in it (a province or body scope: itself only). Its `latest_on` is the latest
date of a row on or before that day (queries/freshness_latest.sql, from the weekly rollups for whole weeks),
`lag_days` the whole days from it to that day, and `status`:

* `late`: `lag_days` > the table's allowance: `late_days` (DASHBOARD_LATE_DAYS, default 2) for the daily facts
  (exchanges_daily, dossiers_daily); a week more (7 + late_days) for the weekly ones (quality_checks are run
  weekly, roadmap_updates are weekly reports dated by the Monday of their week);
* `no_data`: the unit has no row of that table on or before the day at all (a central body that processes no
  dossiers, a body whose roadmap items are all done): nothing is owed, so it is not called late;
* `fresh` otherwise.

Roadmap updates count only for items still open as of that day (not done, not cancelled). Each scope's database
holds only its rows, so a provincial user's freshness is computed from their province's rows alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboard import config
from dashboard.engine.query import run_query
from dashboard.scope import Scope

FACT_CADENCE = {
    "exchanges_daily": "daily",
    "dossiers_daily": "daily",
    "quality_checks": "weekly",
    "roadmap_updates": "weekly",
}
WEEKLY_EXTRA_DAYS = 7
FRESHNESS_COLUMNS = (
    "table_name",
    "unit_type",
    "unit_id",
    "name_vi",
    "name_en",
    "latest_on",
    "lag_days",
    "allowance_days",
    "status",
)


def allowance_days(table_name: str, late_days: int) -> int:
    """How many days `table_name` may lag before it is late: late_days for a daily fact, 7 more for a weekly one."""
    return late_days + (WEEKLY_EXTRA_DAYS if FACT_CADENCE[table_name] == "weekly" else 0)


def reference_day(end: dt.date, today: dt.date | None = None) -> dt.date:
    """The day lags are counted to: the period's end, or today when the period ends after today."""
    return min(end, today or config.today())


def freshness(
    base: Path,
    scope: Scope,
    end: dt.date,
    *,
    late_days: int | None = None,
    today: dt.date | None = None,
    database_scope: Scope | None = None,
) -> pl.DataFrame:
    """One row per (fact table, unit) with latest_on, lag_days, allowance_days and status (see the module)."""
    late_days = config.late_days() if late_days is None else late_days
    if late_days < 0:
        raise ValueError(f"late_days must be 0 or more, not {late_days}")
    day = reference_day(end, today)
    rows = run_query(base, database_scope or scope, "freshness_latest", {"end": day, **scope.params()})
    allowance = [allowance_days(name, late_days) for name in rows["table_name"]]
    lag = [None if latest is None else (day - latest).days for latest in rows["latest_on"]]
    status = ["no_data" if g is None else "late" if g > a else "fresh" for g, a in zip(lag, allowance)]
    return rows.with_columns(
        pl.Series("lag_days", lag, pl.Int64),
        pl.Series("allowance_days", allowance, pl.Int64),
        pl.Series("status", status, pl.String),
    ).select(FRESHNESS_COLUMNS)


@dataclass(frozen=True)
class LateUnit:
    """A province or body that is late in at least one table: its tables and its greatest lag."""

    unit_type: str  # "province" or "body"
    unit_id: str
    name_vi: str
    name_en: str
    tables: tuple[str, ...]
    lag_days: int

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class LateSummary:
    """What the banner, the manifest and the report say: the tables late for the scope as a whole, the tables late
    somewhere (in the scope or one of its provinces or bodies), and the late provinces and bodies, most late first."""

    day: dt.date
    late_days: int
    scope_tables: tuple[str, ...]
    tables: tuple[str, ...]
    units: tuple[LateUnit, ...]

    @property
    def is_late(self) -> bool:
        return bool(self.tables)

    def to_dict(self) -> dict:
        """The summary as JSON-ready values (the snapshot manifest's "freshness")."""
        return {
            "as_of": self.day.isoformat(),
            "late_days": self.late_days,
            "late_tables": list(self.tables),
            "late_tables_in_scope": list(self.scope_tables),
            "late_provinces": [_unit_dict(u) for u in self.units if u.unit_type == "province"],
            "late_bodies": [_unit_dict(u) for u in self.units if u.unit_type == "body"],
        }


def _unit_dict(unit: LateUnit) -> dict:
    return {"id": unit.unit_id, "name_vi": unit.name_vi, "name_en": unit.name_en, "tables": list(unit.tables),
            "lag_days": unit.lag_days}  # fmt: skip


def summarize(table: pl.DataFrame, day: dt.date, late_days: int) -> LateSummary:
    """The LateSummary of a freshness() table."""
    late = table.filter(pl.col("status") == "late")
    order = list(FACT_CADENCE)
    scope_tables = tuple(t for t in order if t in set(late.filter(pl.col("unit_type") == "scope")["table_name"]))
    tables = tuple(t for t in order if t in set(late["table_name"]))
    units = []
    for (unit_type, unit_id), rows in late.filter(pl.col("unit_type") != "scope").group_by(
        ["unit_type", "unit_id"], maintain_order=True
    ):
        units.append(
            LateUnit(
                unit_type,
                unit_id,
                rows["name_vi"][0],
                rows["name_en"][0],
                tuple(t for t in order if t in set(rows["table_name"])),
                int(rows["lag_days"].max()),
            )
        )
    # provinces before bodies, then the most late first, then by code: the same order in every language
    units.sort(key=lambda u: (u.unit_type != "province", -u.lag_days, u.unit_id))
    return LateSummary(day, late_days, scope_tables, tables, tuple(units))


def late_summary(
    base: Path, scope: Scope, end: dt.date, *, late_days: int | None = None, today: dt.date | None = None
) -> LateSummary:
    """freshness() for (scope, end), summed up for the banner, the manifest and the report."""
    late_days = config.late_days() if late_days is None else late_days
    table = freshness(base, scope, end, late_days=late_days, today=today)
    return summarize(table, reference_day(end, today), late_days)


def late_provinces(
    base: Path, scope: Scope, end: dt.date, *, late_days: int | None = None, today: dt.date | None = None
) -> dict[str, tuple[str, ...]]:
    """{province_code: the fact tables late there} for the provinces of `scope` with late data as of `end`.

    For the province scorecard: mark a province in this dict "late data", so that a late extract is not read as a
    lagging province. A province with no row at all in a table is not in it (that is "no data", not "late").
    """
    summary = late_summary(base, scope, end, late_days=late_days, today=today)
    return {u.unit_id: u.tables for u in summary.units if u.unit_type == "province"}
