"""Streamlit building blocks every page shares: filters kept in the URL, cached queries, KPI cards,
isolated parts, tables with downloads. Pages stay flat; decisions live in dashboard/."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.config import data_dir, data_version, today
from dashboard.engine.db import DataMissingError
from dashboard.engine.kpis import DEFAULT_MINUTES_PER_DOSSIER, KPI_BY_ID, Kpi, kpi_table, status_for
from dashboard.engine.query import bind, load_sql, run_query
from dashboard.i18n import DEFAULT_LANG, LANGS, fmt_amount, fmt_date, fmt_number, fmt_percent, t
from dashboard.period import PRESETS, Period, preset_period
from dashboard.scope import Scope

DEFAULT_PRESET = "last_4_weeks"
PERIOD_CHOICES = (*PRESETS, "custom")
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}
STATUS_BADGE = {
    "green": ("green", ":material/check_circle:"),
    "amber": ("orange", ":material/warning:"),
    "red": ("red", ":material/error:"),
    None: ("gray", ":material/help:"),
}
_FILTERS = "_filters"
_PAGE = "_page_shown"
GLOBAL_URL_PARAMS = ("lang", "period", "start", "end", "scope")


@dataclass(frozen=True)
class Filters:
    """What every page reads: the data, the period, the scope and the language."""

    base: Path
    version: str
    period: Period
    scope: Scope
    scope_name: str
    lang: str

    def tr(self, key: str, **values) -> str:
        return t(key, self.lang, **values)


def filters() -> Filters:
    """The filters app.py set for this run (and a note of the page that asks, see `_leaving_page`)."""
    st.session_state[_PAGE] = _page_hash()
    chosen = st.session_state[_FILTERS]
    forced = forced_scope()
    if forced is not None and chosen.scope != forced:  # never expected: global_filters forces it; fail closed
        raise PermissionError("scope outside the user's own")
    return chosen


def _page_hash() -> str:
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


def _leaving_page() -> bool:
    """Whether this run opens another page than the one shown last: its own URL parameters are then stale."""
    shown, requested = st.session_state.get(_PAGE), _page_hash()
    return bool(shown and requested and requested != shown)


# ---- cached data access -------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=2048)
def _cached_query(base: str, version: str, scope_key: str, name: str, params: tuple) -> pl.DataFrame:
    return run_query(Path(base), Scope.parse(scope_key), name, dict(params))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_kpis(base: str, version: str, scope_key: str, start: dt.date, end: dt.date, minutes: float) -> pl.DataFrame:
    return kpi_table(Path(base), Period(start, end), Scope.parse(scope_key), minutes_per_dossier=minutes)


def query(name: str, **extra) -> pl.DataFrame:
    """Run queries/<name>.sql in the current scope's database with the period, scope and language bound.

    Cached on the query name, the parameters, the data version and the scope.
    """
    f = filters()
    params = {**f.period.params(), **f.scope.params(), "lang": f.lang, **extra}
    bound = bind(load_sql(name), params)
    return _cached_query(str(f.base), f.version, f.scope.key, name, tuple(sorted(bound.items())))


def kpis(minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER) -> pl.DataFrame:
    """The KPI table for the current period and scope, with the comparison period's values and the change."""
    f = filters()
    return _cached_kpis(str(f.base), f.version, f.scope.key, f.period.start, f.period.end, float(minutes_per_dossier))


# ---- global filters, kept in the URL ---------------------------------------------------------------


def _scope_names(base: Path, version: str, lang: str) -> dict[str, str]:
    options = _cached_query(str(base), version, "all", "scope_options", (("lang", lang),))
    return {"all": t("filter.scope_all", lang), **dict(zip(options["scope_key"], options["scope_name"]))}


def _init_from_url(scope_keys: Sequence[str]) -> list[str]:
    """On a session's first run, take the filters from the URL; return what was invalid."""
    qp, state, problems = st.query_params, st.session_state, []
    lang = qp.get("lang", DEFAULT_LANG)
    if lang not in LANGS:
        problems.append(f"lang={lang}")
        lang = DEFAULT_LANG
    period = qp.get("period", DEFAULT_PRESET)
    if period not in PERIOD_CHOICES:
        problems.append(f"period={period}")
        period = DEFAULT_PRESET
    if period == "custom":
        try:
            custom = Period(dt.date.fromisoformat(qp.get("start", "")), dt.date.fromisoformat(qp.get("end", "")))
            state["f_start"], state["f_end"] = custom.start, custom.end
        except ValueError:
            problems.append(f"start={qp.get('start')}, end={qp.get('end')}")
            period = DEFAULT_PRESET
    scope = qp.get("scope", "all")
    if scope not in scope_keys:
        problems.append(f"scope={scope}")
        scope = "all"
    state["f_lang"], state["f_period"], state["f_scope"] = lang, period, scope
    state["_filters_ready"] = True
    return problems


def global_filters() -> Filters:
    """Render the sidebar filters (language, period, scope), sync them with the URL and store them."""
    base = data_dir()
    version = data_version(base)
    lang = st.session_state.get("f_lang", st.query_params.get("lang", DEFAULT_LANG))
    lang = lang if lang in LANGS else DEFAULT_LANG
    forced = forced_scope()  # a user held to one scope: never the `all` database, never another scope
    try:
        names = _scope_names(base, version, lang) if forced is None else _forced_names(base, version, lang, forced)
    except DataMissingError:
        st.error(t("app.no_data", lang, path=str(base / "curated")))
        st.stop()
    problems = [] if st.session_state.get("_filters_ready") else _init_from_url(list(names))
    if forced is not None:
        problems = [p for p in problems if not p.startswith("scope=")]
        asked = st.query_params.get("scope")
        if not st.session_state.get("_forced_noted") and asked not in (None, forced.key):
            st.warning(t("auth.scope_forced_notice", lang, scope=names[forced.key]), icon=":material/lock:")
        st.session_state["_forced_noted"] = True

    side = st.sidebar
    lang = side.radio(t("filter.language", lang), LANGS, key="f_lang", format_func=LANG_NAMES.get, horizontal=True)
    names = _scope_names(base, version, lang) if forced is None else _forced_names(base, version, lang, forced)
    side.header(t("filter.heading", lang))
    preset = side.selectbox(
        t("filter.period", lang), PERIOD_CHOICES, key="f_period", format_func=lambda p: t(f"period.{p}", lang)
    )
    if preset == "custom":
        default = preset_period(DEFAULT_PRESET, today())
        st.session_state.setdefault("f_start", default.start)
        st.session_state.setdefault("f_end", default.end)
        start = side.date_input(t("filter.start", lang), key="f_start", format="DD/MM/YYYY")
        end = side.date_input(t("filter.end", lang), key="f_end", format="DD/MM/YYYY")
        if start > end:
            side.warning(t("filter.bad_range", lang))
            period = preset_period(DEFAULT_PRESET, today())
        else:
            period = Period(start, end)
    else:
        period = preset_period(preset, today())
    if forced is None:
        scope_key = side.selectbox(t("filter.scope", lang), list(names), key="f_scope", format_func=names.get)
    else:  # a fixed label instead of the choice
        scope_key = forced.key
        side.text_input(t("filter.scope", lang), names[scope_key], disabled=True, key="f_scope_fixed")
        side.caption(t("auth.scope_fixed", lang))
    for problem in problems:
        st.warning(t("filter.bad_url", lang, detail=problem))

    params = {"lang": lang, "period": preset, "scope": scope_key}
    if preset == "custom":
        params |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    # A page's own parameters (e.g. the dataset it shows) stay in the URL beside the global filters,
    # until the user opens another page.
    if not _leaving_page():
        params |= {k: v for k, v in st.query_params.to_dict().items() if k not in GLOBAL_URL_PARAMS}
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    chosen = Filters(base, version, period, Scope.parse(scope_key), names[scope_key], lang)
    st.session_state[_FILTERS] = chosen
    return chosen


# ---- rendering -----------------------------------------------------------------------------------------


def format_value(kpi: Kpi, value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    if kpi.unit == "ratio":
        return fmt_percent(value, lang)
    if kpi.unit == "hours":
        return t("card.hours", lang, value=fmt_number(value, lang))
    return fmt_number(value, lang)


def format_change(kpi: Kpi, change: float | None, lang: str) -> str | None:
    if change is None:
        return None
    if kpi.unit == "ratio":
        return f"{'+' if change >= 0 else ''}{fmt_number(change * 100, lang, 1)} {t('card.points', lang)}"
    return f"{'+' if change >= 0 else ''}{fmt_number(change, lang)}"


def kpi_card(
    row: dict,
    f: Filters,
    minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER,
    width: int | str = "stretch",
    change_note: str | None = None,
) -> None:
    """Value, change against the comparison period, RAG colour and word, and how it is computed.

    `change_note`, when given, says what the change is against instead (a stored weekly snapshot)."""
    kpi, lang = KPI_BY_ID[row["kpi_id"]], f.lang
    change = format_change(kpi, row.get("change"), lang)
    name = t(f"kpi.{kpi.id}.name", lang)
    with st.container(border=True, width=width):
        st.markdown(f"**{name}**")
        st.metric(
            name,
            format_value(kpi, row["value"], lang),
            delta=change,
            delta_color="off" if not row.get("change") else "normal" if kpi.higher_is_better else "inverse",
            label_visibility="collapsed",
            help=change_note or t("card.change_help", lang),
        )
        if change is None:
            st.caption(t("card.no_change", lang))
        elif change_note:
            st.caption(change_note)
        status = row["status"]
        colour, icon = STATUS_BADGE[status]
        word = (
            t(f"status.{status}", lang)
            if status
            else (t("status.none", lang) if kpi.green is not None else t("status.no_threshold", lang))
        )
        st.badge(word, color=colour, icon=icon)
        with st.expander(t("card.how", lang)):
            st.markdown(
                t(f"kpi.{kpi.id}.formula", lang, minutes=fmt_number(minutes_per_dossier, lang))
                if kpi.id == "hours_saved_estimate"
                else t(f"kpi.{kpi.id}.formula", lang)
            )
            if kpi.green is not None:
                st.caption(
                    t(
                        "card.thresholds",
                        lang,
                        green=fmt_percent(kpi.green, lang, 0),
                        amber=fmt_percent(kpi.amber, lang, 0),
                    )
                )
            if row["denominator"] is not None:
                st.caption(
                    t(
                        "card.numbers",
                        lang,
                        numerator=fmt_amount(row["numerator"], lang),
                        denominator=fmt_amount(row["denominator"], lang),
                    )
                )


CARD_WIDTH = 238  # px: four cards fill a row at 1400 px; narrower screens wrap to fewer per row


def kpi_cards(
    table: pl.DataFrame,
    ids: Sequence[str],
    per_row: int | None = None,
    minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER,
    change_note: str | None = None,
) -> None:
    """KPI cards for the given KPI ids, in that order, in rows that wrap on narrow screens.

    `per_row` is kept for callers that group cards; the width of the screen decides the layout.
    `change_note` (optional) tells each card what its change is against (see `kpi_card`).
    """
    f = filters()
    rows = {r["kpi_id"]: r for r in table.to_dicts()}
    with st.container(horizontal=True, wrap=True, gap="small"):
        for kpi_id in ids:
            kpi_card(rows[kpi_id], f, minutes_per_dossier, width=CARD_WIDTH, change_note=change_note)


@contextmanager
def part(name: str) -> Iterator[None]:
    """One part of a page: if it fails, it shows its own error and the rest of the page still renders."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the point is to contain any failure to its part
        lang = filters().lang if _FILTERS in st.session_state else DEFAULT_LANG
        st.error(t("app.part_error", lang, part=name))
        if is_analyst():  # the exception's text may name files, SQL or data: analysts only
            with st.expander(t("app.part_error_detail", lang)):
                st.code(f"{type(exc).__name__}: {exc}")


def formatted(df: pl.DataFrame, formats: dict[str, str], lang: str) -> pl.DataFrame:
    """Format columns for reading ('percent', 'number', 'date', 'status', 'criterion', 'phase'); a missing
    number or date reads '–' (no data), as on the cards."""
    out = []
    for name in df.columns:
        kind = formats.get(name)
        col = df[name]
        if kind == "percent":
            col = values_mapped(col, lambda v: fmt_percent(v, lang))
        elif kind == "number":
            col = values_mapped(col, lambda v: fmt_number(v, lang))
        elif kind == "date":
            col = values_mapped(col, lambda v: fmt_date(v, lang))
        elif kind in ("roadmap_status", "criterion", "phase"):
            col = values_mapped(col, lambda v, k=kind: None if v is None else t(f"{k}.{v}", lang))
        out.append(col.alias(name))
    return pl.DataFrame(out) if out else df


def table(
    df: pl.DataFrame,
    name: str,
    labels: dict[str, str],
    formats: dict[str, str] | None = None,
    *,
    sortable: bool = False,
    key: str | None = None,
    on_select: str = "ignore",
):
    """A readable table with the given column labels, and CSV and XLSX downloads of its raw values.

    With `sortable`, numbers stay numbers (so clicking a header sorts by value) and are shown with a
    column format; otherwise they are formatted as text in the locale. With `on_select="rerun"` and
    a `key`, a row can be selected; the selection state is returned.
    """
    f = filters()
    if df.is_empty():
        st.info(f.tr("app.empty"))
        return None
    formats = formats or {}
    shown = df.select(list(labels))
    if sortable:
        text_kinds = {k: v for k, v in formats.items() if v not in ("percent", "number")}
        view = formatted(shown, text_kinds, f.lang).with_columns(
            [pl.col(c) * 100 for c, kind in formats.items() if kind == "percent"]
        )
        config = {
            labels[c]: st.column_config.NumberColumn(format="%.1f%%" if kind == "percent" else "localized")
            for c, kind in formats.items()
            if kind in ("percent", "number")
        }
    else:
        view, config = formatted(shown, formats, f.lang), None
    event = st.dataframe(
        view.rename(labels),
        hide_index=True,
        width="stretch",
        column_config=config,
        key=key,
        on_select=on_select,
        selection_mode="single-row",
    )
    download_buttons(shown.rename(labels), name)
    return event if on_select != "ignore" else None


def download_buttons(df: pl.DataFrame, name: str) -> None:
    f = filters()
    stem = f"{name}_{f.period.start.isoformat()}_{f.period.end.isoformat()}_{f.scope.key.replace(':', '-')}"
    def xlsx() -> bytes:
        # made when the button is clicked, not on every run: writing a workbook was half of a warm page's time
        # under `python -m dashboard loadtest` (one per table, for every session and rerun)
        out = io.BytesIO()
        df.write_excel(out, worksheet=name[:31], autofit=True)
        return out.getvalue()

    # One row of buttons as wide as their labels (fixed columns cut the labels at tablet width).
    left = right = st.container(horizontal=True, gap="small")
    left.download_button(
        f.tr("download.csv"),
        df.write_csv().encode("utf-8-sig"),
        f"{stem}.csv",
        "text/csv",
        key=f"csv_{name}",
        on_click=audit_download,
        args=(f"{stem}.csv", name),
        icon=":material/download:",
    )
    right.download_button(
        f.tr("download.xlsx"),
        xlsx,
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{name}",
        on_click=audit_download,
        args=(f"{stem}.xlsx", name),
        icon=":material/download:",
    )


def period_caption() -> None:
    f = filters()
    prev = f.period.previous()
    st.caption(
        f.tr(
            "app.data_as_of",
            start=fmt_date(f.period.start, f.lang),
            end=fmt_date(f.period.end, f.lang),
            prev_start=fmt_date(prev.start, f.lang),
            prev_end=fmt_date(prev.end, f.lang),
            scope=f.scope_name,
        )
    )


def url_selectbox(label: str, options: Sequence, *, key: str, param: str, format_func=str):
    """A page's own selectbox whose choice is kept in the URL as `param=`, so a shared link reopens it.

    An option named in the URL is chosen on arrival; otherwise (or if it is no longer an option) the first.
    """
    options = list(options)
    if st.session_state.get(key) not in options:
        wanted = st.query_params.get(param)
        st.session_state[key] = wanted if wanted in options else options[0]
    choice = st.selectbox(label, options, key=key, format_func=format_func)
    if st.query_params.get(param) != str(choice):
        st.query_params[param] = str(choice)
    return choice


# ---- sharing and reuse pages ------------------------------------------------------------------------------

STATUS_DOTS = {"green": "🟢", "amber": "🟠", "red": "🔴", None: "⚪"}
_WORST_FIRST = {"red": 0, "amber": 1, "green": 2, None: 3}


def url_number_input(
    label: str, *, key: str, param: str, default: int, min_value: int, max_value: int, help=None
) -> int:
    """A page's own whole-number input kept in the URL as `param=` (left out while it equals the default)."""
    if key not in st.session_state:
        wanted = st.query_params.get(param, str(default))
        valid = wanted.isdigit() and min_value <= int(wanted) <= max_value
        st.session_state[key] = int(wanted) if valid else default
    value = st.number_input(label, min_value=min_value, max_value=max_value, step=1, key=key, help=help)
    text = None if value == default else str(value)
    if st.query_params.get(param) != text:
        if text is None:
            del st.query_params[param]
        else:
            st.query_params[param] = text
    return value


def coded(df: pl.DataFrame, columns: Sequence[str], prefix: str) -> pl.DataFrame:
    """Codes in `columns` (e.g. a level) replaced by their text `<prefix>.<code>` in the current language."""
    lang = filters().lang
    return df.with_columns(
        values_mapped(df[c], lambda v: None if v is None else t(f"{prefix}.{v}", lang)) for c in columns
    )


def worst_status_first(df: pl.DataFrame, kpi_by_column: dict[str, str], *, name: str = "status") -> pl.DataFrame:
    """Adds `name`: the worst RAG status of the columns, each judged by its KPI's thresholds, as a coloured dot
    and the word; rows are ordered worst first, then by the first column's value, lowest first."""
    lang = filters().lang

    def worst(row: dict) -> str | None:
        found = [status_for(kpi, row[col]) for col, kpi in kpi_by_column.items()]
        return min(found, key=_WORST_FIRST.get)

    def word(status: str | None) -> str:
        return f"{STATUS_DOTS[status]} {t(f'status.{status}' if status else 'status.none', lang)}"

    first = next(iter(kpi_by_column))
    ranked = (
        df.with_columns(rows_mapped(df, kpi_by_column, worst, "_status"))
        .with_columns(pl.col("_status").replace_strict(_WORST_FIRST, default=3, return_dtype=pl.Int8).alias("_rank"))
        .sort(["_rank", first], nulls_last=True)
    )
    return ranked.with_columns(values_mapped(ranked["_status"], word).alias(name)).drop("_status", "_rank")


def labelled_table(
    df: pl.DataFrame, name: str, columns: Sequence[str], prefix: str, formats: dict[str, str] | None = None, **kw
):
    """`table` of the given columns, each labelled by the text `<prefix>.<column>`; formats of other columns are
    ignored, so one page-wide format map serves every table."""
    lang = filters().lang
    shown = {c: k for c, k in (formats or {}).items() if c in columns}
    return table(df, name, {c: t(f"{prefix}.{c}", lang) for c in columns}, shown, **kw)


# ---- analyst view (until roles arrive) --------------------------------------------------------------------


def is_analyst() -> bool:
    """Whether the signed-in user sees analyst things (error details, the workbench): roles analyst and admin
    (dashboard/access/auth.py). No signed-in user: no."""
    user = current_user()
    return user is not None and user.is_analyst


# ---- card grid that wraps at tablet width (sharing and reuse pages) -----------------------------------------

CARD_WIDTH = 210  # px: four cards a row at 1400 px, two at a 900 px tablet, values and status words unclipped


def card_grid(count: int, width: int = CARD_WIDTH) -> list:
    """`count` fixed-width slots in a row that wraps onto more rows where the screen is narrow."""
    row = st.container(horizontal=True, gap="small")
    return [row.container(width=width) for _ in range(count)]


def kpi_grid(
    table: pl.DataFrame,
    ids: Sequence[str],
    *,
    slots: Sequence | None = None,
    minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER,
) -> None:
    """KPI cards (see `kpi_card`) in the slots of a `card_grid`, in the order of `ids`."""
    f = filters()
    rows = {r["kpi_id"]: r for r in table.to_dicts()}
    for slot, kpi_id in zip(slots if slots is not None else card_grid(len(ids)), ids):
        with slot:
            kpi_card(rows[kpi_id], f, minutes_per_dossier)


# ---- roadmap and governance pages ---------------------------------------------------------------------------


def with_status(df: pl.DataFrame, kpi_by_column: dict[str, str], *, name: str = "status") -> pl.DataFrame:
    """Adds `name`: the worst RAG status of the columns, each judged by its KPI's thresholds, as a coloured dot
    and the word; unlike `worst_status_first`, the rows keep their order."""
    lang = filters().lang

    def word(row: dict) -> str:
        status = min((status_for(kpi, row[col]) for col, kpi in kpi_by_column.items()), key=_WORST_FIRST.get)
        return f"{STATUS_DOTS[status]} {t(f'status.{status}' if status else 'status.none', lang)}"

    if df.is_empty():
        return df.with_columns(pl.lit(None, pl.String).alias(name))
    return df.with_columns(rows_mapped(df, kpi_by_column, word, name))


def url_text_input(label: str, *, key: str, param: str, placeholder: str | None = None, help=None) -> str:
    """A page's own text box kept in the URL as `param=` (left out while empty), so a shared link repeats it."""
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(param, "")
    value = st.text_input(label, key=key, placeholder=placeholder, help=help).strip()
    if st.query_params.get(param, "") != value:
        if value:
            st.query_params[param] = value
        else:
            del st.query_params[param]
    return value


def dashed_table(df: pl.DataFrame, name: str, labels: dict[str, str], formats=None, *, wide: Sequence[str] = ()):
    """`table` (not sortable) where a missing value reads '–' instead of 'None', and the `wide` columns (e.g. a
    note) get more room; the downloads keep the raw values."""
    f = filters()
    if df.is_empty():
        st.info(f.tr("app.empty"))
        return
    shown = df.select(list(labels))
    view = formatted(shown, formats or {}, f.lang).with_columns(pl.col(pl.String).fill_null("–"))
    config = {labels[c]: st.column_config.TextColumn(width="large") for c in wide if c in labels}
    height = "content" if len(df) <= 20 else "auto"  # short tables whole, long ones scroll
    st.dataframe(view.rename(labels), hide_index=True, width="stretch", height=height, column_config=config or None)
    download_buttons(shown.rename(labels), name)


# ---- the signed-in user (access/auth.py, web/gate.py) ----------------------------------------------------


def current_user():
    """The user app.py's gate let in for this run (an auth.User), or None."""
    return st.session_state.get("_user")


def forced_scope() -> Scope | None:
    """The scope the signed-in user is held to (a provincial user's province), or None when they may choose."""
    user = current_user()
    return user.forced_scope if user is not None else None


def report_scope() -> Scope:
    """Whose stored reports (snapshots) this user may open: their own scope's when held to one, else all."""
    return forced_scope() or Scope()


def _forced_names(base: Path, version: str, lang: str, forced: Scope) -> dict[str, str]:
    """The name of the one scope a held user sees, read from that scope's own database (never `all`)."""
    options = _cached_query(str(base), version, forced.key, "scope_options", (("lang", lang),))
    found = dict(zip(options["scope_key"], options["scope_name"]))
    return {forced.key: found.get(forced.key, forced.key)}


def audit_download(file_name: str, what: str) -> None:
    """on_click of download buttons: one audit line per download."""
    from dashboard.access import audit

    user, f = current_user(), st.session_state.get(_FILTERS)
    scope = f.scope.key if f is not None else None
    audit.record(data_dir(), "download", user.name if user else None, file=file_name, what=what, scope=scope)


# ---- Python callbacks on the calling thread -----------------------------------------------------------------
# Polars runs map_elements callbacks on its worker threads when a context holds several expressions (or a struct),
# and DataFrame.to_pandas (st.dataframe) waits for those workers while holding the GIL: two sessions at once can
# freeze the whole server (found by `python -m dashboard loadtest`; tests/e2e/test_udf_threads.py). These helpers
# compute in plain Python on the thread that asks, which is also quicker for the few rows pages show.


def values_mapped(series: pl.Series, fn) -> pl.Series:
    """fn(value) for each value of `series` (None included), as a String series of the same name."""
    return pl.Series(series.name, [fn(v) for v in series.to_list()], dtype=pl.String)


def rows_mapped(df: pl.DataFrame, columns, fn, name: str) -> pl.Series:
    """fn(row) for each row of `df`, the row a dict of `columns`, as a String series called `name`."""
    return pl.Series(name, [fn(row) for row in df.select(list(columns)).iter_rows(named=True)], dtype=pl.String)
