"""Audit log (admins): the events of one day (dashboard/access/audit.py), filterable by user and kind; no query runs.
Lines of the day's file that cannot be read are counted and named by number, above the table."""

import json

import polars as pl
import streamlit as st

from dashboard.access import audit
from dashboard.web import ui

f = ui.filters()
st.title(f.tr("admin.audit.title"))
user = ui.current_user()
if user is None or not user.is_admin:
    st.info(f.tr("admin.only"))
    st.stop()
st.caption(f.tr("admin.audit.intro"))

days = audit.days(f.base)
if not days:
    st.info(f.tr("admin.audit.none"))
    st.stop()
day_col, user_col, kind_col = st.columns(3)
with day_col:
    day = ui.url_selectbox(f.tr("admin.audit.day"), days, key="audit_day", param="day")
log = audit.read_day(f.base, day)
everyone = log.events
names = ["*", *sorted({e["user"] for e in everyone if e.get("user")})]
with user_col:
    who = ui.url_selectbox(
        f.tr("admin.audit.user"),
        names,
        key="audit_user",
        param="who",
        format_func=lambda n: f.tr("admin.audit.everyone") if n == "*" else n,
    )
with kind_col:
    kind = ui.url_selectbox(
        f.tr("admin.audit.event"),
        ["*", *audit.EVENTS],
        key="audit_event",
        param="event",
        format_func=lambda k: f.tr("admin.audit.every_event") if k == "*" else f.tr(f"admin.event.{k}"),
    )

with ui.part(f.tr("admin.audit.title")):
    rows = [e for e in everyone if who in ("*", e.get("user")) and kind in ("*", e.get("event"))]
    st.caption(f.tr("admin.audit.count", count=len(rows)))
    if log.unreadable:
        shown = ", ".join(str(n) for n in log.unreadable[:20]) + (" …" if len(log.unreadable) > 20 else "")
        st.warning(f.tr("admin.audit.unreadable", count=len(log.unreadable), lines=shown), icon=":material/warning:")
    frame = pl.DataFrame(
        {
            "time": [e["ts"][11:23] for e in rows],
            "event": [f.tr(f"admin.event.{e['event']}") for e in rows],
            "user": [e.get("user") or "–" for e in rows],
            "details": [
                json.dumps({k: v for k, v in e.items() if k not in ("ts", "event", "user")}, ensure_ascii=False)
                for e in rows
            ],
        },
        schema={"time": pl.String, "event": pl.String, "user": pl.String, "details": pl.String},
    )
    ui.table(frame, f"audit_{day}", frame.columns, prefix="admin.audit.col", wide=["details"], dashes=True, whole=True)
