"""Roadmap 2025-2030: is the strategy delivered on time? Queries: kpis_roadmap, roadmap_timeline,
roadmap_progress_by_group, roadmap_milestones, roadmap_overdue_items, roadmap_item_updates."""

import polars as pl
import streamlit as st

from dashboard.engine import kpi_text
from dashboard.i18n import fmt_date, fmt_percent
from dashboard.web import charts, gantt, ui

f = ui.filters()
ui.prefetch(ui.kpis_read(), ui.series_read())  # the cards' reads beside the freshness banner's
st.title(f.tr("roadmap.title"))
st.caption(f.tr("roadmap.intro"))
ui.period_caption()
STATUSES = {s: f.tr(f"roadmap_status.{s}") for s in gantt.ROADMAP_STATUSES}
PILLARS = {p: f.tr(f"pillar.{p}") for p in ("strategy", "architecture", "governance", "dictionary")}
PHASES = {p: f.tr(f"phase.{p}") for p in ("2025-2026", "2026-2028", "2028-2030")}
FORMATS = dict.fromkeys(["roadmap_progress", "planned_progress", "schedule_performance", "pct_complete"], "percent")
FORMATS |= dict.fromkeys(["planned_start", "planned_due", "completed_on", "week_start"], "date")
FORMATS |= dict.fromkeys(["days_overdue", "days_late", "count_items", "count_overdue"], "number")
FORMATS |= {"status": "roadmap_status", "phase": "phase"}


def show(df: pl.DataFrame, name: str, columns: str) -> None:
    """A table of the (space-separated) columns, with pillars, kinds of item and outcomes in words."""
    kinds = {True: f.tr("roadmap.milestone"), False: f.tr("roadmap.task")}
    df = df.with_columns(pl.col("is_milestone").replace_strict(kinds)) if "is_milestone" in df.columns else df
    for column, prefix in (("pillar", "pillar"), ("outcome", "roadmap.outcome")):
        df = ui.coded(df, [column], prefix) if column in df.columns else df
    ui.table(df, name, columns.split(), FORMATS, prefix="roadmap.col", wide=["note_vi"], dashes=True, whole=True)


with ui.part(f.tr("roadmap.cards")):
    ui.kpi_cards(ui.kpis(), ["roadmap_progress", "schedule_performance", "milestones_on_time", "items_overdue"])

with ui.part(f.tr("roadmap.timeline")):
    st.subheader(f.tr("roadmap.timeline"))
    items = ui.query("roadmap_timeline")
    if items.is_empty():
        st.info(f.tr("app.empty"))
    else:
        texts = {k: f.tr(f"roadmap.gantt.{k}") for k in ("milestone", "owner", "window", "overdue", "phase")}
        texts["today"] = f.tr("roadmap.gantt.today", date=fmt_date(f.period.end, f.lang))
        words = {"status_names": STATUSES, "pillar_names": PILLARS, "phase_names": PHASES, "texts": texts}
        st.plotly_chart(ui.figure(gantt.roadmap_gantt, items, as_of=f.period.end, lang=f.lang, **words))
        st.caption(f.tr("roadmap.timeline_note"))
        with st.expander(f.tr("roadmap.timeline_table")):
            columns = "item_id item_title pillar phase is_milestone owner_name planned_start planned_due status"
            show(items, "roadmap_timeline", f"{columns} pct_complete")

with ui.part(f.tr("roadmap.progress")):
    st.subheader(f.tr("roadmap.progress"))
    st.caption(f.tr("roadmap.progress_note"))
    groups = ui.query("roadmap_progress_by_group")
    for tab, kind in zip(st.tabs([f.tr("roadmap.by_phase"), f.tr("roadmap.by_pillar")]), ("phase", "pillar")):
        with tab, ui.part(f.tr(f"roadmap.by_{kind}")):
            rows = groups.filter(pl.col("group_type") == kind).rename({"group_id": kind})
            if rows.is_empty():
                st.info(f.tr("app.empty"))
                continue
            plan = {"actual": "roadmap_progress", "planned": "planned_progress", "lang": f.lang}
            plan |= {"actual_label": f.tr("roadmap.actual"), "planned_label": f.tr("roadmap.planned")}
            st.plotly_chart(ui.figure(charts.progress_vs_plan, ui.coded(rows, [kind], kind), category=kind, **plan))
            spi = {"schedule_performance": "schedule_performance"}
            rows = kpi_text.with_worst_status(rows, spi, f.lang, name="spi_status", order=False)
            columns = "roadmap_progress planned_progress schedule_performance spi_status count_items count_overdue"
            show(rows, f"roadmap_by_{kind}", f"{kind} {columns}")

with ui.part(f.tr("roadmap.milestones")):
    st.subheader(f.tr("roadmap.milestones"))
    st.caption(f.tr("roadmap.milestones_note"))
    milestones = ui.query("roadmap_milestones")
    show(milestones, "roadmap_milestones", "milestone_title planned_due completed_on outcome days_late owner_name")

with ui.part(f.tr("roadmap.overdue")):
    st.subheader(f.tr("roadmap.overdue"))
    st.caption(f.tr("roadmap.overdue_note"))
    overdue = ui.query("roadmap_overdue_items")
    if overdue.is_empty():
        st.success(f.tr("roadmap.none_overdue"))
    else:
        columns = "item_title owner_name days_overdue planned_due status pct_complete is_milestone"
        show(overdue, "roadmap_overdue_items", columns)

with ui.part(f.tr("roadmap.detail")):
    st.subheader(f.tr("roadmap.detail"))
    items = ui.query("roadmap_timeline")
    if items.is_empty():
        st.info(f.tr("app.empty"))
    else:
        # The most overdue items first (the ones a leader asks about), then the timeline's order.
        ids = list(dict.fromkeys(ui.query("roadmap_overdue_items")["item_id"].to_list() + items["item_id"].to_list()))
        names = dict(zip(items["item_id"], items["item_title"]))
        pick = f.tr("roadmap.pick_item")
        chosen = ui.url_selectbox(
            pick, ids, key="roadmap_item", param="item", format_func=lambda i: f"{names[i]} ({i})"
        )
        item = items.row(by_predicate=pl.col("item_id") == chosen, named=True)
        dates = {k: fmt_date(item[k], f.lang) for k in ("planned_start", "planned_due")}
        state = {"status": STATUSES[item["status"]], "pct": fmt_percent(item["pct_complete"], f.lang, 0)}
        summary = {"owner": item["owner_name"] or "–", "pillar": PILLARS[item["pillar"]], **dates, **state}
        late = item["days_overdue"] is not None
        st.markdown(
            f.tr("roadmap.item_summary", **summary)
            + (f" · **⚠ {f.tr('roadmap.gantt.overdue', days=item['days_overdue'])}**" if late else "")
        )
        if f.lang != "vi":
            st.caption(f.tr("roadmap.notes_in_vietnamese"))
        updates = ui.query("roadmap_item_updates", item_id=chosen, limit=12)
        if updates.is_empty():
            st.info(f.tr("roadmap.no_updates"))
        else:
            show(updates, "roadmap_item_updates", "week_start status pct_complete note_vi completed_on")
