"""Overview: the leader's first screen. Queries: kpis_*, summary_slipped_milestones and provinces_scorecard (the
week in words), sharing_weekly, roadmap_by_phase, attention_*. Its two charts (web/light_charts.py) and its three
lists (web/light_tables.py) are HTML: the cards of a fresh tab wait for neither Plotly's bundle nor the grid's."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard.engine import kpi_text
from dashboard.i18n import fmt_date
from dashboard.web import light_charts, ui
from dashboard.web.memo import shared
from dashboard.weekly import archive

f = ui.filters()
# On a cold cache the cards' reads start now, beside the freshness banner's (ui.period_caption), not after it.
ui.prefetch(ui.kpis_read(), ui.series_read())
trend_start = min(f.period.start, f.period.end - dt.timedelta(days=83))
st.title(f.tr("overview.title"))
st.caption(f.tr("overview.intro"))
ui.period_caption()
# A period of exactly one ISO week is compared with the stored snapshot of the week before, when there is one.
stored = archive.stored_comparison(f.base, f.period, f.scope)

# The week in words (dashboard/engine/summary.py), from the KPIs as the cards below show them: its box comes first,
# its sentences are written once the cards are drawn (they need the scorecard and the pace a week before, which
# the cards do not), so a leader sees the cards without waiting for them.
with st.container(border=True, key="week_summary"):
    st.markdown(f"**{f.tr('summary.title')}**")
    period_text = f"{fmt_date(f.period.start, f.lang)} – {fmt_date(f.period.end, f.lang)}"
    st.caption(f.tr("summary.caption", period=period_text, scope=f.scope_name))
    summary_slot = st.empty()

with ui.part(f.tr("overview.headline")):
    kpis = archive.with_stored_change(ui.kpis(), stored)
    st.subheader(f.tr("overview.headline"))
    ui.kpi_cards(
        kpis,
        [
            "sharing_coverage",
            "exchange_success_rate",
            "dossier_reuse_rate",
            "prefill_rate",
            "ownership_coverage",
            "dictionary_coverage",
            "roadmap_progress",
            "milestones_on_time",
        ],
        change_note=archive.change_note(stored, f.lang),
    )

with ui.part(f.tr("overview.quality_heading")):
    st.subheader(f.tr("overview.quality_heading"))
    ui.kpi_cards(
        archive.with_stored_change(ui.kpis(), stored),
        ["quality_correct", "quality_sufficient", "quality_clean", "quality_live", "quality_index"],
        change_note=archive.change_note(stored, f.lang),
    )

# The rest of the page's reads at once, while the week in words waits for its own.
scorecard = [ui.query_read("provinces_scorecard")] if f.scope.type == "all" else []  # the week in words, `all` only
ui.prefetch(
    *scorecard,
    ui.query_read("summary_slipped_milestones"),
    ui.query_read("sharing_weekly", trend_start=trend_start),
    ui.query_read("roadmap_by_phase"),
    ui.query_read("attention_datasets", limit=5),
    ui.query_read("attention_milestones", limit=10),
    ui.query_read("attention_provinces", limit=5),
)

with summary_slot.container(), ui.part(f.tr("summary.title")):
    st.markdown(ui.summary_markdown(ui.week_summary(archive.with_stored_change(ui.kpis(), stored))))

left, right = st.columns([3, 2])
with left, ui.part(f.tr("overview.sharing_trend")):
    st.subheader(f.tr("overview.sharing_trend"))
    weekly = ui.query("sharing_weekly", trend_start=trend_start)
    if weekly.is_empty():
        st.info(f.tr("app.empty"))
    else:
        # HTML, not Plotly: the cards of a fresh tab would wait for Plotly's bundle (web/light_charts.py)
        st.markdown(
            shared(
                light_charts.weekly_trend_html,
                weekly,
                x="week_start",
                bars="count_calls_ok",
                line="success_rate",
                bars_label=f.tr("overview.sharing_trend_calls"),
                line_label=f.tr("overview.sharing_trend_rate"),
                x_label=f.tr("overview.week"),
                lang=f.lang,
            ),
            unsafe_allow_html=True,
        )

with right, ui.part(f.tr("overview.roadmap_heading")):
    st.subheader(f.tr("overview.roadmap_heading"))
    phases = ui.query("roadmap_by_phase")
    if phases.is_empty():
        st.info(f.tr("app.empty"))
    else:
        phases = phases.with_columns(kpi_text.values_mapped(phases["phase"], lambda p: f.tr(f"phase.{p}")))
        st.markdown(
            shared(
                light_charts.progress_vs_plan_html,
                phases,
                category="phase",
                actual="progress",
                planned="planned",
                actual_label=f.tr("overview.progress"),
                planned_label=f.tr("overview.planned"),
                lang=f.lang,
            ),
            unsafe_allow_html=True,
        )

st.subheader(f.tr("overview.attention"))
with ui.part(f.tr("overview.attention_quality")):
    st.markdown(f"**{f.tr('overview.attention_quality')}**")
    ui.light_table(
        ui.query("attention_datasets", limit=5).with_columns(pl.col("owner_name").fill_null(f.tr("column.no_owner"))),
        "attention_datasets",
        {
            "dataset_name": f.tr("column.dataset"),
            "owner_name": f.tr("column.owner"),
            "quality_index": f.tr("column.quality_index"),
            "weakest_criterion": f.tr("column.weakest"),
        },
        {"quality_index": "percent", "weakest_criterion": "criterion"},
    )
with ui.part(f.tr("overview.attention_milestones")):
    st.markdown(f"**{f.tr('overview.attention_milestones')}**")
    ui.light_table(
        ui.query("attention_milestones", limit=10),
        "attention_milestones",
        {
            "milestone_title": f.tr("column.milestone"),
            "owner_name": f.tr("column.responsible"),
            "planned_due": f.tr("column.due"),
            "days_overdue": f.tr("column.days_overdue"),
            "status": f.tr("column.status"),
            "pct_complete": f.tr("column.pct_complete"),
        },
        {"planned_due": "date", "days_overdue": "number", "status": "roadmap_status", "pct_complete": "percent"},
    )
with ui.part(f.tr("overview.attention_provinces")):
    st.markdown(f"**{f.tr('overview.attention_provinces')}**")
    ui.light_table(
        ui.query("attention_provinces", limit=5),
        "attention_provinces",
        {
            "province_name": f.tr("column.province"),
            "committee_name": f.tr("column.responsible"),
            "connected_share": f.tr("column.connected"),
            "success_rate": f.tr("column.success_rate"),
            "count_calls_ok": f.tr("column.calls_ok"),
        },
        {"connected_share": "percent", "success_rate": "percent", "count_calls_ok": "number"},
    )
