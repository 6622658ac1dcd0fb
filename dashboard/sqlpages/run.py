"""Running an analyst SQL page: its parameters (declared, global, defaults, choices) bound into its one SELECT, in
the current scope's database and the sandbox of dashboard/engine/sandbox.py; a refusal in plain words; and a ready
page file for a workbench query. No Streamlit: the view (view.py) caches what runs here, the weekly report and the
checker (check.py) call it directly.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import duckdb
import polars as pl
import yaml

from dashboard.access import audit
from dashboard.engine import sandbox
from dashboard.engine.db import database
from dashboard.i18n import DEFAULT_LANG, t
from dashboard.period import Period, preset_period
from dashboard.scope import Scope
from dashboard.sqlpages.header import MultiselectParam, SelectParam, SqlPage

PAGE_TIMEOUT_S = 60.0
CHECK_PRESET = "last_4_weeks"  # the app's default period (dashboard/web/ui.py DEFAULT_PRESET)


# ---- running a page ------------------------------------------------------------------------------------


def param_names(page: SqlPage) -> dict[str, tuple[str, ...]]:
    """Each declared parameter and the SQL parameters it binds ($period -> $period_start, $period_end)."""
    return {
        name: (f"{name}_start", f"{name}_end") if spec.type == "date_range" else (name,)
        for name, spec in page.header.params.items()
    }


def bound_values(page: SqlPage, values: dict) -> dict:
    """Widget values as SQL parameters: a date range becomes <name>_start and <name>_end."""
    out = {}
    for name, spec in page.header.params.items():
        value = values[name]
        if spec.type == "date_range":
            out[f"{name}_start"], out[f"{name}_end"] = value
        else:
            out[name] = list(value) if spec.type == "multiselect" else value
    return out


def global_values(period: Period, scope: Scope, lang: str) -> dict:
    return {**period.params(), **scope.params(), "lang": lang}


def options_of(con: duckdb.DuckDBPyConnection, spec: SelectParam | MultiselectParam, globals_: dict, lang: str):
    """The (value, label) choices of a select: fixed, or the first two columns of `options_sql`."""
    if spec.options is not None:
        return [(o, spec.labels[str(o)](lang) if str(o) in spec.labels else str(o)) for o in spec.options]
    result = sandbox.run_select(con, sandbox.check_select(spec.options_sql), globals_, timeout_s=PAGE_TIMEOUT_S)
    rows = result.frame.rows()
    return [(r[0], str(r[1]) if len(r) > 1 and r[1] is not None else str(r[0])) for r in rows if r[0] is not None]


def default_values(page: SqlPage, as_of: dt.date, options: dict[str, list], period: Period | None = None) -> dict:
    """Each parameter's default: the global period (or the app's default period before `as_of`), a preset
    period, the given default, or the first / every option."""
    values = {}
    for name, spec in page.header.params.items():
        if spec.type == "date_range":
            if spec.default == "global":
                chosen = period or preset_period(CHECK_PRESET, as_of)
            else:
                chosen = preset_period(spec.default, as_of)
            values[name] = (chosen.start, chosen.end)
        elif spec.type == "select":
            choices = [v for v, _ in options.get(name, [])]
            values[name] = (
                spec.default if spec.default is not None else (None if spec.all_option or not choices else choices[0])
            )
        elif spec.type == "multiselect":
            values[name] = list(spec.default) if spec.default is not None else [v for v, _ in options.get(name, [])]
        else:
            values[name] = spec.default
    return values


def run_sql(base: Path, scope: Scope, sql: str, params: dict) -> sandbox.Result:
    """One page SELECT (or a select's `options_sql`) in the scope's database, with these parameters."""
    checked = sandbox.check_select(sql)
    return sandbox.run_select(database(base, scope), checked, params, timeout_s=PAGE_TIMEOUT_S)


def run_page(base: Path, scope: Scope, page: SqlPage, values: dict, period: Period, lang: str) -> sandbox.Result:
    """Run the page's SQL in the scope's database with its parameters and the global ones bound."""
    params = {**global_values(period, scope, lang), **bound_values(page, values)}
    return run_sql(base, scope, page.sql, params)


def refusal_text(exc: sandbox.Refused, lang: str = "en") -> str:
    """A refusal in plain words (the workbench's messages), with DuckDB's own words when there are any."""
    text = t(f"workbench.refused_{exc.code}", lang, **exc.values)
    shown = exc.detail and exc.code in ("syntax", "error", "failed", "unsupported")
    return f"{text} ({' '.join(exc.detail.split())})" if shown else text


# ---- the workbench: one run, one audit line ------------------------------------------------------------------


def workbench_run(
    base: Path, scope: Scope, sql: str, params: dict, user: str | None, *, timeout_s: float | None = None
) -> sandbox.Result | sandbox.Refused:
    """Run an analyst's SQL in the scope's workbench and write EXACTLY one `workbench_query` audit line, whatever
    happens: ok, refused by the guard, a DuckDB error, a timeout, an error of any other class (Arrow, Polars, a
    statement too deep to check), even an interruption of the script (the line is written in `finally`). Returns
    the result, or the refusal to show; an unexpected error becomes the refusal `failed` naming its class."""
    clock = time.perf_counter()
    outcome: sandbox.Result | sandbox.Refused | None = None
    status = "interrupted"
    try:
        outcome = sandbox.run_workbench(base, scope, sql, params, timeout_s=timeout_s)
        status = "ok"
    except sandbox.Refused as refused:
        outcome, status = refused, f"refused:{refused.code}"
    except Exception as exc:  # noqa: BLE001 -- any class: the page shows words, the audit log the class
        outcome = sandbox.Refused("failed", f"{type(exc).__name__}: {exc}")
        status = f"failed:{type(exc).__name__}"
    finally:
        ok = isinstance(outcome, sandbox.Result)
        audit.record(
            base,
            "workbench_query",
            user,
            sql_sha256=audit.sql_hash(sql),
            sql=sql,
            scope=scope.key,
            rows=outcome.total_rows if ok else None,
            kept_rows=outcome.frame.height if ok else None,
            cut=("bytes" if outcome.byte_budget else "rows") if ok and outcome.truncated else None,
            duration_ms=round((time.perf_counter() - clock) * 1000, 1),
            status=status,
        )
    return outcome


# ---- "Save as page file" from the workbench ----------------------------------------------------------------


def guess_format(name: str, dtype: pl.DataType) -> str | None:
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "percent" if re.search(r"(_rate|_share|_pct|_ratio)$", name) else "decimal"
    if dtype in (pl.Date, pl.Datetime):
        return "date"
    return None


def page_template(sql: str, frame: pl.DataFrame, lang: str = DEFAULT_LANG) -> str:
    """A ready SQL page for a workbench query: a header whose columns and charts match its result."""
    columns = {}
    for name, dtype in frame.schema.items():
        label = name.replace("_", " ")
        entry = {"vi": label, "en": label}
        fmt = guess_format(name, dtype)
        if fmt:
            entry["format"] = fmt
        columns[name] = entry
    charts = []
    text_col = next((n for n, d in frame.schema.items() if d == pl.String), None)
    time_col = next((n for n, d in frame.schema.items() if d in (pl.Date, pl.Datetime)), None)
    num_col = next((n for n, d in frame.schema.items() if d.is_numeric()), None)
    if num_col and (time_col or text_col):
        kind, x = ("line", time_col) if time_col else ("bar", text_col)
        charts.append(
            {
                "type": kind,
                "x": x,
                "y": num_col,
                "title": {"vi": f"{num_col} theo {x}", "en": f"{num_col} by {x}"},
            }
        )
    charts.append({"type": "table"})
    header = {
        "title": {"vi": t("workbench.template_title", "vi"), "en": t("workbench.template_title", "en")},
        "section": {"vi": t("workbench.template_section", "vi"), "en": t("workbench.template_section", "en")},
        "order": 100,
        "description": {
            "vi": t("workbench.template_description", "vi"),
            "en": t("workbench.template_description", "en"),
        },
        "columns": columns,
        "charts": charts,
        "tests": [{"min_rows": 1}],
    }
    body = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=110)
    return f"/* ---\n{body}--- */\n{sql.strip().rstrip(';').rstrip()}\n"
