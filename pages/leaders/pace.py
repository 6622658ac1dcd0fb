"""Pace to 2030: will each targeted KPI reach its target in time? Queries: pace_targets and the weekly series
pace_exchanges, pace_dossiers, pace_quality, pace_governance, pace_roadmap (dashboard/engine/pace.py)."""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard.engine import kpi_text
from dashboard.engine.pace import series_week_ends
from dashboard.i18n import fmt_date
from dashboard.web import ui
from dashboard.web.cards import PACE_BADGE
from dashboard.web.pace_chart import pace_figure, series_figure

ROAD_WIDTH = 440  # px: two roads a row at 1400 px, one at a 900 px tablet

f = ui.filters()
st.title(f.tr("pace.title"))
st.caption(f.tr("pace.intro"))
weeks = series_week_ends(f.period.end)
st.caption(
    f.tr(
        "pace.as_of",
        end=fmt_date(f.period.end, f.lang),
        first=fmt_date(weeks[0] - dt.timedelta(days=6), f.lang),
        last=fmt_date(weeks[-1], f.lang),
        scope=f.scope_name,
    )
)


def whose(row: dict) -> str:
    return f.tr("pace.own_target" if row["target_scope_type"] not in (None, "all") else "pace.national_target")


with ui.part(f.tr("pace.title")):
    pace = ui.pace()
    if pace.is_empty():
        st.info(f.tr("pace.no_targets"))
    else:
        with st.expander(f.tr("pace.how_title")):
            st.markdown(f.tr("pace.how_long"))
        st.subheader(f.tr("pace.summary"))
        rows = pace.to_dicts()
        summary = pl.DataFrame(
            {
                "kpi": [kpi_text.kpi_name(r["kpi_id"], f.lang) for r in rows],
                "status": [kpi_text.pace_word(r["status"], f.lang) for r in rows],
                "target_value": pace["target_value"],
                "target_date": pace["target_date"],
                "whose": [whose(r) if r["target_value"] is not None else None for r in rows],
                "current_value": pace["current_value"],
                "observed": [kpi_text.format_gain(r["kpi_id"], r["slope_per_week"], f.lang) for r in rows],
                "required": [
                    None
                    if r["status"] == "reached"
                    else kpi_text.format_gain(r["kpi_id"], r["required_per_week"], f.lang)
                    for r in rows
                ],
                "projected_value": pace["projected_value"],
                "projected_date": pace["projected_date"],
                "basis": [r[f"basis_{f.lang}"] for r in rows],
            }
        )
        formats = dict.fromkeys(("target_value", "current_value", "projected_value"), "percent")
        formats |= dict.fromkeys(("target_date", "projected_date"), "date")
        ui.table(summary, "pace", summary.columns, formats, prefix="pace.col", dashes=True, whole=True, wide=["basis"])

        st.subheader(f.tr("pace.roads"))
        labels = {k: f.tr(f"pace.chart_{k}") for k in ("series", "to_target", "projected", "target", "trend")}
        phases = {p: f.tr(f"pace.phase.{p}") for p in ("2025-2026", "2026-2028", "2028-2030")}
        roads = st.container(horizontal=True, gap="medium")
        for row in rows:
            kpi_id = row["kpi_id"]
            with roads.container(width=ROAD_WIDTH, border=True):
                st.markdown(f"**{kpi_text.kpi_name(kpi_id, f.lang)}**")
                colour, icon = PACE_BADGE[row["status"]]
                st.badge(kpi_text.pace_word(row["status"], f.lang), color=colour, icon=icon)
                if row["target_value"] is not None:
                    target = kpi_text.format_target(kpi_id, row["target_value"], row["target_date"], f.lang)
                    st.caption(f"{target} · {whose(row)} · {phases[row['phase']]}")
                    st.caption(f.tr("pace.basis", basis=row[f"basis_{f.lang}"]))
                facts = []
                if row["current_value"] is not None:
                    value = kpi_text.format_value(kpi_id, row["current_value"], f.lang)
                    facts.append(f.tr("pace.current", value=value, date=fmt_date(row["current_week_end"], f.lang)))
                if row["slope_per_week"] is not None:
                    gain = kpi_text.format_gain(kpi_id, row["slope_per_week"], f.lang)
                    facts.append(f.tr("pace.observed", gain=gain))
                if row["required_per_week"] is not None and row["status"] != "reached":
                    gain = kpi_text.format_gain(kpi_id, row["required_per_week"], f.lang)
                    facts.append(f.tr("pace.required", gain=gain))
                if row["projected_date"] is not None:
                    facts.append(f.tr("pace.projected_date", date=fmt_date(row["projected_date"], f.lang)))
                elif row["status"] == "off_pace":
                    facts.append(f.tr("pace.projected_never"))
                if facts:
                    st.markdown("  \n".join(facts))
                st.caption(f.tr("pace.recent"))
                st.plotly_chart(
                    series_figure(row, labels=labels, lang=f.lang), width="stretch", key=f"pace_recent_{kpi_id}"
                )
                st.caption(f.tr("pace.road"))
                st.plotly_chart(
                    pace_figure(row, labels=labels, phase_names=phases, lang=f.lang),
                    width="stretch",
                    key=f"pace_chart_{kpi_id}",
                )
