"""Sharing: is data shared, used and flowing between levels? Queries: kpis_exchanges, sharing_level_flows,
sharing_top_bodies, sharing_weekly, sharing_provinces, sharing_datasets, sharing_dataset_consumers,
sharing_dataset_weekly."""

import streamlit as st

from dashboard.engine import kpi_text
from dashboard.web import charts, ui

f = ui.filters()
ui.prefetch(ui.kpis_read(), ui.series_read())  # the cards' reads beside the freshness banner's
st.title(f.tr("sharing.title"))
st.caption(f.tr("sharing.intro"))
ui.period_caption()
RATES = ("sharing_coverage", "shared_data_utilization", "exchange_success_rate")
FORMATS = dict.fromkeys([*RATES, "share_calls_ok", "success_rate"], "percent") | {"last_exchange_on": "date"}
COUNTS = ("count_calls", "count_calls_ok", "count_datasets", "count_consumers", "count_providers", "count_records")
FORMATS |= dict.fromkeys([*COUNTS, "p95_latency_ms"], "number")


def show(df, name, columns, sortable=False):
    """A table of the (space-separated) columns, with levels in words."""
    df = ui.coded(df, [c for c in ("level", "provider_level", "consumer_level") if c in df.columns], "sharing.level")
    ui.table(df, name, columns.split(), FORMATS, prefix="sharing.col", sortable=sortable)


def weekly_chart(weekly):
    if weekly.is_empty():
        return st.info(f.tr("app.empty"))
    texts = {"bars_label": "count_calls", "line_label": "success_rate", "x_label": "week_start"}
    labels = {arg: f.tr(f"sharing.col.{column}") for arg, column in texts.items()}
    fig = ui.figure(
        charts.weekly_volume_and_rate,
        weekly,
        x="week_start",
        bars="count_calls",
        line="success_rate",
        lang=f.lang,
        **labels,
    )
    st.plotly_chart(fig)


with ui.part(f.tr("sharing.cards")):
    ui.kpi_cards(ui.kpis(), [*RATES, "cross_level_share", "connected_agencies", "records_exchanged"])

with ui.part(f.tr("sharing.flows")):
    st.subheader(f.tr("sharing.flows"))
    flows = ui.query("sharing_level_flows")
    if flows.is_empty():
        st.info(f.tr("app.empty"))
    else:
        levels = {level: f.tr(f"sharing.level.{level}") for level in charts.LEVELS}
        sides = (f.tr("sharing.provider_side"), f.tr("sharing.consumer_side"))
        st.plotly_chart(ui.figure(charts.level_flows, flows, names=levels, titles=sides, lang=f.lang))
        st.caption(f.tr("sharing.flows_note"))
        with st.expander(f.tr("sharing.flows_table")):
            show(flows, "sharing_level_flows", "provider_level consumer_level count_calls_ok share_calls_ok")

with ui.part(f.tr("sharing.top_bodies")):
    st.subheader(f.tr("sharing.top_bodies"))
    roles = {"provider": "consumers", "consumer": "providers"}
    for tab, (role, partners) in zip(st.tabs([f.tr(f"sharing.top_{role}s") for role in roles]), roles.items()):
        with tab, ui.part(f.tr(f"sharing.top_{role}s")):
            top = ui.query("sharing_top_bodies", role=role, limit=10).rename({"count_partners": f"count_{partners}"})
            columns = f"agency_name level count_calls_ok success_rate count_datasets count_{partners}"
            show(top, f"sharing_top_{role}s", columns)

with ui.part(f.tr("sharing.trend")):
    st.subheader(f.tr("sharing.trend"))
    weekly_chart(ui.query("sharing_weekly", trend_start=f.period.start))

with ui.part(f.tr("sharing.provinces")):
    st.subheader(f.tr("sharing.provinces"))
    st.caption(f.tr("sharing.provinces_note"))
    provinces = kpi_text.with_worst_status(ui.query("sharing_provinces"), dict(zip(RATES, RATES)), f.lang)
    show(provinces, "sharing_provinces", f"province_name status {' '.join(RATES)} count_calls_ok", sortable=True)

with ui.part(f.tr("sharing.datasets")):
    st.subheader(f.tr("sharing.datasets"))
    st.caption(f.tr("sharing.datasets_note"))
    datasets = ui.query("sharing_datasets")
    shown = datasets.with_columns(datasets["owner_name"].fill_null(f.tr("column.no_owner")))
    columns = "dataset_name count_consumers count_calls success_rate p95_latency_ms owner_name"
    show(shown, "sharing_datasets", columns)
    if not datasets.is_empty():
        names = dict(zip(datasets["dataset_id"], datasets["dataset_name"]))
        pick = f.tr("sharing.dataset_pick")
        chosen = ui.url_selectbox(pick, names, key="sharing_dataset", param="dataset", format_func=names.get)
        st.markdown(f"**{f.tr('sharing.dataset_consumers', name=names[chosen])}**")
        consumers = ui.query("sharing_dataset_consumers", dataset_id=chosen)
        show(
            consumers,
            "sharing_dataset_consumers",
            "agency_name level count_calls_ok success_rate count_records last_exchange_on",
        )
        st.markdown(f"**{f.tr('sharing.dataset_trend', name=names[chosen])}**")
        weekly_chart(ui.query("sharing_dataset_weekly", dataset_id=chosen))
