"""Analyst SQL pages: `pages/<section>/<name>.sql`, a YAML header in a leading comment, then one SELECT.

Discovery (every run of app.py, so a new file shows on the next reload), the header model
(pydantic, with errors that name the file, the line and the allowed values), the page runner
(bound parameters, the current scope's database, the sandbox of dashboard/engine/sandbox.py), the
Streamlit renderer and the checker behind `python -m dashboard pages check`. The analyst guide is
docs/analyst-guide.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import polars as pl
import streamlit as st
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dashboard.config import PAGES_DIR, QUERIES_DIR, ROOT, table_files, today
from dashboard.data.contract import LOAD_ORDER, TABLES
from dashboard.engine import sandbox
from dashboard.engine.db import database
from dashboard.i18n import DEFAULT_LANG, fmt_date, fmt_number, fmt_percent, t
from dashboard.period import PRESETS, Period, preset_period
from dashboard.scope import Scope

CHART_TYPES = ("kpi", "line", "bar", "area", "table", "heatmap", "sankey")
PARAM_TYPES = ("date_range", "select", "multiselect", "number", "text")
FORMATS = ("integer", "decimal", "percent", "date", "text")
AGGREGATES = ("first", "sum", "count", "mean", "min", "max")
RESERVED_FOLDERS = ("leaders", "tools")  # Python pages: the leader pages and the analysts' workbench
PAGE_TIMEOUT_S = 60.0
CHECK_PRESET = "last_4_weeks"  # the app's default period (dashboard/web/ui.py DEFAULT_PRESET)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_URL_UNSAFE = re.compile(r"[^a-z0-9_]+")

Format = Literal["integer", "decimal", "percent", "date", "text"]
Scalar = str | int | float


# ---- the header model ------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in both languages: {vi: ..., en: ...}."""

    vi: str = Field(pattern=r"\S")  # not blank
    en: str = Field(pattern=r"\S")

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


class SectionName(Text):
    """A section's display name: {vi, en}, or one name for both languages."""

    @model_validator(mode="before")
    @classmethod
    def _one_name(cls, data):
        return {"vi": data, "en": data} if isinstance(data, str) else data


class ColumnLabel(Text):
    """How a result column is called on screen, and how its numbers are written."""

    format: Format | None = None


class _Param(_Strict):
    label: Text | None = None
    help: Text | None = None


class DateRangeParam(_Param):
    """Two dates, bound as $<name>_start and $<name>_end. Default `global`: the sidebar's period (the page's
    range follows it until the user picks another range on the page); or a period preset."""

    type: Literal["date_range"]
    default: Literal[("global", *PRESETS)] = "global"  # type: ignore[valid-type]


class NumberParam(_Param):
    type: Literal["number"]
    default: int | float
    min: int | float | None = None
    max: int | float | None = None
    step: int | float | None = None

    @model_validator(mode="after")
    def _in_range(self):
        if self.min is not None and self.default < self.min or self.max is not None and self.default > self.max:
            raise ValueError(f"default {self.default} is outside min {self.min} .. max {self.max}")
        return self


class TextParam(_Param):
    type: Literal["text"]
    default: str = ""
    max_length: int = Field(default=100, ge=1, le=1000)


class _Choice(_Param):
    options: list[Scalar] | None = None
    options_sql: str | None = None
    labels: dict[str, Text] = {}

    @model_validator(mode="after")
    def _one_source(self):
        if (self.options is None) == (self.options_sql is None):
            raise ValueError("give either `options` (a fixed list) or `options_sql` (a query), not both or neither")
        if self.options is not None and not self.options:
            raise ValueError("`options` is empty")
        return self


class SelectParam(_Choice):
    """One value; with `all_option`, an extra first choice 'All' bound as NULL."""

    type: Literal["select"]
    default: Scalar | None = None
    all_option: bool = False

    @model_validator(mode="after")
    def _default_is_an_option(self):
        if self.options is not None and self.default is not None and self.default not in self.options:
            raise ValueError(f"default {self.default!r} is not one of the options: {_listing(self.options)}")
        return self


class MultiselectParam(_Choice):
    """Several values, bound as a list (use `list_contains($name, column)`); default: every option."""

    type: Literal["multiselect"]
    default: list[Scalar] | None = None

    @model_validator(mode="after")
    def _defaults_are_options(self):
        if self.options is not None and self.default is not None:
            stray = [d for d in self.default if d not in self.options]
            if stray:
                raise ValueError(f"default {stray!r} is not among the options: {_listing(self.options)}")
        return self


Param = Annotated[
    DateRangeParam | SelectParam | MultiselectParam | NumberParam | TextParam, Field(discriminator="type")
]


class _Chart(_Strict):
    title: Text
    format: Format | None = None


class KpiChart(_Chart):
    """One number: the `value` column of the first row, or aggregated over the rows with `agg`."""

    type: Literal["kpi"]
    value: str
    agg: Literal[AGGREGATES] = "first"  # type: ignore[valid-type]


class XYChart(_Chart):
    """Line, bar or area: `x` against one or more `y` columns, one series per `color` value."""

    type: Literal["line", "bar", "area"]
    x: str
    y: list[str] = Field(min_length=1)
    color: str | None = None
    horizontal: bool = False

    @field_validator("y", mode="before")
    @classmethod
    def _one_or_more(cls, value):
        return [value] if isinstance(value, str) else value


class TableChart(_Strict):
    """The rows as a table with CSV and XLSX downloads; `columns` picks and orders them."""

    type: Literal["table"]
    title: Text | None = None
    columns: list[str] | None = None
    formats: dict[str, Format] = {}


class HeatmapChart(_Chart):
    type: Literal["heatmap"]
    x: str
    y: str
    value: str


class SankeyChart(_Chart):
    type: Literal["sankey"]
    source: str
    target: str
    value: str


Chart = Annotated[KpiChart | XYChart | TableChart | HeatmapChart | SankeyChart, Field(discriminator="type")]


class PageTest(_Strict):
    """`{min_rows: N}`, or `{expect: "<SQL boolean>"}` that must hold for every row of the result."""

    min_rows: int | None = Field(default=None, ge=0)
    expect: str | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.min_rows is None) == (self.expect is None):
            raise ValueError('a test is either {min_rows: N} or {expect: "<SQL boolean>"}')
        return self


class PageHeader(_Strict):
    """The YAML block at the top of a SQL page."""

    title: Text
    menu_title: Text | None = None
    section: SectionName | None = None
    order: int = 100
    description: Text | None = None
    icon: str | None = None
    params: dict[str, Param] = {}
    columns: dict[str, ColumnLabel] = {}
    charts: list[Chart] = Field(min_length=1)
    snapshot: bool = False
    tests: list[PageTest] = []

    @field_validator("params")
    @classmethod
    def _param_names(cls, params: dict):
        for name in params:
            if not _NAME.match(name):
                raise ValueError(f"parameter name {name!r} must be lowercase letters, digits and _")
            if name in sandbox.GLOBAL_PARAMS:
                raise ValueError(f"parameter name {name!r} is taken by the global filters ({_globals()})")
        return params

    @field_validator("icon")
    @classmethod
    def _material_icon(cls, icon):
        if icon is not None and not re.match(r"^:material/[a-z0-9_]+:$", icon):
            raise ValueError("icon must look like :material/insights:")
        return icon


def _listing(values) -> str:
    return ", ".join(str(v) for v in values)


def _globals() -> str:
    return ", ".join(f"${p}" for p in sandbox.GLOBAL_PARAMS)


# ---- problems with a place -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with a page, and where."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = _display(self.path) + (f", line {self.line}" if self.line else "")
        return f"{where}: {self.message}"


class PageError(Exception):
    """A page that cannot be shown: its problems, each with the file and the line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---- reading a page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SqlPage:
    """A parsed page: its header, its SQL and where each of them starts in the file."""

    path: Path
    header: PageHeader
    sql: str
    sql_first_line: int  # file line of the SQL text's first line
    yaml_node: yaml.Node = field(repr=False, compare=False)
    yaml_first_line: int = 1

    @property
    def key(self) -> str:
        return url_path(self.path)

    def line_of(self, loc: tuple) -> int | None:
        return _yaml_line(self.yaml_node, loc, self.yaml_first_line)


def url_path(path: Path) -> str:
    """The page's URL path: `<section folder>-<file name>`, e.g. /phan_tich-du_lieu_chua_khai_thac."""
    return f"{_URL_UNSAFE.sub('_', path.parent.name.lower())}-{_URL_UNSAFE.sub('_', path.stem.lower())}"


def split_page(path: Path, text: str) -> tuple[str, int, str, int]:
    """(yaml text, its first file line, SQL text, its first file line) of a page file."""
    lines = text.lstrip("\ufeff").split("\n")
    opening = next((i for i, line in enumerate(lines) if line.strip()), None)
    if opening is None:
        raise PageError([Problem(path, 1, "the file is empty; a page starts with a `/* ---` header line")])
    if lines[opening].strip() != "/* ---":
        raise PageError(
            [Problem(path, opening + 1, "a page must start with a header: a line `/* ---`, YAML, then `--- */`")]
        )
    closing = next((i for i in range(opening + 1, len(lines)) if lines[i].strip() == "--- */"), None)
    if closing is None:
        raise PageError([Problem(path, opening + 1, "the header opened here is never closed with a line `--- */`")])
    return "\n".join(lines[opening + 1 : closing]), opening + 2, "\n".join(lines[closing + 1 :]), closing + 2


def parse_page(path: Path, text: str) -> SqlPage:
    """Parse and validate a page's text; raise PageError naming the file, the line and what was expected."""
    head, head_line, sql, sql_line = split_page(path, text)
    try:
        node = yaml.compose(head, Loader=yaml.SafeLoader)
        data = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = head_line + mark.line if mark else head_line
        what = getattr(exc, "problem", None) or str(exc)
        context_mark = getattr(exc, "context_mark", None)
        context = f" ({exc.context}" if getattr(exc, "context", None) else ""
        if context and context_mark is not None:
            context += f" that starts on line {head_line + context_mark.line}"
        context += ")" if context else ""
        col = f", column {mark.column + 1}" if mark else ""
        raise PageError([Problem(path, line, f"the header is not valid YAML{col}: {what}{context}")]) from None
    if not isinstance(data, dict):
        raise PageError([Problem(path, head_line, "the header must be a YAML mapping (title:, charts:, ...)")])
    try:
        header = PageHeader.model_validate(data)
    except ValidationError as exc:
        raise PageError(
            [Problem(path, _yaml_line(node, e["loc"], head_line), _explain(e)) for e in exc.errors()]
        ) from None
    if not sql.strip():
        raise PageError([Problem(path, sql_line, "the page has a header but no SQL after `--- */`")])
    return SqlPage(path, header, sql, sql_line, node, head_line)


@functools.lru_cache(maxsize=512)
def _load(path: Path, mtime_ns: int, size: int) -> SqlPage | PageError:
    try:
        return parse_page(path, path.read_text(encoding="utf-8"))
    except PageError as exc:
        return exc
    except (OSError, UnicodeDecodeError) as exc:
        return PageError([Problem(path, None, f"cannot read the file: {exc}")])


def load_page(path: Path) -> SqlPage:
    """The parsed page at `path` (cached until the file changes); PageError when it is broken."""
    stat = path.stat()
    loaded = _load(path.resolve(), stat.st_mtime_ns, stat.st_size)
    if isinstance(loaded, PageError):
        raise loaded
    return loaded


def _explain(error: dict) -> str:
    """A pydantic error in words: where in the header, and what was expected, with the allowed values."""
    loc, kind, ctx = tuple(error["loc"]), error["type"], error.get("ctx") or {}
    where = _loc_text(loc)
    family = "chart" if loc[:1] == ("charts",) else "parameter" if loc[:1] == ("params",) else "value"
    allowed_types = CHART_TYPES if family == "chart" else PARAM_TYPES
    if kind == "union_tag_invalid":
        return f"{where}.type: unknown {family} type {ctx.get('tag')!r}; allowed: {_listing(allowed_types)}"
    if kind == "union_tag_not_found":
        return f"{where}: missing `type:`; allowed {family} types: {_listing(allowed_types)}"
    if kind == "missing":
        return f"{where}: this field is required"
    if kind == "string_pattern_mismatch":
        return f"{where}: must not be empty"
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        hint = f"; allowed here: {_listing(allowed)}" if allowed else ""
        return f"{where}: unknown field {loc[-1]!r}{hint}"
    if kind == "literal_error":
        return f"{where}: {error['input']!r} is not allowed; allowed: {ctx.get('expected', '').replace(chr(39), '')}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _loc_text(loc: tuple) -> str:
    """charts[1].x from ('charts', 1, 'bar', 'x'), dropping union member tags."""
    text, tp = "", PageHeader
    for part in loc:
        tp, is_tag = _step(tp, part)
        if not is_tag:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _unwrap(tp):
    """A type without Annotated and Optional; a tuple of its members when it is a real union."""
    from types import UnionType
    from typing import Union, get_args, get_origin

    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (Union, UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else tuple(members)
    return tp


def _step(tp, part) -> tuple[object, bool]:
    """The type one loc step below `tp`, and whether the step was a union member's name (not a field)."""
    from typing import get_args, get_origin

    tp = _unwrap(tp)
    if isinstance(tp, tuple):  # a union: pydantic names the member (a discriminator tag or a type name)
        for member in tp:
            fields = member.model_fields if isinstance(member, type) and issubclass(member, BaseModel) else {}
            if "type" in fields and part in get_args(fields["type"].annotation):
                return member, True
        return None, isinstance(part, str)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return (tp.model_fields[part].annotation if part in tp.model_fields else None), False
    origin, args = get_origin(tp), get_args(tp)
    if origin is list and isinstance(part, int):
        return args[0], False
    if origin is dict and isinstance(part, str):
        return args[1], False
    return None, False


def _fields_at(loc: tuple) -> list[str]:
    """The fields the model at `loc` accepts (the union member named by a tag, when there is one)."""
    tp = PageHeader
    for part in loc:
        tp, _ = _step(tp, part)
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _yaml_line(node: yaml.Node | None, loc: tuple, first_line: int) -> int:
    """The file line of the YAML node a loc points to (the nearest existing parent when it is missing)."""
    if node is None:
        return first_line
    line = node.start_mark.line
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                continue  # a union member's tag, or a missing key: stay on the parent
            key, node = match
            line = key.start_mark.line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line
    return first_line + line


# ---- discovery ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageEntry:
    """A SQL page file found under pages/: its place in the navigation, and its page or its error."""

    path: Path
    section: str  # the folder
    page: SqlPage | None
    error: PageError | None

    @property
    def url_path(self) -> str:
        return url_path(self.path)

    def title(self, lang: str) -> str:
        """The name in the navigation: the short `menu_title`, else the title, else the file name."""
        if self.page is None:
            return self.path.stem.replace("_", " ")
        return (self.page.header.menu_title or self.page.header.title)(lang)

    @property
    def order(self) -> int:
        return self.page.header.order if self.page else 10_000


def pages_dir() -> Path:
    """The folder holding the pages: $DASHBOARD_PAGES_DIR when set (tests, a separate pages repo), else pages/."""
    return Path(os.environ.get("DASHBOARD_PAGES_DIR") or PAGES_DIR).resolve()


def page_files(folder: Path | None = None) -> list[Path]:
    """Every `<section>/<name>.sql` under the pages folder; names starting with _ or . are drafts, skipped."""
    folder = folder or pages_dir()
    return sorted(
        p
        for p in folder.glob("*/*.sql")
        if p.parent.name not in RESERVED_FOLDERS
        and not p.name.startswith(("_", "."))
        and not p.parent.name.startswith(("_", "."))
    )


def discover(folder: Path | None = None) -> list[PageEntry]:
    """Every SQL page, parsed (cached per file version), in section then order then name."""
    entries = []
    for path in page_files(folder):
        try:
            entries.append(PageEntry(path, path.parent.name, load_page(path), None))
        except PageError as exc:
            entries.append(PageEntry(path, path.parent.name, None, exc))
        except OSError:
            continue  # removed while we looked
    return sorted(entries, key=lambda e: (e.section, e.order, e.path.name))


def section_title(entries: list[PageEntry], section: str, lang: str) -> str:
    """A section's name: the first page's `section:` header that has one, else the folder name."""
    for entry in entries:
        if entry.section == section and entry.page and entry.page.header.section:
            return entry.page.header.section(lang)
    return section.replace("_", " ").capitalize()


def snapshot_pages(folder: Path | None = None) -> list[SqlPage]:
    """The valid pages whose header says `snapshot: true` (for the weekly export)."""
    return [e.page for e in discover(folder) if e.page and e.page.header.snapshot]


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


def run_page(base: Path, scope: Scope, page: SqlPage, values: dict, period: Period, lang: str) -> sandbox.Result:
    """Run the page's SQL in the scope's database with its parameters and the global ones bound."""
    params = {**global_values(period, scope, lang), **bound_values(page, values)}
    checked = sandbox.check_select(page.sql)
    return sandbox.run_select(database(base, scope), checked, params, timeout_s=PAGE_TIMEOUT_S)


def column_problems(page: SqlPage, columns: list[str]) -> list[Problem]:
    """Every column a chart or a label names that the result does not have."""
    have, problems = set(columns), []
    listing = _listing(columns)

    def need(name: str | None, loc: tuple, what: str) -> None:
        if name is not None and name not in have:
            problems.append(
                Problem(
                    page.path,
                    page.line_of(loc),
                    f"{what}: column {name!r} is not in the result; the result has: {listing}",
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
        declared = _listing(f"${b}" for binds in names.values() for b in binds) or "none"
        problems.append(
            Problem(
                page.path,
                _sql_text_line(page, f"${used}"),
                f"the SQL uses ${used}, which the header does not declare under params:; "
                f"declared: {declared}; always available: {_globals()}",
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
            f"{_listing(sorted(sandbox.SAFE_TABLE_FUNCTIONS | sandbox.table_macros()))}"
        ),
        "parameter": f"the SQL uses ${v.get('name')}, which has no value; known: {v.get('known')}",
        "timeout": f"the SQL ran longer than {v.get('seconds')} s and was stopped",
        "memory": f"the SQL needed too much memory: {exc.detail}",
        "error": _first_line(exc.detail),
    }[exc.code]


def refusal_text(exc: sandbox.Refused, lang: str = "en") -> str:
    """A refusal in plain words (the workbench's messages), with DuckDB's own words when there are any."""
    text = t(f"workbench.refused_{exc.code}", lang, **exc.values)
    return f"{text} ({' '.join(exc.detail.split())})" if exc.detail and exc.code in ("syntax", "error") else text


# ---- the checker (python -m dashboard pages check) -----------------------------------------------------


def contract_database() -> duckdb.DuckDBPyConnection:
    """An empty database with the contract's tables (and the scope macros, where they need nothing more):
    SQL prepares against it when there is no data to prepare against."""
    con = duckdb.connect(":memory:", config={"enable_external_access": False, "threads": 1})
    for name in LOAD_ORDER:
        cols = ", ".join(f'"{c.name}" {c.type}' for c in TABLES[name].columns)
        con.execute(f'create table "{name}" ({cols})')
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
    return all(table_files(base, t) for t in LOAD_ORDER)


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
            problems.append(Problem(path, None, f"same URL path /{url_path(path)} as {_display(other)}; rename one"))
        took = time.perf_counter() - started
        if problems:
            failed += 1
            print(f"  FAIL  {_display(path)}", file=out)
            for p in problems:
                print(f"        {p}", file=out)
        else:
            print(f"  ok    {_display(path)}  ({rows} rows, {took:.2f} s)", file=out)
    print(f"\n{len(paths)} page(s): {len(paths) - failed} ok, {failed} failed.", file=out)
    return 1 if failed else 0


def run_pages_command(args) -> int:
    """`pages check [PATH ...]`: the pages folder by default; demo data when the data dir is empty."""
    from dashboard.config import data_dir

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
    from dashboard.data.demo import generate

    tmp = Path(tempfile.mkdtemp(prefix="pages-check-"))
    try:
        print(f"No curated data in {base / 'curated'}: checking against freshly generated demo data.")
        generate(tmp, seed=42, scale=1, until=today(), progress=False)
        return check_pages(paths, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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


# ---- rendering (Streamlit) -------------------------------------------------------------------------------------


def navigation(lang: str) -> dict[str, list]:
    """The SQL pages as st.Page objects, grouped by section title (discovered on every run)."""
    entries = discover()
    sections: dict[str, list] = {}
    seen: set[str] = set()
    for entry in entries:
        if entry.url_path in seen:  # two files that map to one address: the checker reports it; the menu lives on
            continue
        seen.add(entry.url_path)
        title = section_title(entries, entry.section, lang)
        icon = (entry.page.header.icon if entry.page else ":material/error:") or ":material/table_chart:"
        sections.setdefault(title, []).append(
            st.Page(
                functools.partial(render, entry.path),
                title=entry.title(lang),
                url_path=entry.url_path,
                icon=icon,
            )
        )
    return sections


def _run_uncached(base: str, version: str, scope_key: str, sql: str, params: tuple) -> sandbox.Result:
    checked = sandbox.check_select(sql)
    con = database(Path(base), Scope.parse(scope_key))
    return sandbox.run_select(con, checked, dict(params), timeout_s=PAGE_TIMEOUT_S)


@functools.cache
def _cached_run():
    """The page runner, cached on (data dir, data version, scope, SQL, parameters); made on first use so
    that the command line never sets up Streamlit's cache."""
    return st.cache_data(show_spinner=False, max_entries=256)(_run_uncached)


def _cached_options(base: str, version: str, scope_key: str, sql: str, params: tuple) -> list:
    return _cached_run()(base, version, scope_key, sql, params).frame.rows()


def _is_analyst() -> bool:
    from dashboard.web import ui

    return ui.is_analyst()


def _page_failed(lang: str, problems: str) -> None:
    """Analysts see what is wrong and where; leaders a short, polite notice."""
    if _is_analyst():
        st.error(t("sqlpage.error_analyst", lang))
        st.code(problems, language=None, wrap_lines=True)
    else:
        st.info(t("sqlpage.error_leader", lang))


def render(path: Path) -> None:
    """Show one SQL page. Called by st.navigation for every SQL page (see navigation())."""
    from dashboard.web import ui

    f = ui.filters()
    try:
        page = load_page(path)
    except (PageError, OSError) as exc:
        st.title(path.stem.replace("_", " "))
        _page_failed(f.lang, str(exc))
        return
    header = page.header
    st.title(header.title(f.lang))
    if header.description:
        st.caption(header.description(f.lang))
    try:
        values = _widgets(page, f)
        params = {**global_values(f.period, f.scope, f.lang), **bound_values(page, values)}
        checked = sandbox.check_select(page.sql)
        bound = sandbox.bind_parameters(checked, params)
        with st.spinner(t("sqlpage.running", f.lang)):
            result = _cached_run()(str(f.base), f.version, f.scope.key, page.sql, tuple(sorted(bound.items())))
    except sandbox.Refused as exc:
        _page_failed(f.lang, str(sql_problem(page, exc)))
        return
    except Exception as exc:  # noqa: BLE001 - a broken page must never break the app
        _page_failed(f.lang, f"{_display(page.path)}: {type(exc).__name__}: {exc}")
        return
    _caption(page, values, checked.parameters, f)
    problems = column_problems(page, result.frame.columns)
    if problems:
        _page_failed(f.lang, "\n".join(str(p) for p in problems))
        return
    if result.truncated:
        st.warning(
            t(
                "sqlpage.truncated",
                f.lang,
                shown=fmt_number(result.frame.height, f.lang),
                total=fmt_number(result.total_rows, f.lang),
            )
        )
    _draw(page, result.frame, f)


def _caption(page: SqlPage, values: dict, uses: frozenset[str], f) -> None:
    ranges = [values[n] for n, s in page.header.params.items() if s.type == "date_range"]
    if ranges:
        start, end = ranges[0]
    elif {"start", "end"} & uses:
        start, end = f.period.start, f.period.end
    else:
        st.caption(t("sqlpage.caption_scope", f.lang, scope=f.scope_name))
        return
    st.caption(
        t("sqlpage.caption", f.lang, start=fmt_date(start, f.lang), end=fmt_date(end, f.lang), scope=f.scope_name)
    )


def _label(page: SqlPage, column: str, lang: str) -> str:
    spec = page.header.columns.get(column)
    return spec(lang) if spec else column.replace("_", " ")


def _format_of(page: SqlPage, column: str, override: str | None = None) -> str | None:
    if override:
        return override
    spec = page.header.columns.get(column)
    return spec.format if spec else None


def format_value(value, fmt: str | None, lang: str) -> str:
    """A number or date in the locale, as the page's format says."""
    if value is None:
        return "–"
    if fmt == "percent":
        return fmt_percent(value, lang)
    if fmt == "decimal":
        return fmt_number(value, lang, 1)
    if fmt == "integer":
        return fmt_number(value, lang, 0)
    if fmt == "date" or isinstance(value, dt.date):
        return fmt_date(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]), lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_number(value, lang, 0 if float(value).is_integer() else 1)
    return str(value)


def _draw(page: SqlPage, frame: pl.DataFrame, f) -> None:
    from dashboard.web import charts, ui

    kpis = [c for c in page.header.charts if c.type == "kpi"]
    for row in range(0, len(kpis), 4):
        for col, chart in zip(st.columns(4), kpis[row : row + 4]):
            with col, ui.part(chart.title(f.lang)):
                _kpi(page, frame, chart, f.lang)
    for i, chart in enumerate(page.header.charts):
        if chart.type == "kpi":
            continue
        name = chart.title(f.lang) if chart.title else t("sqlpage.table", f.lang)
        with ui.part(name):
            if chart.title:
                st.subheader(chart.title(f.lang))
            if frame.is_empty():
                st.info(t("app.empty", f.lang))
                continue
            if chart.type == "table":
                _table(page, frame, chart, f, f"{page.key}_{i}")
                continue
            labels = {c: _label(page, c, f.lang) for c in frame.columns}
            if chart.type in ("line", "bar", "area"):
                fig = charts.page_xy_chart(
                    frame,
                    kind=chart.type,
                    x=chart.x,
                    ys=chart.y,
                    color=chart.color,
                    labels=labels,
                    fmt=_format_of(page, chart.y[0], chart.format),
                    lang=f.lang,
                    horizontal=chart.horizontal,
                )
            elif chart.type == "heatmap":
                fig = charts.page_heatmap(
                    frame,
                    x=chart.x,
                    y=chart.y,
                    value=chart.value,
                    labels=labels,
                    fmt=_format_of(page, chart.value, chart.format),
                    lang=f.lang,
                )
            else:
                fig = charts.page_sankey(
                    frame,
                    source=chart.source,
                    target=chart.target,
                    value=chart.value,
                    fmt=_format_of(page, chart.value, chart.format),
                    lang=f.lang,
                )
            st.plotly_chart(fig, width="stretch", key=f"chart_{page.key}_{i}")


def _kpi(page: SqlPage, frame: pl.DataFrame, chart: KpiChart, lang: str) -> None:
    column = frame[chart.value]
    if chart.agg == "count":
        value = column.count()
    elif frame.is_empty():
        value = None
    elif chart.agg == "first":
        value = column[0]
    else:
        value = getattr(column, chart.agg)()
    fmt = "integer" if chart.agg == "count" and not chart.format else _format_of(page, chart.value, chart.format)
    with st.container(border=True):
        st.markdown(f"**{chart.title(lang)}**")
        st.metric(chart.title(lang), format_value(value, fmt, lang), label_visibility="collapsed")


def _table(page: SqlPage, frame: pl.DataFrame, chart: TableChart, f, name: str) -> None:
    from dashboard.web import ui

    shown = frame.select(chart.columns or frame.columns)
    view = []
    for column in shown.columns:
        fmt = _format_of(page, column, chart.formats.get(column))
        series = shown[column]
        if fmt in ("integer", "decimal", "percent", "date") or series.dtype.is_numeric() or series.dtype.is_temporal():
            # plain Python on this thread (a Polars callback may run on its workers: see web/ui.py values_mapped)
            series = pl.Series(
                series.name, [None if v is None else format_value(v, fmt, f.lang) for v in series.to_list()], pl.String
            )
        if series.dtype == pl.String:
            series = series.fill_null("–")
        view.append(series.alias(_label(page, column, f.lang)))
    st.dataframe(pl.DataFrame(view), hide_index=True, width="stretch")
    ui.download_buttons(shown.rename({c: _label(page, c, f.lang) for c in shown.columns}), name)


def _widget_key(page: SqlPage, name: str) -> str:
    return f"sqlp_{page.key}_{name}"


ALL = "*"  # the "All" choice of a select with all_option, in the widget and the URL; bound as NULL
_ABSENT = object()


def _choices(f, spec, globals_: dict) -> list[tuple]:
    if spec.options is not None:
        return options_of(None, spec, globals_, f.lang)
    checked = sandbox.check_select(spec.options_sql)
    bound = sandbox.bind_parameters(checked, globals_)
    rows = _cached_options(str(f.base), f.version, f.scope.key, spec.options_sql, tuple(sorted(bound.items())))
    return [(r[0], str(r[1]) if len(r) > 1 and r[1] is not None else str(r[0])) for r in rows if r[0] is not None]


def _widgets(page: SqlPage, f) -> dict:
    """One widget per parameter (keyed, kept in the URL as p_<name>); returns their values."""
    specs = page.header.params
    if not specs:
        return {}
    globals_ = global_values(f.period, f.scope, f.lang)
    options = {n: _choices(f, s, globals_) for n, s in specs.items() if s.type in ("select", "multiselect")}
    defaults = default_values(page, today(), options, f.period)
    values = {}
    columns = st.columns(min(len(specs), 4))
    for i, (name, spec) in enumerate(specs.items()):
        key = _widget_key(page, name)
        if spec.type == "date_range" and spec.default == "global":
            _follow_global_period(key, (f.period.start, f.period.end))
        if key not in st.session_state:
            from_url = _from_url(spec, st.query_params.get(f"p_{name}"), options.get(name, []))
            st.session_state[key] = _to_widget(spec, defaults[name] if from_url is _ABSENT else from_url)
        if spec.label:
            label = spec.label(f.lang)
        else:
            label = t("sqlpage.period", f.lang) if spec.type == "date_range" else name.replace("_", " ")
        with columns[i % len(columns)]:
            value = _widget(spec, key, label, spec.help(f.lang) if spec.help else None, options.get(name, []), f.lang)
        values[name] = defaults[name] if value is _ABSENT else value
    for name, spec in specs.items():
        text, key = _to_url(spec, values[name], defaults[name]), f"p_{name}"
        if text is None and key in st.query_params:
            del st.query_params[key]
        elif text is not None and st.query_params.get(key) != text:
            st.query_params[key] = text
    return values


def _follow_global_period(key: str, period: tuple) -> None:
    """When the sidebar's period changes, a `default: global` range takes it (a range picked on the page
    holds until then)."""
    seen = f"{key}__global"
    if st.session_state.get(seen) != period:
        if seen in st.session_state:
            st.session_state[key] = period
        st.session_state[seen] = period


def _to_widget(spec, value):
    if spec.type == "select" and value is None:
        return ALL
    return tuple(value) if spec.type == "date_range" else value


def _widget(spec, key: str, label: str, help_: str | None, choices: list, lang: str):
    """Draw one parameter's widget; its value for the SQL (_ABSENT: not usable yet, take the default)."""
    if spec.type == "date_range":
        picked = st.date_input(label, key=key, format="DD/MM/YYYY", help=help_)
        if isinstance(picked, tuple | list) and len(picked) == 2:
            return (picked[0], picked[1])
        st.caption(t("sqlpage.pick_end", lang))
        return _ABSENT
    if spec.type == "select":
        names = dict(choices)
        values = ([ALL] if spec.all_option else []) + list(names)
        if st.session_state.get(key) not in values:
            st.session_state[key] = values[0] if values else None
        picked = st.selectbox(
            label,
            values,
            key=key,
            help=help_,
            format_func=lambda v: t("sqlpage.all", lang) if v == ALL else names.get(v, str(v)),
        )
        return None if picked == ALL else picked
    if spec.type == "multiselect":
        names = dict(choices)
        st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in names]
        return st.multiselect(label, list(names), key=key, help=help_, format_func=lambda v: names.get(v, str(v)))
    if spec.type == "number":
        whole = all(isinstance(v, int) for v in (spec.default, spec.min, spec.max, spec.step) if v is not None)
        cast = int if whole else float
        return st.number_input(
            label,
            min_value=None if spec.min is None else cast(spec.min),
            max_value=None if spec.max is None else cast(spec.max),
            step=cast(spec.step if spec.step is not None else 1),
            key=key,
            help=help_,
        )
    return st.text_input(label, key=key, max_chars=spec.max_length, help=help_)


def _to_url(spec, value, default) -> str | None:
    """The URL text of a value (p_<name>=...), or None when it is the default (links stay short)."""
    if spec.type == "date_range":
        return None if tuple(value) == tuple(default) else f"{value[0].isoformat()}..{value[1].isoformat()}"
    if spec.type == "multiselect":
        return None if list(value) == list(default) else ",".join(str(v) for v in value)
    if value == default:
        return None
    return ALL if value is None else str(value)


def _from_url(spec, text: str | None, choices: list):
    """A value from the URL's p_<name>; _ABSENT when there is none or it is not valid."""
    if text is None:
        return _ABSENT
    try:
        if spec.type == "date_range":
            start, _, end = text.partition("..")
            period = Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
            return (period.start, period.end)
        if spec.type == "select":
            if text == ALL and spec.all_option:
                return None
            return next((v for v, _ in choices if str(v) == text), _ABSENT)
        if spec.type == "multiselect":
            wanted = set(text.split(",")) if text else set()
            return [v for v, _ in choices if str(v) in wanted]
        if spec.type == "number":
            number = float(text)
            if isinstance(spec.default, int) and number.is_integer():
                number = int(number)
            if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
                return _ABSENT
            return number
        return text[: spec.max_length]
    except ValueError:
        return _ABSENT
