"""The analyst SQL pages in the app (Streamlit): the navigation entries, a page's widgets (kept in the URL as
p_<name>), its cached run, and its KPIs, charts and tables. The only sqlpages module that imports Streamlit; the
page file is read by header.py, run by run.py and its problems worded by check.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard.config import today
from dashboard.engine import sandbox
from dashboard.engine.kpi_text import format_cell, values_mapped
from dashboard.i18n import catalogue, fmt_date, fmt_number, t
from dashboard.period import Period
from dashboard.scope import Scope
from dashboard.sqlpages.check import column_problems, sql_problem
from dashboard.sqlpages.header import (
    KpiChart,
    PageError,
    SqlPage,
    TableChart,
    discover,
    display_path,
    load_page,
    section_title,
)
from dashboard.sqlpages.run import bound_values, default_values, global_values, options_of, run_sql
from dashboard.web import charts, ui


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


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_run(base: str, version: str, scope_key: str, sql: str, params: tuple) -> sandbox.Result:
    """The page runner, cached on (data dir, data version, scope, SQL, parameters)."""
    return run_sql(Path(base), Scope.parse(scope_key), sql, dict(params))


def _cached_options(base: str, version: str, scope_key: str, sql: str, params: tuple) -> list:
    return _cached_run(base, version, scope_key, sql, params).frame.rows()


def _page_failed(lang: str, problems: str) -> None:
    """Analysts see what is wrong and where; leaders a short, polite notice."""
    if ui.is_analyst():
        st.error(t("sqlpage.error_analyst", lang))
        st.code(problems, language=None, wrap_lines=True)
    else:
        st.info(t("sqlpage.error_leader", lang))


def render(path: Path) -> None:
    """Show one SQL page. Called by st.navigation for every SQL page (see navigation())."""
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
            result = _cached_run(str(f.base), f.version, f.scope.key, page.sql, tuple(sorted(bound.items())))
    except sandbox.Refused as exc:
        _page_failed(f.lang, str(sql_problem(page, exc)))
        return
    except Exception as exc:  # noqa: BLE001 - a broken page must never break the app
        _page_failed(f.lang, f"{display_path(page.path)}: {type(exc).__name__}: {exc}")
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


def default_label(name: str, lang: str) -> str:
    """A column's or parameter's title when the page gives none: the contract's name for a contract column
    (`[contract_column]` in the catalogue), else the name with `_` as spaces, capitalised."""
    return catalogue(lang).get(f"contract_column.{name}") or name.replace("_", " ").strip().capitalize()


def _label(page: SqlPage, column: str, lang: str) -> str:
    spec = page.header.columns.get(column)
    return spec(lang) if spec else default_label(column, lang)


def _format_of(
    page: SqlPage, column: str, override: str | None = None, frame: pl.DataFrame | None = None
) -> str | None:
    """The format a page gives a column, else one from its type (whole numbers, decimals), as the cards write
    numbers: thousands separated, never `2e+6`."""
    if override:
        return override
    spec = page.header.columns.get(column)
    if spec and spec.format:
        return spec.format
    if frame is not None and column in frame.columns:
        dtype = frame[column].dtype
        if dtype.is_integer():
            return "integer"
    return None  # decimals: charts write at most two places (charts.d3_format), tables as kpi_text.format_cell


def _nothing_to_draw(frame: pl.DataFrame, columns: list[str]) -> bool:
    """A chart whose values are all missing (e.g. a year-on-year page on data without a previous year)."""
    present = [c for c in columns if c in frame.columns]
    return bool(present) and all(frame[c].null_count() == frame.height for c in present)


def _draw(page: SqlPage, frame: pl.DataFrame, f) -> None:
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
            values = list(chart.y) if chart.type in ("line", "bar", "area") else [chart.value]
            if _nothing_to_draw(frame, values):
                st.info(t("sqlpage.chart_empty", f.lang))
                continue
            if chart.type in ("line", "bar", "area"):
                fig = charts.page_xy_chart(
                    frame,
                    kind=chart.type,
                    x=chart.x,
                    ys=chart.y,
                    color=chart.color,
                    labels=labels,
                    fmt=_format_of(page, chart.y[0], chart.format, frame),
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
                    fmt=_format_of(page, chart.value, chart.format, frame),
                    lang=f.lang,
                )
            else:
                fig = charts.page_sankey(
                    frame,
                    source=chart.source,
                    target=chart.target,
                    value=chart.value,
                    fmt=_format_of(page, chart.value, chart.format, frame),
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
    fmt = "integer" if chart.agg == "count" and not chart.format else _format_of(page, chart.value, chart.format, frame)
    with st.container(border=True):
        st.markdown(f"**{chart.title(lang)}**")
        st.metric(chart.title(lang), format_cell(value, fmt, lang), label_visibility="collapsed")


def _table(page: SqlPage, frame: pl.DataFrame, chart: TableChart, f, name: str) -> None:
    shown = frame.select(chart.columns or frame.columns)
    view = []
    for column in shown.columns:
        fmt = _format_of(page, column, chart.formats.get(column), shown)
        series = shown[column]
        if fmt in ("integer", "decimal", "percent", "date") or series.dtype.is_numeric() or series.dtype.is_temporal():
            # plain Python on this thread (a Polars callback may run on its workers: see engine/kpi_text.py)
            series = values_mapped(series, lambda v, fmt=fmt: format_cell(v, fmt, f.lang))
        if series.dtype == pl.String:
            series = series.fill_null("–")
        view.append(series.alias(_label(page, column, f.lang)))
    st.dataframe(pl.DataFrame(view), hide_index=True, width="stretch")
    ui.download_buttons(shown.rename({c: _label(page, c, f.lang) for c in shown.columns}), name)


def _widget_key(page: SqlPage, name: str) -> str:
    return f"sqlp_{page.key}_{name}"


ALL = "*"  # the "All" choice of a select with all_option, in the widget and the URL; bound as NULL
_ABSENT = object()
_INVALID = object()  # a URL value that is not valid: the link's notice, then the default


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
            text = st.query_params.get(f"p_{name}")
            from_url = _from_url(spec, text, options.get(name, []))
            if from_url is _INVALID:  # the notice of every bad link value (web/sidebar.py), then the default
                st.warning(t("filter.bad_url", f.lang, detail=f"p_{name}={text}"))
            usable = from_url is not _ABSENT and from_url is not _INVALID
            st.session_state[key] = _to_widget(spec, from_url if usable else defaults[name])
        if spec.label:
            label = spec.label(f.lang)
        else:
            label = t("sqlpage.period", f.lang) if spec.type == "date_range" else default_label(name, f.lang)
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
            placeholder=t("app.choose", lang),
        )
        return None if picked == ALL else picked
    if spec.type == "multiselect":
        names = dict(choices)
        st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in names]
        return st.multiselect(
            label,
            list(names),
            key=key,
            help=help_,
            format_func=lambda v: names.get(v, str(v)),
            placeholder=t("app.choose_many", lang),  # not Streamlit's English "Choose options"
        )
    if spec.type == "number":
        cast = int if _whole(spec) else float
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


def _whole(spec) -> bool:
    """A number parameter whose default, bounds and step are whole numbers takes whole numbers only."""
    return all(isinstance(v, int) for v in (spec.default, spec.min, spec.max, spec.step) if v is not None)


def _from_url(spec, text: str | None, choices: list):
    """A value from the URL's p_<name>; _ABSENT when there is none, _INVALID when it is not a valid value (not a
    date range, not a choice, not a finite number within the bounds, not whole for a whole-number parameter)."""
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
            return next((v for v, _ in choices if str(v) == text), _INVALID)
        if spec.type == "multiselect":
            wanted = set(text.split(",")) if text else set()
            return [v for v, _ in choices if str(v) in wanted]
        if spec.type == "number":
            number = float(text)  # also takes "nan", "inf", "1e400": refused just below
            if not math.isfinite(number):
                return _INVALID
            if _whole(spec):
                if not number.is_integer():
                    return _INVALID  # 2.5 for a whole number
                number = int(number)
            if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
                return _INVALID
            return number
        return text[: spec.max_length]
    except ValueError:
        return _INVALID
