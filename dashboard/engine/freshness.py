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
from dashboard.i18n import fmt_date, fmt_number, t
from dashboard.scope import Scope

FACT_CADENCE = {
    "exchanges_daily": "daily",
    "dossiers_daily": "daily",
    "quality_checks": "weekly",
    "roadmap_updates": "weekly",
}
WEEKLY_EXTRA_DAYS = 7
MAX_NAMED = 5  # provinces and bodies named per table in the banner; the rest are counted
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
    """A province or body late in one table: its latest date there and its lag."""

    unit_type: str  # "province" or "body"
    unit_id: str
    name_vi: str
    name_en: str
    latest_on: dt.date
    lag_days: int

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def to_dict(self) -> dict:
        return {"id": self.unit_id, "name_vi": self.name_vi, "name_en": self.name_en,
                "latest_on": self.latest_on.isoformat(), "lag_days": self.lag_days}  # fmt: skip


@dataclass(frozen=True)
class LateTable:
    """A fact table late somewhere: for the scope as a whole (scope_latest_on and scope_lag_days set) and/or in
    some of its provinces and bodies (provinces first, then the most late first, then by code)."""

    table_name: str
    allowance_days: int
    scope_latest_on: dt.date | None
    scope_lag_days: int | None
    units: tuple[LateUnit, ...]

    def to_dict(self) -> dict:
        return {
            "table": self.table_name,
            "allowance_days": self.allowance_days,
            "scope_late": self.scope_lag_days is not None,
            "scope_latest_on": self.scope_latest_on.isoformat() if self.scope_latest_on else None,
            "scope_lag_days": self.scope_lag_days,
            "late_provinces": [u.to_dict() for u in self.units if u.unit_type == "province"],
            "late_bodies": [u.to_dict() for u in self.units if u.unit_type == "body"],
        }


@dataclass(frozen=True)
class LateSummary:
    """What the banner, the manifest and the report say: the day lags are counted to, the setting, and the tables
    late somewhere (in FACT_CADENCE order); empty when everything is fresh."""

    day: dt.date
    late_days: int
    tables: tuple[LateTable, ...]

    @property
    def is_late(self) -> bool:
        return bool(self.tables)

    def province_tables(self) -> dict[str, tuple[str, ...]]:
        """{province_code: the tables late there}."""
        out: dict[str, list[str]] = {}
        for table in self.tables:
            for unit in table.units:
                if unit.unit_type == "province":
                    out.setdefault(unit.unit_id, []).append(table.table_name)
        return {code: tuple(names) for code, names in sorted(out.items())}

    def to_dict(self) -> dict:
        """The summary as JSON-ready values (the snapshot manifest's "freshness")."""
        return {
            "as_of": self.day.isoformat(),
            "late_days": self.late_days,
            "late_tables": [t.to_dict() for t in self.tables],
        }


def summarize(table: pl.DataFrame, day: dt.date, late_days: int) -> LateSummary:
    """The LateSummary of a freshness() table."""
    found = []
    for name in FACT_CADENCE:
        rows = table.filter((pl.col("table_name") == name) & (pl.col("status") == "late"))
        if rows.is_empty():
            continue
        scope_row = rows.filter(pl.col("unit_type") == "scope")
        units = [
            LateUnit(r["unit_type"], r["unit_id"], r["name_vi"], r["name_en"], r["latest_on"], r["lag_days"])
            for r in rows.filter(pl.col("unit_type") != "scope").iter_rows(named=True)
        ]
        units.sort(key=lambda u: (u.unit_type != "province", -u.lag_days, u.unit_id))
        found.append(
            LateTable(
                name,
                allowance_days(name, late_days),
                scope_row["latest_on"][0] if len(scope_row) else None,
                scope_row["lag_days"][0] if len(scope_row) else None,
                tuple(units),
            )
        )
    return LateSummary(day, late_days, tuple(found))


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
    return late_summary(base, scope, end, late_days=late_days, today=today).province_tables()


def _days(n: int, lang: str) -> str:
    return t("freshness.day_one", lang) if n == 1 else t("freshness.days", lang, n=fmt_number(n, lang))


def table_lines(summary: LateSummary, lang: str, max_named: int = MAX_NAMED) -> list[tuple[str, str]]:
    """(table label, what is late) for each late table, in `lang`: the scope's own latest date and lag when it is
    late as a whole, then at most `max_named` provinces and bodies (the most late first) and how many more."""
    out = []
    for table in summary.tables:
        detail = ""
        if table.scope_lag_days is not None:
            latest = fmt_date(table.scope_latest_on, lang)
            detail = " " + t("freshness.scope_late", lang, latest=latest, lag=_days(table.scope_lag_days, lang))
        named = [
            t("freshness.unit_lag", lang, name=u.name(lang), lag=_days(u.lag_days, lang))
            for u in table.units[:max_named]
        ]
        rest = len(table.units) - len(named)
        if rest:
            named.append(t("freshness.more", lang, n=fmt_number(rest, lang)))
        if named:
            detail += ": " + ", ".join(named)
        out.append((t(f"freshness.table.{table.table_name}", lang), detail))
    return out


def rule_text(summary: LateSummary, lang: str) -> str:
    """What "late" means under the current setting, in `lang`."""
    weekly = _days(summary.late_days + WEEKLY_EXTRA_DAYS, lang)
    return t("freshness.rule", lang, daily=_days(summary.late_days, lang), weekly=weekly)


def title_text(summary: LateSummary, lang: str) -> str:
    return t("freshness.banner_title", lang, day=fmt_date(summary.day, lang))


def banner_lines(summary: LateSummary, lang: str, max_named: int = MAX_NAMED) -> list[str]:
    """The banner in `lang` as Markdown lines (a heading, one line per late table, the rule); [] when all is fresh."""
    if not summary.is_late:
        return []
    tables = [f"- **{label}**{detail}" for label, detail in table_lines(summary, lang, max_named)]
    return [title_text(summary, lang), *tables, rule_text(summary, lang)]


def report_lines(summary: LateSummary, lang: str, max_named: int = MAX_NAMED) -> list[str]:
    """The same as plain text lines for the weekly report; one line saying all is fresh when nothing is late."""
    if not summary.is_late:
        return [t("freshness.all_fresh", lang)]
    tables = [f"{label}{detail}" for label, detail in table_lines(summary, lang, max_named)]
    return [title_text(summary, lang), *tables, rule_text(summary, lang)]


def late_data_note(tables: tuple[str, ...], lang: str) -> str:
    """The scorecard's explanation for a province marked "late data" (t("freshness.late_data")), naming its tables."""
    names = ", ".join(t(f"freshness.table.{name}", lang) for name in tables)
    return t("freshness.late_data_help", lang, tables=names)
