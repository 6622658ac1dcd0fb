"""The weekly report's content, gathered once and written as XLSX, HTML and PDF (see dashboard.weekly.snapshot).

The numbers come from the same places as the dashboard: the KPI table of `dashboard.engine.kpis` (read from the
snapshot's own kpis.parquet) and the named queries of queries/ that the pages run, with the week as the
period and the report's scope. Nothing here needs Streamlit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from dashboard.engine.kpi_text import formatted, status_word, values_mapped, with_worst_status
from dashboard.engine.kpis import (
    AREAS,
    DEFAULT_MINUTES_PER_DOSSIER,
    KPI_BY_ID,
    KPIS,
    NOT_READY_THRESHOLD,
    READY_THRESHOLD,
    status_for,
)
from dashboard.engine.query import run_query
from dashboard.engine.summary import Summary
from dashboard.i18n import fmt_number, fmt_percent, t
from dashboard.period import Period
from dashboard.scope import Scope
from dashboard.web import charts

TREND_DAYS = 84  # the trends show the last 12 weeks up to the report's week, as the overview does


@dataclass
class Table:
    """One table of the report, and the chart drawn from it (if any)."""

    name: str
    title: str
    frame: pl.DataFrame
    columns: dict[str, str]  # the columns shown, in order, and their labels
    formats: dict[str, str] = field(default_factory=dict)  # percent, number, decimal, date, text
    chart: go.Figure | None = None
    note: str | None = None
    html_rows: int | None = 15  # rows printed in the HTML/PDF; the XLSX always has every row
    error: str | None = None  # why the table could not be made (the rest of the report still is)
    short_title: str | None = None  # a name short enough for a sheet (31 characters), when it has its own

    @property
    def shown(self) -> pl.DataFrame:
        return self.frame.select([c for c in self.columns if c in self.frame.columns])


@dataclass
class Section:
    """One page of the dashboard in the report; `key` is the page's (its sheet takes the page's short name)."""

    key: str
    title: str
    tables: list[Table]


@dataclass
class Report:
    """Everything the three report formats show."""

    week: str
    period: Period
    scope: Scope
    scope_name: str
    lang: str
    created_at: dt.datetime
    data_version: str
    code_version: str
    kpis: pl.DataFrame  # kpi_id, value, numerator, denominator, status, previous_value, previous_status, change
    previous_week: str
    previous_found: bool
    sections: list[Section]
    sql_pages: list[Table]
    scopes: pl.DataFrame | None  # every scope's KPIs (the `all` report only), for the XLSX
    minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER
    # how late the data is for the week (dashboard.engine.freshness.report_lines): a heading, one line per late
    # table, the rule; or one line saying every source is up to date
    freshness: list[str] = field(default_factory=list)
    # the week in words (dashboard/engine/summary.py) in every language, the report's first section
    summary: Summary = field(default_factory=Summary)

    @property
    def summary_sentences(self) -> list[str]:
        return list(self.summary.sentences.get(self.lang, ()))

    @property
    def data_late(self) -> bool:
        return len(self.freshness) > 1

    def tr(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    @property
    def errors(self) -> list[str]:
        tables = [tb for s in self.sections for tb in s.tables] + self.sql_pages
        summary = [f"summary: {self.summary.error}"] if self.summary.error else []
        return summary + [f"{tb.name}: {tb.error}" for tb in tables if tb.error]


# ---- KPI areas -----------------------------------------------------------------------------------------


def kpis_by_area() -> dict[str, list[str]]:
    return {area: [k.id for k in KPIS if k.area == area] for area in AREAS}


# ---- gathering the sections ---------------------------------------------------------------------------

Query = Callable[..., pl.DataFrame]


def _table(name: str, make: Callable[[], Table]) -> Table:
    """Make one table; a failure becomes the table's error, and the rest of the report is still made."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - one broken table must not cost the meeting its report
        return Table(name, name, pl.DataFrame(), {}, error=f"{type(exc).__name__}: {exc}")


def _overview(q: Query, period: Period, lang: str) -> Section:
    def tr(key: str, **v) -> str:
        return t(key, lang, **v)

    def sharing_trend() -> Table:
        weekly = q("sharing_weekly", trend_start=period.end - dt.timedelta(days=TREND_DAYS - 1))
        chart = None
        if not weekly.is_empty():
            chart = charts.weekly_trend(
                weekly,
                x="week_start",
                bars="count_calls_ok",
                line="success_rate",
                bars_label=tr("overview.sharing_trend_calls"),
                line_label=tr("overview.sharing_trend_rate"),
                x_label=tr("overview.week"),
                lang=lang,
            )
        columns = {"week_start": tr("overview.week"), "count_calls": tr("sharing.col.count_calls")}
        columns |= {"count_calls_ok": tr("overview.sharing_trend_calls")}
        columns |= {"success_rate": tr("overview.sharing_trend_rate")}
        formats = {"week_start": "date", "count_calls": "number", "count_calls_ok": "number"}
        return Table(
            "sharing_weekly",
            tr("overview.sharing_trend"),
            weekly,
            columns,
            formats | {"success_rate": "percent"},
            chart,
        )

    def roadmap() -> Table:
        phases = formatted(q("roadmap_by_phase"), {"phase": "code:phase"}, lang)
        chart = None
        if not phases.is_empty():
            chart = charts.progress_vs_plan(
                phases,
                category="phase",
                actual="progress",
                planned="planned",
                actual_label=tr("overview.progress"),
                planned_label=tr("overview.planned"),
                lang=lang,
            )
        columns = {"phase": tr("column.phase"), "progress": tr("overview.progress"), "planned": tr("overview.planned")}
        return Table(
            "roadmap_by_phase",
            tr("overview.roadmap_heading"),
            phases,
            columns,
            dict.fromkeys(["progress", "planned"], "percent"),
            chart,
        )

    def attention_datasets() -> Table:
        rows = q("attention_datasets", limit=5).with_columns(pl.col("owner_name").fill_null(tr("column.no_owner")))
        rows = formatted(rows, {"weakest_criterion": "code:criterion"}, lang)
        columns = {"dataset_name": tr("column.dataset"), "owner_name": tr("column.owner")}
        columns |= {"quality_index": tr("column.quality_index"), "weakest_criterion": tr("column.weakest")}
        return Table(
            "attention_datasets", tr("overview.attention_quality"), rows, columns, {"quality_index": "percent"}
        )

    def attention_milestones() -> Table:
        rows = formatted(q("attention_milestones", limit=10), {"status": "code:roadmap_status"}, lang)
        columns = {"milestone_title": tr("column.milestone"), "owner_name": tr("column.responsible")}
        columns |= {"planned_due": tr("column.due"), "days_overdue": tr("column.days_overdue")}
        columns |= {"status": tr("column.status"), "pct_complete": tr("column.pct_complete")}
        formats = {"planned_due": "date", "days_overdue": "number", "pct_complete": "percent"}
        return Table("attention_milestones", tr("overview.attention_milestones"), rows, columns, formats)

    def attention_provinces() -> Table:
        rows = q("attention_provinces", limit=5)
        columns = {"province_name": tr("column.province"), "committee_name": tr("column.responsible")}
        columns |= {"connected_share": tr("column.connected"), "success_rate": tr("column.success_rate")}
        columns |= {"count_calls_ok": tr("column.calls_ok")}
        formats = {"connected_share": "percent", "success_rate": "percent", "count_calls_ok": "number"}
        return Table("attention_provinces", tr("overview.attention_provinces"), rows, columns, formats)

    makers = {
        "sharing_weekly": sharing_trend,
        "roadmap_by_phase": roadmap,
        "attention_datasets": attention_datasets,
        "attention_milestones": attention_milestones,
        "attention_provinces": attention_provinces,
    }
    return Section("overview", tr("overview.title"), [_table(n, m) for n, m in makers.items()])


SHARING_FORMATS = dict.fromkeys(
    ["sharing_coverage", "shared_data_utilization", "exchange_success_rate", "share_calls_ok", "success_rate"],
    "percent",
)
SHARING_FORMATS |= dict.fromkeys(
    ["count_calls", "count_calls_ok", "count_datasets", "count_consumers", "count_providers", "p95_latency_ms"],
    "number",
)


def _labelled(prefix: str, columns: str, lang: str) -> dict[str, str]:
    return {c: t(f"{prefix}.{c}", lang) for c in columns.split()}


def _sharing(q: Query, lang: str) -> Section:
    def tr(key: str, **v) -> str:
        return t(key, lang, **v)

    def flows() -> Table:
        rows = q("sharing_level_flows")
        chart = None
        if not rows.is_empty():
            levels = {level: tr(f"sharing.level.{level}") for level in charts.LEVELS}
            sides = (tr("sharing.provider_side"), tr("sharing.consumer_side"))
            chart = charts.level_flows(rows, names=levels, titles=sides, lang=lang)
        rows = formatted(rows, {"provider_level": "code:sharing.level", "consumer_level": "code:sharing.level"}, lang)
        columns = _labelled("sharing.col", "provider_level consumer_level count_calls_ok share_calls_ok", lang)
        return Table(
            "sharing_level_flows", tr("sharing.flows"), rows, columns, SHARING_FORMATS, chart, tr("sharing.flows_note")
        )

    def top(role: str, partners: str) -> Table:
        rows = q("sharing_top_bodies", role=role, limit=10).rename({"count_partners": f"count_{partners}"})
        rows = formatted(rows, {"level": "code:sharing.level"}, lang)
        columns = _labelled(
            "sharing.col", f"agency_name level count_calls_ok success_rate count_datasets count_{partners}", lang
        )
        return Table(f"sharing_top_{role}s", tr(f"sharing.top_{role}s"), rows, columns, SHARING_FORMATS)

    def provinces() -> Table:
        rates = ["sharing_coverage", "shared_data_utilization", "exchange_success_rate"]
        rows = with_worst_status(q("sharing_provinces"), {r: r for r in rates}, lang, dots=False)
        columns = _labelled("sharing.col", f"province_name status {' '.join(rates)} count_calls_ok", lang)
        return Table("sharing_provinces", tr("sharing.provinces"), rows, columns, SHARING_FORMATS, html_rows=None)

    def datasets() -> Table:
        rows = q("sharing_datasets").with_columns(pl.col("owner_name").fill_null(tr("column.no_owner")))
        columns = _labelled(
            "sharing.col", "dataset_name owner_name count_consumers count_calls success_rate p95_latency_ms", lang
        )
        return Table(
            "sharing_datasets", tr("sharing.datasets"), rows, columns, SHARING_FORMATS, note=tr("sharing.datasets_note")
        )

    makers = {
        "sharing_level_flows": flows,
        "sharing_top_providers": lambda: top("provider", "consumers"),
        "sharing_top_consumers": lambda: top("consumer", "providers"),
        "sharing_provinces": provinces,
        "sharing_datasets": datasets,
    }
    return Section("sharing", tr("sharing.title"), [_table(n, m) for n, m in makers.items()])


REUSE_FORMATS = dict.fromkeys(["dossier_reuse_rate", "prefill_rate"], "percent") | {"week_start": "date"}
REUSE_FORMATS |= dict.fromkeys(
    ["count_bodies", "count_consumers", "count_fields_redeclared", "count_dossiers", "count_fields", "count_datasets"],
    "number",
)


def _reuse(q: Query, period: Period, lang: str) -> Section:
    def tr(key: str, **v) -> str:
        return t(key, lang, **v)

    rates = ("dossier_reuse_rate", "prefill_rate")

    def trend() -> Table:
        weekly = q("reuse_weekly", start=period.end - dt.timedelta(days=TREND_DAYS - 1))
        chart = None
        if not weekly.is_empty():
            lines = {rate: tr(f"reuse.col.{rate}") for rate in rates}
            targets = {
                r: (KPI_BY_ID[r].green, tr("reuse.threshold", value=fmt_percent(KPI_BY_ID[r].green, lang, 0)))
                for r in rates
            }
            chart = charts.rates_trend(
                weekly, x="week_start", lines=lines, targets=targets, x_label=tr("reuse.week"), lang=lang
            )
        columns = {"week_start": tr("reuse.week"), "count_dossiers": tr("reuse.col.count_dossiers")}
        columns |= {
            "dossier_reuse_rate": tr("reuse.col.dossier_reuse_rate"),
            "prefill_rate": tr("reuse.col.prefill_rate"),
        }
        return Table("reuse_weekly", tr("reuse.trend"), weekly, columns, REUSE_FORMATS, chart)

    def breadth() -> Table:
        rows = q("reuse_breadth_distribution")
        chart = None
        if rows["count_datasets"].sum():
            axes = {"x_label": tr("reuse.breadth_x"), "y_label": tr("reuse.breadth_y")}
            chart = charts.distribution_bars(
                rows, x="consumers_bucket", y="count_datasets", highlight="is_reused", lang=lang, **axes
            )
        columns = {"consumers_bucket": tr("reuse.breadth_x"), "count_datasets": tr("reuse.breadth_y")}
        return Table(
            "reuse_breadth_distribution",
            tr("reuse.breadth"),
            rows,
            columns,
            REUSE_FORMATS,
            chart,
            tr("reuse.breadth_note"),
        )

    def by_procedure() -> Table:
        rows = q("reuse_hotspots_by_procedure")
        columns = _labelled(
            "reuse.col",
            "procedure_name count_fields_redeclared prefill_rate count_dossiers dossier_reuse_rate top_body_name",
            lang,
        )
        title = f"{tr('reuse.hotspots')} · {tr('reuse.by_procedure')}"
        return Table("reuse_hotspots_by_procedure", title, rows, columns, REUSE_FORMATS, note=tr("reuse.hotspots_note"))

    def by_body() -> Table:
        rows = formatted(q("reuse_hotspots_by_body"), {"level": "code:sharing.level"}, lang)
        columns = _labelled(
            "reuse.col",
            "agency_name level province_name count_fields_redeclared prefill_rate count_dossiers dossier_reuse_rate "
            "top_procedure_name",
            lang,
        )
        title = f"{tr('reuse.hotspots')} · {tr('reuse.by_body')}"
        return Table("reuse_hotspots_by_body", title, rows, columns, REUSE_FORMATS)

    makers = {
        "reuse_weekly": trend,
        "reuse_breadth_distribution": breadth,
        "reuse_hotspots_by_procedure": by_procedure,
        "reuse_hotspots_by_body": by_body,
    }
    return Section("reuse", tr("reuse.title"), [_table(n, m) for n, m in makers.items()])


def _quality(q: Query, period: Period, lang: str) -> Section:
    def tr(key: str, **v) -> str:
        return t(key, lang, **v)

    crit = {c: tr(f"criterion.{c}") for c in charts.CRITERIA}
    bands = {"green": READY_THRESHOLD, "amber": NOT_READY_THRESHOLD, "lang": lang}
    limits = {"ready": fmt_percent(READY_THRESHOLD, lang, 0), "not_ready": fmt_percent(NOT_READY_THRESHOLD, lang, 0)}
    percent = dict.fromkeys([*charts.CRITERIA, "quality_index", "pass_rate", "value"], "percent")
    numbers = dict.fromkeys(["count_datasets_below", "count_records_failed", "count_datasets"], "number")

    def trend() -> Table:
        weekly = q("quality_criteria_weekly", trend_start=period.end - dt.timedelta(days=TREND_DAYS - 1))
        chart = None
        if not weekly.is_empty():
            chart = charts.criteria_trend(weekly, x="as_of", value="value", names=crit, **bands)
        rows = formatted(weekly, {"criterion": "code:criterion"}, lang)
        columns = {
            "as_of": tr("overview.week"),
            "criterion": tr("quality.col.criterion"),
            "value": tr("snapshot.col.value"),
        }
        columns |= {"count_datasets": tr("sharing.col.count_datasets")}
        return Table(
            "quality_criteria_weekly",
            tr("quality.trend"),
            rows,
            columns,
            percent | numbers | {"as_of": "date"},
            chart,
            tr("quality.bands", **limits),
        )

    def datasets() -> Table:
        rows = q("quality_datasets", ready_threshold=READY_THRESHOLD, not_ready_threshold=NOT_READY_THRESHOLD)
        rows = rows.with_columns(pl.col("owner_name").fill_null(tr("column.no_owner")))
        chart = None
        if not rows.is_empty():
            chart = charts.criteria_heatmap(rows.head(20), label="dataset_name", columns=crit, **bands)
        groups = values_mapped(rows["readiness_group"], lambda g: None if g is None else tr(f"quality.group_{g}"))
        rows = rows.with_columns(groups)
        columns = {"dataset_name": tr("column.dataset"), "quality_index": tr("column.quality_index"), **crit}
        columns |= {"readiness_group": tr("quality.groups"), "owner_name": tr("column.owner")}
        note = tr("quality.heatmap_rows", shown=min(20, len(rows)), n=len(rows)) + " " + tr("quality.bands", **limits)
        return Table("quality_datasets", tr("quality.heatmap"), rows, columns, percent, chart, note)

    def worst_rules() -> Table:
        rows = q("quality_worst_rules", limit=10, ready_threshold=READY_THRESHOLD)
        rows = formatted(rows, {"criterion": "code:criterion", "dimension": "code:quality.dimension"}, lang)
        names = "criterion pass_rate count_datasets_below count_records_failed dimension rule_description"
        columns = {c: tr(f"quality.col.{c}", **limits) for c in names.split()}
        return Table("quality_worst_rules", tr("quality.worst_rules"), rows, columns, percent | numbers)

    makers = {"quality_criteria_weekly": trend, "quality_datasets": datasets, "quality_worst_rules": worst_rules}
    return Section("quality", tr("quality.title"), [_table(n, m) for n, m in makers.items()])


ROADMAP_FORMATS = dict.fromkeys(
    ["roadmap_progress", "planned_progress", "schedule_performance", "pct_complete"], "percent"
)
ROADMAP_FORMATS |= dict.fromkeys(["planned_due", "completed_on"], "date")
ROADMAP_FORMATS |= dict.fromkeys(["days_overdue", "days_late", "count_items", "count_overdue"], "number")


def _status_words(df: pl.DataFrame, kpi_id: str, column: str, name: str, lang: str) -> pl.DataFrame:
    """Adds `name`: the status of `column` by the thresholds of `kpi_id`, in words; the rows keep their order."""
    word = values_mapped(df[column], lambda v: status_word(kpi_id, status_for(kpi_id, v), lang))
    return df.with_columns(word.alias(name))


def _roadmap(q: Query, lang: str) -> Section:
    def tr(key: str, **v) -> str:
        return t(key, lang, **v)

    def by(kind: str) -> Table:
        rows = q("roadmap_progress_by_group").filter(pl.col("group_type") == kind).rename({"group_id": kind})
        rows = formatted(rows, {kind: f"code:{kind}"}, lang)
        chart = None
        if not rows.is_empty():
            plan = {"actual": "roadmap_progress", "planned": "planned_progress", "lang": lang}
            plan |= {"actual_label": tr("roadmap.actual"), "planned_label": tr("roadmap.planned")}
            chart = charts.progress_vs_plan(rows, category=kind, **plan)
        rows = _status_words(rows, "schedule_performance", "schedule_performance", "spi_status", lang)
        names = f"{kind} roadmap_progress planned_progress schedule_performance spi_status count_items count_overdue"
        title = f"{tr('roadmap.progress')} · {tr(f'roadmap.by_{kind}')}"
        return Table(f"roadmap_by_{kind}", title, rows, _labelled("roadmap.col", names, lang), ROADMAP_FORMATS, chart)

    def milestones() -> Table:
        rows = formatted(q("roadmap_milestones"), {"outcome": "code:roadmap.outcome"}, lang)
        names = "milestone_title owner_name planned_due completed_on outcome days_late"
        columns = _labelled("roadmap.col", names, lang)
        return Table("roadmap_milestones", tr("roadmap.milestones"), rows, columns, ROADMAP_FORMATS, html_rows=25)

    def overdue() -> Table:
        rows = formatted(q("roadmap_overdue_items"), {"status": "code:roadmap_status"}, lang)
        kinds = (
            pl.when(pl.col("is_milestone")).then(pl.lit(tr("roadmap.milestone"))).otherwise(pl.lit(tr("roadmap.task")))
        )
        rows = rows.with_columns(kinds.alias("is_milestone"))
        names = "item_title is_milestone owner_name planned_due days_overdue status pct_complete"
        columns = _labelled("roadmap.col", names, lang)
        return Table("roadmap_overdue_items", tr("roadmap.overdue"), rows, columns, ROADMAP_FORMATS, html_rows=25)

    makers = {
        "roadmap_by_phase": lambda: by("phase"),
        "roadmap_by_pillar": lambda: by("pillar"),
        "roadmap_milestones": milestones,
        "roadmap_overdue_items": overdue,
    }
    return Section("roadmap", tr("roadmap.title"), [_table(n, m) for n, m in makers.items()])


GOVERNANCE_FORMATS = {"dictionary_coverage": "percent"}
GOVERNANCE_FORMATS |= dict.fromkeys(
    ["count_fields", "count_fields_mapped", "count_datasets", "count_key_databases", "count_reached"], "number"
)


def _governance(q: Query, lang: str) -> Section:
    def tr(key: str, **v) -> str:
        return t(key, lang, **v)

    def words(df: pl.DataFrame) -> pl.DataFrame:
        df = formatted(df, {"lifecycle_stage": "code:governance.stage", "missing": "code:governance.missing"}, lang)
        if "is_key_database" in df.columns:
            key = pl.when(pl.col("is_key_database")).then(pl.lit(tr("governance.yes"))).otherwise(pl.lit(""))
            df = df.with_columns(key.alias("is_key_database"))
        if "owner_name" in df.columns:
            df = df.with_columns(pl.col("owner_name").fill_null(tr("column.no_owner")))
        return df

    def lifecycle() -> Table:
        stages = q("governance_lifecycle")
        chart = None
        if stages["count_datasets"].sum():
            counts = dict(zip(stages["lifecycle_stage"], stages["count_datasets"]))
            reached = {s: tr(f"governance.reached.{s}") for s in ("planned", "building", "operating")}
            own = {
                s: tr("governance.in_stage", stage=tr(f"governance.stage.{s}"), n=fmt_number(counts[s], lang))
                for s in reached
            }
            chart = charts.lifecycle_funnel(stages, names=reached, stage_counts=own, lang=lang)
        names = "lifecycle_stage count_datasets count_key_databases count_reached"
        columns = _labelled("governance.col", names, lang)
        return Table(
            "governance_lifecycle", tr("governance.lifecycle"), words(stages), columns, GOVERNANCE_FORMATS, chart
        )

    def without_owner() -> Table:
        rows = words(q("governance_datasets_without_owner"))
        names = "dataset_name missing owner_name steward lifecycle_stage is_key_database"
        columns = _labelled("governance.col", names, lang)
        note = tr("governance.without_owner_note")
        return Table("governance_datasets_without_owner", tr("governance.without_owner"), rows, columns, note=note)

    def coverage(by: str) -> Table:
        rows = _status_words(
            q(f"governance_dictionary_by_{by}"), "dictionary_coverage", "dictionary_coverage", "status", lang
        )
        first, last = ("dataset_name", "owner_name") if by == "dataset" else ("owner_name", "count_datasets")
        names = f"{first} dictionary_coverage status count_fields_mapped count_fields {last}"
        title = f"{tr('governance.coverage')} · {tr(f'governance.by_{by}')}"
        columns = _labelled("governance.col", names, lang)
        return Table(f"governance_dictionary_by_{by}", title, words(rows), columns, GOVERNANCE_FORMATS)

    makers = {
        "governance_lifecycle": lifecycle,
        "governance_datasets_without_owner": without_owner,
        "governance_dictionary_by_dataset": lambda: coverage("dataset"),
        "governance_dictionary_by_body": lambda: coverage("body"),
    }
    return Section("governance", tr("governance.title"), [_table(n, m) for n, m in makers.items()])


def gather_sections(base: Path, period: Period, scope: Scope, lang: str) -> list[Section]:
    """The report's sections: the dashboard's pages, each with the tables behind its charts."""
    common = {**period.params(), **scope.params(), "lang": lang}

    def q(name: str, **extra) -> pl.DataFrame:
        frame = run_query(base, scope, name, {**common, **extra})
        # Sums of big integers may come back as DECIMAL: plain numbers for the writers.
        return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))

    return [
        _overview(q, period, lang),
        _sharing(q, lang),
        _reuse(q, period, lang),
        _quality(q, period, lang),
        _roadmap(q, lang),
        _governance(q, lang),
    ]


# ---- SQL pages marked `snapshot: true` ----------------------------------------------------------------------

SQL_PAGE_FORMATS = {"integer": "number", "decimal": "decimal", "percent": "percent", "date": "date", "text": "text"}


def sql_page_tables(base: Path, period: Period, scope: Scope, lang: str) -> list[Table]:
    """One table per analyst SQL page whose header says `snapshot: true`, run with the report's week and scope
    and the page's default parameters (dashboard.sqlpages.run, issue 4)."""
    from dashboard.engine.db import database
    from dashboard.sqlpages import run as sqlpages
    from dashboard.sqlpages.header import snapshot_pages

    tables = []
    for page in snapshot_pages():
        title = page.header.title(lang)
        name = f"sqlpage_{page.path.stem}"

        def make(page=page, title=title, name=name) -> Table:
            globals_ = sqlpages.global_values(period, scope, lang)
            options = {
                key: sqlpages.options_of(database(base, scope), spec, globals_, lang)
                for key, spec in page.header.params.items()
                if spec.type in ("select", "multiselect")
            }
            values = sqlpages.default_values(page, period.end, options, period=period)
            frame = sqlpages.run_page(base, scope, page, values, period, lang).frame
            frame = frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
            wanted = next((c.columns for c in page.header.charts if c.type == "table" and c.columns), None)
            shown = [c for c in (wanted or frame.columns) if c in frame.columns]
            labels = {c: (page.header.columns[c](lang) if c in page.header.columns else c) for c in shown}
            formats = {
                c: SQL_PAGE_FORMATS.get(page.header.columns[c].format or "", "")
                for c in shown
                if c in page.header.columns
            }
            note = page.header.description(lang) if page.header.description else None
            return Table(name, title, frame, labels, formats, note=note, html_rows=20)

        table = _table(name, make)
        table.title = title
        table.short_title = page.header.menu_title(lang) if page.header.menu_title else None
        tables.append(table)
    return tables
