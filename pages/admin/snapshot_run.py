"""Snapshot runs (admins): freeze one week from the app, as `python -m dashboard snapshot` does; audited."""

import io
import time

import streamlit as st

from dashboard.access import audit
from dashboard.config import today
from dashboard.web import ui
from dashboard.weekly import archive, snapshot

f = ui.filters()
st.title(f.tr("admin.snapshot_run.title"))
admin = ui.current_user()
if admin is None or not admin.is_admin:
    st.info(f.tr("admin.only"))
    st.stop()
st.caption(f.tr("admin.snapshot_run.intro"))

default = archive.last_complete_week(today()).label
week = st.text_input(f.tr("admin.snapshot_run.week"), value=default, key="snaprun_week")
force = st.checkbox(f.tr("admin.snapshot_run.force"), key="snaprun_force")
if st.button(f.tr("admin.snapshot_run.run"), key="snaprun_go", type="primary", icon=":material/play_arrow:"):
    out, err = io.StringIO(), io.StringIO()
    clock = time.perf_counter()
    with st.spinner(f.tr("admin.snapshot_run.running")):
        code = snapshot.run(f.base, week, force=force, lang=f.lang, out=out, err=err)
    seconds = round(time.perf_counter() - clock, 2)
    audit.record(f.base, "snapshot_run", admin.name, week=week, force=force, exit_code=code, seconds=seconds)
    (st.success if code == 0 else st.warning)(f.tr("admin.snapshot_run.done", code=code))
    st.code((out.getvalue() + err.getvalue()).strip() or "–", language=None, wrap_lines=True)
