"""SQL workbench (analysts): schema browser, editor and Run, result with downloads and "save as page".

Queries: workbench_table_rows, workbench_example. One SELECT runs in the scope's sandbox (dashboard/engine/sandbox.py).
"""

import functools

import polars as pl
import streamlit as st

from dashboard.engine import sandbox
from dashboard.engine.query import load_sql
from dashboard.i18n import fmt_number
from dashboard.sqlpages import run as sqlpages
from dashboard.web import ui

f = ui.filters()
st.title(f.tr("workbench.title"))
if not ui.is_analyst():
    st.info(f.tr("workbench.analysts_only"))
    st.stop()
st.caption(f.tr("workbench.intro", scope=f.scope_name, max_rows=fmt_number(sandbox.MAX_ROWS, f.lang)))

schema, editor = st.columns([2, 3], gap="large")
with schema, ui.part(f.tr("workbench.schema")):
    st.subheader(f.tr("workbench.schema"))
    counts = dict(ui.query("workbench_table_rows").rows())
    for table in sandbox.schema_tables():
        rows = f.tr("workbench.rows", count=fmt_number(counts.get(table["table"]), f.lang))
        with st.expander(f"`{table['table']}` · {rows}"):
            st.caption(table["doc"])
            st.markdown("\n".join(f"- `{name}` {kind} · {meaning}" for name, kind, meaning, _ in table["columns"]))

with editor:
    st.session_state.setdefault("wb_sql", sandbox.without_leading_comments(load_sql("workbench_example")))
    sql = st.text_area(f.tr("workbench.editor"), key="wb_sql", height=300)
    st.caption(f.tr("workbench.params_hint"))
    if st.button(f.tr("workbench.run"), key="wb_run", type="primary", icon=":material/play_arrow:"):
        params = sqlpages.global_values(f.period, f.scope, f.lang)
        user = ui.current_user()
        # one audit line per run, whatever happens (dashboard/sqlpages/run.py workbench_run)
        outcome = sqlpages.workbench_run(f.base, f.scope, sql, params, user.name if user else None)
        st.session_state["wb_last"] = (sql, f.scope_name, outcome)

last = st.session_state.get("wb_last")
if last is not None:
    ran_sql, ran_scope, outcome = last
    if isinstance(outcome, sandbox.Refused):
        st.error(sqlpages.refusal_text(outcome, f.lang), icon=":material/block:")
    else:
        st.subheader(f.tr("workbench.result"))
        st.caption(f.tr("workbench.result_scope", scope=ran_scope))
        shown, total = outcome.frame.height, outcome.total_rows
        a, b, c = st.columns(3)
        a.metric(f.tr("workbench.rows_shown"), fmt_number(shown, f.lang))
        b.metric(f.tr("workbench.rows_total"), fmt_number(total, f.lang))
        c.metric(f.tr("workbench.elapsed"), f.tr("workbench.ms", ms=fmt_number(outcome.elapsed_ms, f.lang)))
        if outcome.byte_budget is not None:
            st.warning(
                f.tr(
                    "workbench.cut_bytes",
                    budget=f"{fmt_number(outcome.byte_budget / 1_000_000, f.lang, 1)} MB",
                    shown=fmt_number(shown, f.lang),
                    total=fmt_number(total, f.lang),
                )
            )
        elif outcome.truncated:
            st.warning(
                f.tr("workbench.truncated", shown=fmt_number(shown, f.lang), cut=fmt_number(total - shown, f.lang))
            )
        if outcome.renamed:
            st.info(f.tr("workbench.renamed", names=", ".join(f"{a} → {b}" for a, b in outcome.renamed)))
        if outcome.as_text:
            st.info(f.tr("workbench.as_text", names=", ".join(outcome.as_text)))
        if outcome.frame.is_empty():
            st.info(f.tr("app.empty"))
        dates = {
            c: st.column_config.DateColumn(format="DD/MM/YYYY") for c, d in outcome.frame.schema.items() if d == pl.Date
        }
        st.dataframe(outcome.frame, hide_index=True, width="stretch", key="wb_result", column_config=dates)
        buttons = st.columns(4)
        for col, kind in zip(buttons, sandbox.EXPORTS):
            ui.download(
                col,
                f.tr(f"workbench.download_{kind}"),
                functools.partial(sandbox.export, outcome.frame, kind),
                f"workbench_result.{kind}",
                sandbox.EXPORTS[kind],
                what="workbench",
                key=f"wb_download_{kind}",
            )
        buttons[3].download_button(
            f.tr("workbench.save_page"),
            sqlpages.page_template(ran_sql, outcome.frame),
            "new_page.sql",
            "text/plain",
            key="wb_save_page",
            on_click="ignore",
            icon=":material/note_add:",
            help=f.tr("workbench.save_page_help"),
        )
