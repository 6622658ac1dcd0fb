"""Governance and the data dictionary: does every dataset have an owner and speak the shared dictionary?
Queries: kpis_governance, governance_lifecycle, governance_datasets_without_owner, governance_dictionary_by_dataset,
governance_dictionary_by_body, governance_dictionary_terms."""

import polars as pl
import streamlit as st

from dashboard.engine import kpi_text
from dashboard.i18n import fmt_number
from dashboard.web import charts, ui

f = ui.filters()
ui.prefetch(ui.kpis_read(), ui.series_read())  # the cards' reads beside the freshness banner's
st.title(f.tr("governance.title"))
st.caption(f.tr("governance.intro"))
ui.period_caption()
STAGES = {s: f.tr(f"governance.stage.{s}") for s in ("planned", "building", "operating", "archived", "retired")}
FORMATS = {"dictionary_coverage": "percent"} | dict.fromkeys(["count_fields", "count_fields_mapped"], "number")
FORMATS |= dict.fromkeys(["count_datasets", "count_key_databases", "count_reached"], "number")


def show(df: pl.DataFrame, name: str, columns: str, **kw) -> None:
    """A table of the (space-separated) columns, codes in words and a missing owner said so."""
    words = {"lifecycle_stage": "governance.stage", "missing": "governance.missing", "data_type": "governance.type"}
    for column, prefix in words.items():
        df = ui.coded(df, [column], prefix) if column in df.columns else df
    if "is_key_database" in df.columns:
        key = pl.when(pl.col("is_key_database")).then(pl.lit(f.tr("governance.yes"))).otherwise(pl.lit(""))
        df = df.with_columns(key.alias("is_key_database"))
    if "owner_name" in df.columns:
        df = df.with_columns(pl.col("owner_name").fill_null(f.tr("column.no_owner")))
    ui.table(df, name, columns.split(), FORMATS, prefix="governance.col", dashes=True, whole=True, **kw)


with ui.part(f.tr("governance.cards")):
    ids = ["ownership_coverage", "dictionary_coverage", "metadata_completeness", "key_databases_operating"]
    ui.kpi_cards(ui.kpis(), ids)

with ui.part(f.tr("governance.lifecycle")):
    st.subheader(f.tr("governance.lifecycle"))
    stages = ui.query("governance_lifecycle")
    counts = dict(zip(stages["lifecycle_stage"], stages["count_datasets"]))
    if not sum(counts.values()):
        st.info(f.tr("app.empty"))
    else:
        left, right = st.columns([3, 1])
        reached = {s: f.tr(f"governance.reached.{s}") for s in ("planned", "building", "operating")}
        own = {s: f.tr("governance.in_stage", stage=STAGES[s], n=fmt_number(counts[s], f.lang)) for s in reached}
        left.plotly_chart(ui.figure(charts.lifecycle_funnel, stages, names=reached, stage_counts=own, lang=f.lang))
        for stage in ("archived", "retired"):
            right.metric(STAGES[stage], fmt_number(counts[stage], f.lang), border=True)
        right.caption(f.tr("governance.outside_pipeline"))
        st.caption(f.tr("governance.lifecycle_note", **{s: fmt_number(counts[s], f.lang) for s in reached}))
        show(stages, "governance_lifecycle", "lifecycle_stage count_datasets count_key_databases count_reached")

with ui.part(f.tr("governance.without_owner")):
    st.subheader(f.tr("governance.without_owner"))
    st.caption(f.tr("governance.without_owner_note"))
    missing = ui.query("governance_datasets_without_owner")
    if missing.is_empty() and not ui.query("governance_lifecycle")["count_datasets"].sum():
        st.info(f.tr("app.empty"))
    elif missing.is_empty():
        st.success(f.tr("governance.all_owned"))
    else:
        columns = "dataset_name missing owner_name steward lifecycle_stage is_key_database"
        show(missing, "governance_datasets_without_owner", columns)

with ui.part(f.tr("governance.coverage")):
    st.subheader(f.tr("governance.coverage"))
    st.caption(f.tr("governance.coverage_note"))
    for tab, by in zip(st.tabs([f.tr("governance.by_dataset"), f.tr("governance.by_body")]), ("dataset", "body")):
        with tab, ui.part(f.tr(f"governance.by_{by}")):
            coverage = {"dictionary_coverage": "dictionary_coverage"}
            rows = kpi_text.with_worst_status(ui.query(f"governance_dictionary_by_{by}"), coverage, f.lang, order=False)
            first, last = ("dataset_name", "owner_name") if by == "dataset" else ("owner_name", "count_datasets")
            columns = f"{first} dictionary_coverage status count_fields_mapped count_fields {last}"
            show(rows, f"governance_dictionary_by_{by}", columns)

with ui.part(f.tr("governance.dictionary")):
    st.subheader(f.tr("governance.dictionary"))
    search = ui.url_text_input(
        f.tr("governance.search"), key="governance_search", param="q", placeholder=f.tr("governance.search_hint")
    )
    terms = ui.query("governance_dictionary_terms", search=search)
    st.caption(f.tr("governance.found", n=fmt_number(len(terms), f.lang)) + " " + f.tr("governance.dictionary_note"))
    if terms.is_empty():
        st.info(f.tr("governance.none_found", search=search))
    else:
        columns = "term_name definition data_type code_table count_datasets dataset_names"
        show(terms, "governance_dictionary_terms", columns)
