"""Reuse: is data reused instead of declared again, and where not? Queries: kpis_dossiers, kpis_exchanges,
reuse_weekly, reuse_hotspots_by_procedure, reuse_hotspots_by_body, reuse_breadth_distribution, sharing_datasets."""

import streamlit as st

from dashboard.engine.kpis import DEFAULT_MINUTES_PER_DOSSIER, KPI_BY_ID
from dashboard.i18n import fmt_amount, fmt_percent
from dashboard.web import charts, ui

f = ui.filters()
ui.prefetch(ui.kpis_read(), ui.series_read())  # the cards' reads beside the freshness banner's
st.title(f.tr("reuse.title"))
st.caption(f.tr("reuse.intro"))
ui.period_caption()
RATES = ("dossier_reuse_rate", "prefill_rate")
FORMATS = dict.fromkeys(RATES, "percent") | dict.fromkeys(["count_bodies", "count_consumers"], "number")
FORMATS |= dict.fromkeys(["count_fields_redeclared", "count_dossiers"], "number")
BY_PROCEDURE = "procedure_name count_fields_redeclared prefill_rate count_dossiers dossier_reuse_rate"
BY_BODY = "agency_name level province_name count_fields_redeclared prefill_rate count_dossiers dossier_reuse_rate"
MINUTES = {"key": "reuse_minutes", "param": "minutes", "default": int(DEFAULT_MINUTES_PER_DOSSIER)}
MINUTES |= {"min_value": 1, "max_value": 480}


def show(df, name, columns, sortable=False):
    """A table of the (space-separated) columns, with levels in words."""
    df = ui.coded(df, ["level"] if "level" in df.columns else [], "sharing.level")
    ui.table(df, name, columns.split(), FORMATS, prefix="reuse.col", sortable=sortable)


with ui.part(f.tr("reuse.cards")):
    slots = ui.card_slots(6)
    with slots[5], st.container(border=True):
        assumption = f.tr("reuse.minutes_help", default=fmt_amount(DEFAULT_MINUTES_PER_DOSSIER, f.lang))
        minutes = ui.url_number_input(f.tr("reuse.minutes"), help=assumption, **MINUTES)
        st.caption(f.tr("reuse.estimate_note", minutes=fmt_amount(minutes, f.lang)))
    ids = [*RATES, "reuse_breadth", "redeclared_fields", "hours_saved_estimate"]
    ui.kpi_cards(ui.kpis(minutes_per_dossier=minutes), ids, slots=slots[:5], minutes_per_dossier=minutes)

with ui.part(f.tr("reuse.trend")):
    st.subheader(f.tr("reuse.trend"))
    weekly = ui.query("reuse_weekly")
    if weekly.is_empty():
        st.info(f.tr("app.empty"))
    else:
        lines = {rate: f.tr(f"reuse.col.{rate}") for rate in RATES}
        green = {rate: KPI_BY_ID[rate].green for rate in RATES}
        targets = {rate: (g, f.tr("reuse.threshold", value=fmt_percent(g, f.lang, 0))) for rate, g in green.items()}
        x_label = f.tr("reuse.week")
        st.plotly_chart(
            ui.figure(
                charts.rates_trend, weekly, x="week_start", lines=lines, targets=targets, x_label=x_label, lang=f.lang
            )
        )

with ui.part(f.tr("reuse.hotspots")):
    st.subheader(f.tr("reuse.hotspots"))
    st.caption(f.tr("reuse.hotspots_note"))
    by_procedure, by_body = st.tabs([f.tr("reuse.by_procedure"), f.tr("reuse.by_body")])
    with by_procedure:
        show(ui.query("reuse_hotspots_by_procedure"), "reuse_hotspots_by_procedure", BY_PROCEDURE + " top_body_name")
    with by_body:
        show(ui.query("reuse_hotspots_by_body"), "reuse_hotspots_by_body", BY_BODY + " top_procedure_name")

with ui.part(f.tr("reuse.breadth")):
    st.subheader(f.tr("reuse.breadth"))
    breadth = ui.query("reuse_breadth_distribution")
    if breadth["count_datasets"].sum() == 0:
        st.info(f.tr("app.empty"))
    else:
        axes = {"x_label": f.tr("reuse.breadth_x"), "y_label": f.tr("reuse.breadth_y")}
        st.plotly_chart(
            ui.figure(
                charts.distribution_bars,
                breadth,
                x="consumers_bucket",
                y="count_datasets",
                highlight="is_reused",
                lang=f.lang,
                **axes,
            )
        )
        st.caption(f.tr("reuse.breadth_note"))
        with st.expander(f.tr("reuse.breadth_list")):
            datasets = ui.query("sharing_datasets")
            shown = datasets.with_columns(datasets["owner_name"].fill_null(f.tr("column.no_owner")))
            show(shown, "reuse_breadth_datasets", "dataset_name owner_name count_consumers", sortable=True)
