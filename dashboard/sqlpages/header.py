"""An analyst SQL page's file: `pages/<section>/<name>.sql`, a YAML header in a leading comment, then one SELECT.

The header model (pydantic), parsing with errors that name the file, the line and the allowed values (Problem,
PageError), and discovery of the page files under the pages folder. No Streamlit: the checker behind
`python -m dashboard pages check` (check.py) and the weekly report read pages through here. The runner is run.py,
the Streamlit view view.py; the analyst guide is docs/analyst-guide.md.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dashboard.config import PAGES_DIR, ROOT
from dashboard.engine import sandbox
from dashboard.period import PRESETS

CHART_TYPES = ("kpi", "line", "bar", "area", "table", "heatmap", "sankey")
PARAM_TYPES = ("date_range", "select", "multiselect", "number", "text")
FORMATS = ("integer", "decimal", "percent", "date", "text")
AGGREGATES = ("first", "sum", "count", "mean", "min", "max")
RESERVED_FOLDERS = ("leaders", "tools")  # Python pages: the leader pages and the analysts' workbench
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
            raise ValueError(f"default {self.default!r} is not one of the options: {listing(self.options)}")
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
                raise ValueError(f"default {stray!r} is not among the options: {listing(self.options)}")
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
                raise ValueError(f"parameter name {name!r} is taken by the global filters ({globals_listing()})")
        return params

    @field_validator("icon")
    @classmethod
    def _material_icon(cls, icon):
        if icon is not None and not re.match(r"^:material/[a-z0-9_]+:$", icon):
            raise ValueError("icon must look like :material/insights:")
        return icon


def listing(values) -> str:
    """Values in words for a message: a, b, c."""
    return ", ".join(str(v) for v in values)


def globals_listing() -> str:
    """The global parameters every page may use: $start, $end, ..."""
    return ", ".join(f"${p}" for p in sandbox.GLOBAL_PARAMS)


# ---- problems with a place -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with a page, and where."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = display_path(self.path) + (f", line {self.line}" if self.line else "")
        return f"{where}: {self.message}"


class PageError(Exception):
    """A page that cannot be shown: its problems, each with the file and the line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the project when it is inside it."""
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
        return f"{where}.type: unknown {family} type {ctx.get('tag')!r}; allowed: {listing(allowed_types)}"
    if kind == "union_tag_not_found":
        return f"{where}: missing `type:`; allowed {family} types: {listing(allowed_types)}"
    if kind == "missing":
        return f"{where}: this field is required"
    if kind == "string_pattern_mismatch":
        return f"{where}: must not be empty"
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        hint = f"; allowed here: {listing(allowed)}" if allowed else ""
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
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (Union, UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else tuple(members)
    return tp


def _step(tp, part) -> tuple[object, bool]:
    """The type one loc step below `tp`, and whether the step was a union member's name (not a field)."""
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
