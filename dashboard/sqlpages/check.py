"""The checker behind `python -m dashboard pages check`: a page's header, its SQL against the contract's tables,
the columns its charts name, its parameters, and its own `tests:` on the data; problems in words, each placed on
the file line. No Streamlit (the view, view.py, shows the same problems to analysts).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

from dashboard.config import QUERIES_DIR, data_dir, table_files, today
from dashboard.data.contract import LOAD_ORDER, REQUIRED_TABLES, TABLES
from dashboard.data.demo import generate
from dashboard.engine import sandbox
from dashboard.engine.db import database
from dashboard.i18n import DEFAULT_LANG
from dashboard.period import preset_period
from dashboard.scope import Scope
from dashboard.sqlpages.header import (
    PageError,
    Problem,
    SqlPage,
    display_path,
    globals_listing,
    listing,
    page_files,
    pages_dir,
    parse_page,
    url_path,
)
from dashboard.sqlpages.run import (
    CHECK_PRESET,
    PAGE_TIMEOUT_S,
    bound_values,
    default_values,
    global_values,
    options_of,
    param_names,
)
from dashboard.sqltext import ident

# ---- problems of a page's SQL and its result ---------------------------------------------------------------


def column_problems(page: SqlPage, columns: list[str]) -> list[Problem]:
    """Every column a chart or a label names that the result does not have."""
    have, problems = set(columns), []
    result_has = listing(columns)

    def need(name: str | None, loc: tuple, what: str) -> None:
        if name is not None and name not in have:
            problems.append(
                Problem(
                    page.path,
                    page.line_of(loc),
                    f"{what}: column {name!r} is not in the result; the result has: {result_has}",
                )
            )

    for i, chart in enumerate(page.header.charts):
        what = f"charts[{i}] ({chart.type})"
        if chart.type == "kpi":
            need(chart.value, ("charts", i, "value"), what)
        elif chart.type in ("line", "bar", "area"):
            need(chart.x, ("charts", i, "x"), what)
            for j, y in enumerate(chart.y):
                need(y, ("charts", i, "y", j), what)
            need(chart.color, ("charts", i, "color"), what)
        elif chart.type == "table":
            for j, c in enumerate(chart.columns or []):
                need(c, ("charts", i, "columns", j), what)
            for c in chart.formats:
                need(c, ("charts", i, "formats", c), what)
        elif chart.type == "heatmap":
            for part in ("x", "y", "value"):
                need(getattr(chart, part), ("charts", i, part), what)
        elif chart.type == "sankey":
            for part in ("source", "target", "value"):
                need(getattr(chart, part), ("charts", i, part), what)
    for name in page.header.columns:
        need(name, ("columns", name), "columns")
    return problems


def parameter_problems(page: SqlPage, checked: sandbox.Checked) -> list[Problem]:
    """Declared but unused, or used but undeclared: both are mistakes."""
    problems, names = [], param_names(page)
    for name, binds in names.items():
        if not any(b in checked.parameters for b in binds):
            uses = " or ".join(f"${b}" for b in binds)
            problems.append(
                Problem(
                    page.path,
                    page.line_of(("params", name)),
                    f"parameter {name!r} is declared but the SQL never uses {uses}",
                )
            )
    known = {b for binds in names.values() for b in binds} | set(sandbox.GLOBAL_PARAMS)
    for used in sorted(checked.parameters - known):
        declared = listing(f"${b}" for binds in names.values() for b in binds) or "none"
        problems.append(
            Problem(
                page.path,
                _sql_text_line(page, f"${used}"),
                f"the SQL uses ${used}, which the header does not declare under params:; "
                f"declared: {declared}; always available: {globals_listing()}",
            )
        )
    return problems


def _sql_text_line(page: SqlPage, needle: str) -> int:
    for i, line in enumerate(page.sql.split("\n")):
        if re.search(re.escape(needle) + r"\b", line):
            return page.sql_first_line + i
    return page.sql_first_line


def sql_problem(page: SqlPage, exc: Exception, what: str | None = None) -> Problem:
    """A refused or failing SQL, in words, placed on the file line DuckDB points at."""
    raw = exc.detail if isinstance(exc, sandbox.Refused) else str(exc)
    line = sandbox.sql_line(raw)
    if line is not None:
        file_line = page.sql_first_line + line - 1
    else:
        quoted = re.search(r'"([^"]+)"', raw) or (
            re.search(r"\$(\w+)", raw) if isinstance(exc, sandbox.Refused) else None
        )
        name = exc.values.get("name") if isinstance(exc, sandbox.Refused) else None
        file_line = _sql_text_line(page, name or (quoted.group(1) if quoted else "\0"))
    message = _sql_message(exc) if isinstance(exc, sandbox.Refused) else _first_line(raw)
    return Problem(page.path, file_line, f"{what}: {message}" if what else message)


def _first_line(message: str) -> str:
    return " ".join(message.split("LINE ")[0].split())


def _sql_message(exc: sandbox.Refused) -> str:
    """A refusal as the checker says it: what is wrong with the page's SQL and what a page may do."""
    v = exc.values
    return {
        "empty": "the page has no SQL after its header",
        "syntax": f"the SQL does not parse: {_first_line(exc.detail).removeprefix('Parser Error: ')}",
        "several": (
            f"the SQL holds {v.get('count')} statements; a page runs exactly one SELECT (remove the `;` between them)"
        ),
        "not_select": f"the SQL is a {v.get('kind')} statement; a page runs exactly one SELECT",
        "unverifiable": "the SQL cannot be verified (PIVOT is not supported); write it as one plain SELECT",
        "file_function": f"the SQL reads files ({v.get('name')}); a page reads only the contract's tables",
        "table_function": (
            f"the SQL calls the table function {v.get('name')}, which pages may not use; allowed: "
            f"{listing(sorted(sandbox.SAFE_TABLE_FUNCTIONS | sandbox.table_macros()))}"
        ),
        "parameter": f"the SQL uses ${v.get('name')}, which has no value; known: {v.get('known')}",
        "timeout": f"the SQL ran longer than {v.get('seconds')} s and was stopped",
        "memory": f"the SQL needed too much memory: {exc.detail}",
        "error": _first_line(exc.detail),
    }[exc.code]


# ---- the checker ---------------------------------------------------------------------------------------------


def contract_database() -> duckdb.DuckDBPyConnection:
    """An empty database with the contract's tables (and the scope macros, where they need nothing more):
    SQL prepares against it when there is no data to prepare against."""
    con = duckdb.connect(":memory:", config={"enable_external_access": False, "threads": 1})
    for name in LOAD_ORDER:
        cols = ", ".join(f"{ident(c.name)} {c.type}" for c in TABLES[name].columns)
        con.execute(f"create table {ident(name)} ({cols})")
    with contextlib.suppress(duckdb.Error):  # macros over derived tables (rollups) need a real database
        con.execute((QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8"))
    con.execute("set lock_configuration = true")
    return con


def _placeholder_values(page: SqlPage, as_of: dt.date) -> dict:
    """Values of the right types for preparing the SQL against empty tables."""
    options = {
        name: ([(o, str(o)) for o in spec.options] if spec.options is not None else [("", "")])
        for name, spec in page.header.params.items()
        if spec.type in ("select", "multiselect")
    }
    values = default_values(page, as_of, options, preset_period(CHECK_PRESET, as_of))
    for name, spec in page.header.params.items():
        if spec.type == "multiselect" and not values[name]:
            values[name] = [""]
    return values


def check_page(
    path: Path, data: duckdb.DuckDBPyConnection | None, as_of: dt.date, scope: Scope | None = None
) -> tuple[list[Problem], int | None]:
    """Every problem of one page file, and its row count on the data (None when it did not run).

    The global period is the default one (the last 4 complete weeks before `as_of`); parameters
    take their defaults.
    """
    period, scope = preset_period(CHECK_PRESET, as_of), scope or Scope()
    try:
        page = parse_page(path, path.read_text(encoding="utf-8"))
    except PageError as exc:
        return exc.problems, None
    try:
        checked = sandbox.check_select(page.sql)
    except sandbox.Refused as exc:
        return [sql_problem(page, exc)], None
    problems = parameter_problems(page, checked)
    for name, spec in page.header.params.items():
        if getattr(spec, "options_sql", None):
            try:
                sandbox.check_select(spec.options_sql)
            except sandbox.Refused as exc:
                line = page.line_of(("params", name, "options_sql"))
                problems.append(Problem(path, line, f"params.{name}.options_sql: {_sql_message(exc)}"))
    if problems:
        return problems, None
    # 1. The SQL prepares (binds, without running) against the contract's tables: those of the data's
    #    database, else an empty one; and the charts name columns it returns.
    globals_ = global_values(period, scope, DEFAULT_LANG)
    target = data if data is not None else contract_database()
    try:
        params = {**globals_, **bound_values(page, _placeholder_values(page, as_of))}
        columns = target.sql(page.sql, params=sandbox.bind_parameters(checked, params)).columns
    except (duckdb.Error, sandbox.Refused) as exc:
        return [sql_problem(page, exc, "the SQL does not run against the contract's tables")], None
    finally:
        if data is None:
            target.close()
    problems = column_problems(page, columns)
    if problems or data is None:
        return problems, None
    # 2. The page's own tests pass on the data, with the default parameters.
    try:
        options = {
            name: options_of(data, spec, globals_, DEFAULT_LANG)
            for name, spec in page.header.params.items()
            if spec.type in ("select", "multiselect")
        }
        values = default_values(page, as_of, options)
        params = {**globals_, **bound_values(page, values)}
        result = sandbox.run_select(data, checked, params, timeout_s=PAGE_TIMEOUT_S, max_rows=None)
    except sandbox.Refused as exc:
        return [sql_problem(page, exc, "the SQL fails on the data")], None
    return run_tests(page, result.frame, params), result.total_rows


def run_tests(page: SqlPage, frame: pl.DataFrame, params: dict | None = None) -> list[Problem]:
    """The page's `tests:` on its result: min_rows, and each `expect` over every row (it may name the
    page's parameters, e.g. `last_used_on < $period_start`)."""
    problems = []
    scratch = duckdb.connect(":memory:", config={"enable_external_access": False, "threads": 1})
    try:
        scratch.register("page_result", frame.to_arrow())
        for i, test in enumerate(page.header.tests):
            line = page.line_of(("tests", i))
            if test.min_rows is not None and frame.height < test.min_rows:
                problems.append(
                    Problem(
                        page.path,
                        line,
                        f"tests[{i}]: min_rows {test.min_rows} fails: the page returned {frame.height} rows",
                    )
                )
            if test.expect is not None:
                problems.extend(_expect_problems(page, scratch, test.expect, i, line, frame.height, params or {}))
    finally:
        scratch.close()
    return problems


def _expect_problems(page, scratch, expect: str, i: int, line: int, rows: int, params: dict) -> list[Problem]:
    condition = f"not coalesce(({expect}), false)"
    sql = (
        f"select count(*) filter (where {condition}) as failing,"
        f" any_value(page_result) filter (where {condition}) as example from page_result"
    )
    try:
        checked = sandbox.check_select(sql)
        failing, example = scratch.execute(checked.sql, sandbox.bind_parameters(checked, params)).fetchall()[0]
    except sandbox.Refused as exc:
        return [
            Problem(page.path, line, f"tests[{i}]: expect {expect!r} is not a valid SQL boolean: {_sql_message(exc)}")
        ]
    except duckdb.Error as exc:
        return [
            Problem(page.path, line, f"tests[{i}]: expect {expect!r} cannot be evaluated: {' '.join(str(exc).split())}")
        ]
    if failing:
        return [
            Problem(page.path, line, f"tests[{i}]: expect {expect!r} fails on {failing} of {rows} rows, e.g. {example}")
        ]
    return []


def _has_data(base: Path) -> bool:
    return all(table_files(base, t) for t in REQUIRED_TABLES)


def check_pages(paths: list[Path], base: Path, out=None) -> int:
    """Check the given page files against the data in `base`; print a report; 0 when all pass."""
    out = out or sys.stdout
    data = database(base, Scope())
    last_day = data.cursor().sql("select max(exchange_date) as d from exchanges_daily").fetchall()[0][0]
    as_of = min(today(), last_day + dt.timedelta(days=1)) if last_day else today()
    period = preset_period(CHECK_PRESET, as_of)
    print(
        f"Checking {len(paths)} SQL page(s) against the contract and the data in {base} "
        f"(global period {period.start} .. {period.end}, scope all).\n",
        file=out,
    )
    failed = 0
    seen_urls: dict[str, Path] = {}
    for path in paths:
        started = time.perf_counter()
        cur = data.cursor()
        try:
            problems, rows = check_page(path, cur, as_of)
        finally:
            cur.close()
        other = seen_urls.setdefault(url_path(path), path)
        if other != path:
            clash = f"same URL path /{url_path(path)} as {display_path(other)}; rename one"
            problems.append(Problem(path, None, clash))
        took = time.perf_counter() - started
        if problems:
            failed += 1
            print(f"  FAIL  {display_path(path)}", file=out)
            for p in problems:
                print(f"        {p}", file=out)
        else:
            print(f"  ok    {display_path(path)}  ({rows} rows, {took:.2f} s)", file=out)
    print(f"\n{len(paths)} page(s): {len(paths) - failed} ok, {failed} failed.", file=out)
    return 1 if failed else 0


def run_pages_command(args) -> int:
    """`pages check [PATH ...]`: the pages folder by default; demo data when the data dir is empty."""
    paths: list[Path] = []
    for arg in args.paths or [str(pages_dir())]:
        p = Path(arg)
        if p.is_dir():
            paths.extend(page_files(p) if p.resolve() == pages_dir() else sorted(p.rglob("*.sql")))
        elif p.is_file():
            paths.append(p)
        else:
            print(f"no such file or folder: {arg}", file=sys.stderr)
            return 2
    if not paths:
        print("No SQL pages found.")
        return 0
    base = data_dir(args.data_dir)
    if _has_data(base):
        return check_pages(paths, base)
    tmp = Path(tempfile.mkdtemp(prefix="pages-check-"))
    try:
        print(f"No curated data in {base / 'curated'}: checking against freshly generated demo data.")
        generate(tmp, seed=42, scale=1, until=today(), progress=False)
        return check_pages(paths, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
