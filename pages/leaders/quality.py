"""Quality: correct - sufficient - clean - live. Queries: kpis_quality, quality_criteria_weekly, quality_datasets,
quality_worst_rules, quality_dataset_rules, quality_dataset_history."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard.engine import kpi_text
from dashboard.engine.kpis import NOT_READY_THRESHOLD, READY_THRESHOLD
from dashboard.i18n import fmt_percent
from dashboard.web import charts, ui
from dashboard.web.charts import CRITERIA

HEATMAP_ROWS = 20
GROUP_COLOURS = {1: "green", 2: "orange", 3: "red"}
f = ui.filters()
ui.prefetch(ui.kpis_read(), ui.series_read())  # the cards' reads beside the freshness banner's
st.title(f.tr("quality.title"))
st.caption(f.tr("quality.intro"))
ui.period_caption()
crit = {c: f.tr(f"criterion.{c}") for c in CRITERIA}
bands = {"green": READY_THRESHOLD, "amber": NOT_READY_THRESHOLD, "lang": f.lang}
limits = {"ready": fmt_percent(READY_THRESHOLD, f.lang, 0), "not_ready": fmt_percent(NOT_READY_THRESHOLD, f.lang, 0)}
trend_start = min(f.period.start, f.period.end - dt.timedelta(days=83))
label = {"dataset_name": f.tr("column.dataset"), "quality_index": f.tr("column.quality_index"), **crit}
label["owner_name"] = f.tr("column.owner")
formats = dict.fromkeys([*CRITERIA, "quality_index", "pass_rate"], "percent") | {"criterion": "criterion"}
formats |= dict.fromkeys(["count_datasets_below", "count_records_failed", "records_checked"], "number")
formats["checked_on"] = "date"


def columns(*names: str) -> dict[str, str]:
    return {n: label.get(n) or f.tr(f"quality.col.{n}", **limits) for n in names}


def with_dimension_names(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(kpi_text.values_mapped(df["dimension"], lambda d: f.tr(f"quality.dimension.{d}")))


def checked_datasets() -> pl.DataFrame:
    found = ui.query("quality_datasets", ready_threshold=READY_THRESHOLD, not_ready_threshold=NOT_READY_THRESHOLD)
    return found.with_columns(pl.col("owner_name").fill_null(f.tr("column.no_owner")))


with ui.part(f.tr("quality.cards")):
    ids = ["quality_correct", "quality_sufficient", "quality_clean", "quality_live", "quality_index", "datasets_ready"]
    ui.kpi_cards(ui.kpis(), ids)

with ui.part(f.tr("quality.trend")):
    st.subheader(f.tr("quality.trend"))
    weekly = ui.query("quality_criteria_weekly", trend_start=trend_start)
    if weekly.is_empty():
        st.info(f.tr("quality.none_checked"))
    else:
        st.plotly_chart(ui.figure(charts.criteria_trend, weekly, x="as_of", value="value", names=crit, **bands))
        st.caption(f.tr("quality.bands", **limits))

with ui.part(f.tr("quality.heatmap")):
    st.subheader(f.tr("quality.heatmap"))
    found = checked_datasets()
    show_all = len(found) > HEATMAP_ROWS and st.toggle(f.tr("quality.heatmap_all", n=len(found)), key="quality_all")
    shown = found if show_all else found.head(HEATMAP_ROWS)
    if found.is_empty():
        st.info(f.tr("quality.none_checked"))
    else:
        st.caption(f.tr("quality.heatmap_rows", shown=len(shown), n=len(found)) + " " + f.tr("quality.bands", **limits))
        heat = ui.figure(charts.criteria_heatmap, shown, label="dataset_name", columns=crit, **bands)
        st.plotly_chart(heat, config={"displayModeBar": False})

with ui.part(f.tr("quality.groups")):
    st.subheader(f.tr("quality.groups"))
    groups = {g: checked_datasets().filter(pl.col("readiness_group") == g) for g in (1, 2, 3)}
    for col, (g, rows) in zip(st.columns(3), groups.items()):
        col.metric(f.tr("quality.group", group=g), len(rows), border=True)
        col.caption(f"**{f.tr(f'quality.group_{g}')}.** {f.tr(f'quality.group_{g}_rule', **limits)}")
    tabs = {g: f"{f.tr(f'quality.group_{g}')} ({len(rows)})" for g, rows in groups.items()}
    worst = next((tabs[g] for g in (3, 2) if len(groups[g])), None)  # open where action is needed
    for tab, (g, rows) in zip(st.tabs(list(tabs.values()), default=worst), groups.items()):
        with tab:
            shown = columns("dataset_name", "quality_index", *CRITERIA, "owner_name")
            ui.table(rows, f"quality_group_{g}", shown, formats)

with ui.part(f.tr("quality.worst_rules")):
    st.subheader(f.tr("quality.worst_rules"))
    rules = with_dimension_names(ui.query("quality_worst_rules", limit=10, ready_threshold=READY_THRESHOLD))
    shown = columns("criterion", "pass_rate", "count_datasets_below", "count_records_failed", "dimension")
    ui.table(rules, "quality_worst_rules", shown | columns("rule_description"), formats)

with ui.part(f.tr("quality.detail")):
    st.subheader(f.tr("quality.detail"))
    found = checked_datasets()
    if found.is_empty():
        st.info(f.tr("quality.none_checked"))
    else:
        names = dict(zip(found["dataset_id"], found["dataset_name"]))
        pick = f.tr("quality.pick_dataset")
        chosen = ui.url_selectbox(pick, names, key="quality_dataset", param="dataset", format_func=names.get)
        row = found.row(by_predicate=pl.col("dataset_id") == chosen, named=True)
        st.badge(f.tr(f"quality.group_{row['readiness_group']}"), color=GROUP_COLOURS[row["readiness_group"]])
        st.markdown(" · ".join([row["owner_name"], *(f"{crit[c]} {fmt_percent(row[c], f.lang)}" for c in CRITERIA)]))
        checks = with_dimension_names(ui.query("quality_dataset_rules", dataset_id=chosen))
        shown = columns("criterion", "pass_rate", "count_records_failed", "records_checked", "checked_on", "dimension")
        ui.table(checks, "quality_dataset_rules", shown | columns("rule_description"), formats)
        st.markdown(f"**{f.tr('quality.history')}**")
        history = ui.query("quality_dataset_history", dataset_id=chosen, trend_start=trend_start)
        if history.is_empty():
            st.info(f.tr("app.empty"))
        else:
            st.plotly_chart(ui.figure(charts.rule_history, history, names=crit, **bands))
