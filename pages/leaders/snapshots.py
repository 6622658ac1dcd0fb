"""Snapshots: the weekly archive (dashboard/weekly/snapshot.py). Data: <data dir>/snapshots/<week>/manifest.json and
kpis.parquet, and snapshots/ledger.jsonl; no query runs here, every figure is a stored one."""

import streamlit as st

from dashboard.config import today
from dashboard.i18n import fmt_date
from dashboard.web import ui
from dashboard.weekly import archive

SNAPSHOT_RUN = "pages/admin/snapshot_run.py"  # url path /snapshot-run, in the navigation of administrators only
RUN_WEEK = "snaprun_week_asked"  # session state read by pages/admin/snapshot_run.py: the week to open it on
PDF = "report.pdf"


def make_week_button(label: str, week: str, icon: str) -> None:
    """Open /snapshot-run on `week` (administrators). A button, not a link with ?week=: the URL parameters of a
    page are dropped when another page opens (web/sidebar.py), so the week goes through the session."""
    if st.button(label, icon=icon, key=f"snapshot_make_{week}"):
        st.session_state[RUN_WEEK] = week
        st.switch_page(SNAPSHOT_RUN)


def show_pdf(folder, files: list[str], week: str) -> None:
    """The week's PDF report in the page, as pictures of its pages (archive.pdf_preview), or why it is not."""
    st.subheader(f.tr("snapshot.pdf_heading", week=week))
    if PDF not in files:
        st.info(f.tr("snapshot.pdf_none", week=week), icon=":material/picture_as_pdf:")
        return
    try:
        # the first view of a week draws its pages (about 0.5 s a page); later views, any session's, are cached
        with st.spinner(f.tr("snapshot.pdf_drawing")):
            preview = archive.pdf_preview(folder / PDF)
    except archive.PreviewUnavailable:
        st.info(f.tr("snapshot.pdf_no_viewer"))
        if ui.is_admin():
            st.caption(f.tr("snapshot.pdf_no_viewer_admin"))
        return
    except (ValueError, OSError):
        st.warning(f.tr("snapshot.pdf_unreadable", week=week))
        return
    shown = len(preview.images)
    if preview.pages > shown:
        st.caption(f.tr("snapshot.pdf_first_pages", shown=shown, pages=preview.pages))
    with st.container(height=860, border=True, key="snapshot_pdf"):
        for number, image in enumerate(preview.images, start=1):
            st.image(image, caption=f.tr("snapshot.pdf_page", page=number, pages=preview.pages), width="stretch")


f = ui.filters()
st.title(f.tr("nav.snapshots"))
st.caption(f.tr("snapshot.page_intro"))

# Leaders read this page: no command here. An administrator gets a button to the page that makes a week
# (/snapshot-run), opened on that week; the commands for operators are in README.md ("Weekly snapshots").
missing = archive.missing_latest(f.base, today())
if missing:
    dates = {"start": fmt_date(missing.start, f.lang), "end": fmt_date(missing.end, f.lang)}
    st.warning(f.tr("snapshot.banner_missing", week=missing.label, **dates), icon=":material/event_busy:")
    if ui.is_admin():
        make_week_button(f.tr("snapshot.make_link", week=missing.label), missing.label, ":material/photo_camera_back:")
gaps = archive.missing_weeks(f.base, today())
if gaps:
    st.caption(f.tr("snapshot.gaps_weeks", weeks=", ".join(w.label for w in gaps)))
    if ui.is_admin():
        make_week_button(f.tr("snapshot.gaps_link", week=gaps[0].label), gaps[0].label, ":material/history:")

# A user held to a province gets that province's own report archive only (ui.report_scope).
weeks = archive.stored_weeks(f.base, ui.report_scope())
labels = [w["week"] for w in weeks]

with ui.part(f.tr("snapshot.list_heading")):
    st.subheader(f.tr("snapshot.list_heading"))
    if not weeks:
        st.info(f.tr("snapshot.none_stored"))
        if ui.is_admin():
            st.caption(f.tr("app.admin_path", path=str(archive.snapshots_root(f.base))))
    else:
        columns = ("week", "period", "created_at", "status", "files")
        ui.table(archive.weeks_table(weeks, f.lang), "snapshots", {c: f.tr(f"snapshot.col.{c}") for c in columns})
        chosen = ui.url_selectbox(f.tr("snapshot.pick_week"), labels, key="snapshot_week", param="week")
        folder = weeks[labels.index(chosen)]["path"]
        st.markdown(f"**{f.tr('snapshot.files_of', week=chosen)}**")
        with st.container(horizontal=True, wrap=True):
            for name in weeks[labels.index(chosen)]["files"]:
                ui.download(
                    st,
                    name,
                    lambda path=folder / name: path.read_bytes(),
                    f"{chosen}_{name}",
                    archive.FILE_TYPES[name],
                    what="snapshot",
                    key=f"snapshot_file_{name}",
                )

if weeks:
    with ui.part(f.tr("snapshot.pdf_heading", week=chosen)):
        show_pdf(folder, weeks[labels.index(chosen)]["files"], chosen)

with ui.part(f.tr("snapshot.compare_heading")):
    st.subheader(f.tr("snapshot.compare_heading"))
    if len(weeks) < 2:
        st.info(f.tr("snapshot.compare_need_two"))
    else:
        # By default the latest week against the one stored before it; a link keeps the choice (?a=&b=).
        if "snapshot_a" not in st.session_state and st.query_params.get("a") not in labels:
            st.session_state["snapshot_a"] = labels[1]
        left, right = st.columns(2)
        with left:
            first = ui.url_selectbox(f.tr("snapshot.compare_a"), labels, key="snapshot_a", param="a")
        with right:
            second = ui.url_selectbox(f.tr("snapshot.compare_b"), labels, key="snapshot_b", param="b")
        st.caption(f.tr("snapshot.compare_scope", scope=f.scope_name))
        table = archive.comparison_table(f.base, first, second, f.scope, f.lang)
        if first == second:
            st.info(f.tr("snapshot.compare_same"))
        elif table is None:
            st.info(f.tr("snapshot.compare_missing", scope=f.scope_name))
        else:
            names = {"kpi": f.tr("snapshot.col.kpi"), "change": f.tr("snapshot.col.change")}
            names |= {"value_a": f.tr("snapshot.col.value_a", week=first)}
            names |= {"value_b": f.tr("snapshot.col.value_b", week=second)}
            names |= {"status_change": f.tr("snapshot.col.status_change")}
            # Every KPI at once (25 rows), without the scroll of a default-height table.
            shown = table.rename({c: names[c] for c in table.columns})
            st.dataframe(shown, hide_index=True, height="content", width="stretch")
            ui.download_buttons(shown, "snapshot_comparison")

# The ledger lists every scope's runs: not for a user held to one scope.
if ui.forced_scope() is None:
    with ui.part(f.tr("snapshot.ledger_heading")), st.expander(f.tr("snapshot.ledger_heading")):
        st.caption(f.tr("snapshot.ledger_note"))
        columns = ("week", "run_start", "run_end", "status", "error", "output")
        labels = {c: f.tr(f"snapshot.col.{c}") for c in columns}
        ui.table(archive.ledger_table(f.base, f.lang), "snapshot_ledger", labels)
