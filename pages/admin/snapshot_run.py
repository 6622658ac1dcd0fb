"""Snapshot runs (admins): freeze one week from the app, as `python -m dashboard snapshot` does; audited."""

import contextlib
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

# The week to make: the Snapshots page's button names one (session state), so may a link opening the app (?week=);
# else the last complete week. Set once when the page opens, then the box keeps what the user types.
asked = st.session_state.pop("snaprun_week_asked", None)
if asked or "snaprun_week" not in st.session_state:
    asked = asked or st.query_params.get("week", "")
    default = archive.last_complete_week(today()).label
    with contextlib.suppress(ValueError):
        default = archive.Week.parse(asked).label
    st.session_state["snaprun_week"] = default
week = st.text_input(f.tr("admin.snapshot_run.week"), key="snaprun_week")
force = st.checkbox(f.tr("admin.snapshot_run.force"), key="snaprun_force")


class StepStream(io.TextIOBase):
    """The run's progress (what the command prints on stderr), shown in the status box line by line as it comes:
    a step ("[2/4] ...") becomes the box's label, other lines are listed under it. Not a terminal, so the
    snapshot writes whole lines, never `\r` redraws."""

    def __init__(self, box) -> None:
        super().__init__()
        self.box, self.pending, self.lines = box, "", []

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            line = line.strip()
            if not line:
                continue
            self.lines.append(line)
            if line.startswith("["):
                self.box.update(label=line)
                self.box.markdown(f"**{line}**")
            else:
                self.box.caption(line)
        return len(text)


if st.button(f.tr("admin.snapshot_run.run"), key="snaprun_go", type="primary", icon=":material/play_arrow:"):
    out = io.StringIO()
    clock = time.perf_counter()
    with st.status(f.tr("admin.snapshot_run.running"), expanded=True) as box:
        steps = StepStream(box)
        code = snapshot.run(f.base, week, force=force, lang=f.lang, out=out, err=steps)
        steps.write("\n")
        box.update(
            label=f.tr("admin.snapshot_run.done", code=code),
            state="complete" if code == 0 else "error",
            expanded=code != 0,
        )
    seconds = round(time.perf_counter() - clock, 2)
    audit.record(f.base, "snapshot_run", admin.name, week=week, force=force, exit_code=code, seconds=seconds)
    (st.success if code == 0 else st.warning)(f.tr("admin.snapshot_run.done", code=code))
    st.code(out.getvalue().strip() or "–", language=None, wrap_lines=True)
