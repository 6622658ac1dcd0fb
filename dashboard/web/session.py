"""What a page reads from its session: the filters app.py set for this run, the cached queries and KPIs in that
scope, the signed-in user, a page's own widgets kept in the URL, and isolated parts of a page."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from dashboard.config import late_days, today
from dashboard.engine import freshness, summary
from dashboard.engine.kpis import DEFAULT_MINUTES_PER_DOSSIER, kpi_table
from dashboard.engine.pace import SERIES_KPIS, compute_pace, weekly_series
from dashboard.engine.query import bind, load_sql, run_query
from dashboard.i18n import DEFAULT_LANG, fmt_date, t
from dashboard.period import Period
from dashboard.scope import Scope

log = logging.getLogger(__name__)
FILTERS_KEY = "_filters"  # session state: the Filters of this run (web/sidebar.py stores them)
_PAGE = "_page_shown"


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
    """The filters app.py set for this run (and a note of the page that asks, see `leaving_page`)."""
    st.session_state[_PAGE] = _page_hash()
    chosen = st.session_state[FILTERS_KEY]
    forced = forced_scope()
    if forced is not None and chosen.scope != forced:  # never expected: global_filters forces it; fail closed
        raise PermissionError("scope outside the user's own")
    return chosen


def _page_hash() -> str:
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


def leaving_page() -> bool:
    """Whether this run opens another page than the one shown last: its own URL parameters are then stale."""
    shown, requested = st.session_state.get(_PAGE), _page_hash()
    return bool(shown and requested and requested != shown)


# ---- cached data access -------------------------------------------------------------------------
#
# st.cache_resource, not st.cache_data: st.cache_data pickles a result when it is stored and unpickles a copy for
# every run that reads it, a tenth of a warm page run under load (py-spy, docs/performance.md, sixth pass). The
# results are Polars frames (which cannot be changed in place) and a frozen dataclass, shared as they are: never
# change what these return. The keys are the same: data dir, data version, scope, and the query's bound values.
RESULTS = st.cache_resource


@RESULTS(show_spinner=False, max_entries=2048)
def cached_query(base: str, version: str, scope_key: str, name: str, params: tuple) -> pl.DataFrame:
    """One query's result, cached on the data dir, the data version, the scope, the name and the bound values."""
    return run_query(Path(base), Scope.parse(scope_key), name, dict(params))


@RESULTS(show_spinner=False, max_entries=512)
def cached_kpis(base: str, version: str, scope_key: str, start: dt.date, end: dt.date, minutes: float) -> pl.DataFrame:
    """The KPI table, cached on the data dir, the data version, the scope, the period and the minutes per dossier."""
    return kpi_table(Path(base), Period(start, end), Scope.parse(scope_key), minutes_per_dossier=minutes)


@RESULTS(show_spinner=False, max_entries=512)
def cached_late_summary(
    base: str, version: str, scope_key: str, end: dt.date, day: dt.date, late: int
) -> freshness.LateSummary:
    """The freshness summary, cached on the data dir, the data version, the scope, the period's end, today and the
    DASHBOARD_LATE_DAYS setting."""
    return freshness.late_summary(Path(base), Scope.parse(scope_key), end, late_days=late, today=day)


def late_summary() -> freshness.LateSummary:
    """How late each fact table is for the current period's end and scope (dashboard/engine/freshness.py)."""
    f = filters()
    return cached_late_summary(str(f.base), f.version, f.scope.key, f.period.end, today(), late_days())


def late_provinces() -> dict[str, tuple[str, ...]]:
    """{province_code: the fact tables late there} for the current period and scope: the province scorecard marks
    these provinces "late data" (t("freshness.late_data")), so a late extract is not read as a lagging province."""
    return late_summary().province_tables()


@dataclass(frozen=True)
class Read:
    """A cached read with its arguments worked out on the page's thread: call it for the value (see prefetch)."""

    function: Callable
    args: tuple

    def __call__(self):
        return self.function(*self.args)


def query_read(name: str, **extra) -> Read:
    """query(name, **extra) as a read to call later (its arguments worked out now, on the page's thread)."""
    f = filters()
    params = {**f.period.params(), **f.scope.params(), "lang": f.lang, **extra}
    key = tuple(sorted(bind(load_sql(name), params).items()))
    return Read(cached_query, (str(f.base), f.version, f.scope.key, name, key))


def query(name: str, **extra) -> pl.DataFrame:
    """Run queries/<name>.sql in the current scope's database with the period, scope and language bound.

    Cached on the query name, the parameters, the data version and the scope.
    """
    return query_read(name, **extra)()


def kpis_read(minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER) -> Read:
    """kpis() as a read to call later (see prefetch)."""
    f = filters()
    args = (str(f.base), f.version, f.scope.key, f.period.start, f.period.end, float(minutes_per_dossier))
    return Read(cached_kpis, args)


def kpis(minutes_per_dossier: float = DEFAULT_MINUTES_PER_DOSSIER) -> pl.DataFrame:
    """The KPI table for the current period and scope, with the comparison period's values and the change."""
    return kpis_read(minutes_per_dossier)()


_PREFETCHED: OrderedDict[tuple, None] = OrderedDict()  # reads this process has started (their values are cached)
_PREFETCHED_LOCK = threading.Lock()
_PREFETCHED_MAX = 4096


def prefetch(*reads: Callable[[], object]) -> None:
    """Start these reads (query_read, kpis_read, series_read) at once, each on a thread of its own that carries this
    run's context, and return: the page goes on drawing, and its own call of the same read later finds the result
    cached or waits for it (Streamlit computes a cached value once, whoever asks first), so a cold page's reads
    overlap instead of queueing (the second core, and DuckDB's single-threaded steps). A read this process has
    prefetched before is not started again: its value is cached, and a warm run should not pay for copying it out
    twice (were it evicted since, the page's own call computes it). A read that fails here is dropped: the page's
    own call of it fails again and says why. Without a script run (a page's code called bare) nothing is started."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    for read in reads:
        if isinstance(read, Read):
            key = (read.function.__qualname__, repr(read.args))
            with _PREFETCHED_LOCK:
                if key in _PREFETCHED:
                    _PREFETCHED.move_to_end(key)
                    continue
                _PREFETCHED[key] = None
                while len(_PREFETCHED) > _PREFETCHED_MAX:
                    _PREFETCHED.popitem(last=False)
        thread = threading.Thread(target=_read_quietly, args=(read,), name="dashboard-prefetch", daemon=True)
        add_script_run_ctx(thread, ctx)
        thread.start()


def _read_quietly(read: Callable[[], object]) -> None:
    try:
        read()
    except Exception:  # noqa: BLE001 - the page's own call of the read reports it
        log.debug("a prefetched read failed; the page's own call reports it", exc_info=True)


@RESULTS(show_spinner=False, max_entries=512)
def cached_series(base: str, version: str, scope_key: str, end: dt.date) -> pl.DataFrame:
    """kpi_id, week_end, value of the 12 weeks to `end` of every KPI the weekly rollups give (engine/pace.py's
    SERIES_KPIS): one read for all the KPI cards of a page (their sparklines) and the pace; cached on the data dir,
    the data version, the scope and the date."""
    # one week more than the cards show: the weekly summary's pace a week before `end` reads the same frame
    return weekly_series(Path(base), Scope.parse(scope_key), end, list(SERIES_KPIS), weeks_before=1)


def series_read() -> Read:
    """series() as a read to call later (see prefetch)."""
    f = filters()
    return Read(cached_series, (str(f.base), f.version, f.scope.key, f.period.end))


def series() -> pl.DataFrame:
    """The 12-week series of every KPI the rollups give, to the period's end, in the current scope."""
    return series_read()()


@RESULTS(show_spinner=False, max_entries=512)
def cached_pace(
    base: str, version: str, scope_key: str, end: dt.date, series_end: dt.date | None = None
) -> pl.DataFrame:
    """The pace to 2030 of every targeted KPI, cached on the data dir, the data version, the scope and the date;
    its weekly values from the series read for `series_end` (default `end`; a week later holds them too)."""
    weekly = cached_series(base, version, scope_key, series_end or end)
    return compute_pace(Path(base), Scope.parse(scope_key), end, series=weekly)


def pace() -> pl.DataFrame:
    """The pace of every targeted KPI in the current scope as of the period's end (no rows: no targets set)."""
    f = filters()
    return cached_pace(str(f.base), f.version, f.scope.key, f.period.end)


def week_summary(kpis: pl.DataFrame) -> list[str]:
    """The week in words (dashboard/engine/summary.py) of the current period and scope, in the page's language,
    from `kpis` as the page's cards show them and the cached queries and pace (now and 7 days before)."""
    f = filters()
    provinces: tuple[summary.Province, ...] = ()
    if f.scope.type == "all":
        scorecard = query("provinces_scorecard")
        names = {f.lang: dict(zip(scorecard["province_code"], scorecard["province_name"], strict=True))}
        provinces = summary.provinces_from(scorecard, names, late_provinces())
    inputs = summary.Inputs(
        kpis=kpis,
        milestones=summary.milestones_from(query("summary_slipped_milestones")),
        provinces=provinces,
        pace_now=pace(),
        pace_before=cached_pace(
            str(f.base), f.version, f.scope.key, f.period.end - summary.PACE_LOOKBACK, series_end=f.period.end
        ),
    )
    return summary.sentences(inputs, f.lang)


MARKDOWN_SPECIAL = "\\`*_[]<>$~|#"


def markdown_text(text: str) -> str:
    """Text from the data shown through st.markdown as it is: its markdown characters (and $, which Streamlit reads
    as the start of a formula) escaped."""
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in text)


def summary_markdown(sentences: list[str]) -> str:
    """The summary's sentences as a markdown list, the lead-in of each in bold (summary.lead)."""
    lines = []
    for sentence in sentences:
        head, rest = summary.lead(sentence)
        bold = f"**{markdown_text(head)}** " if head else ""
        lines.append(f"- {bold}{markdown_text(rest)}")
    return "\n".join(lines)


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


def is_analyst() -> bool:
    """Whether the signed-in user sees analyst things (error details, the workbench): roles analyst and admin
    (dashboard/access/auth.py). No signed-in user: no."""
    user = current_user()
    return user is not None and user.is_analyst


def is_admin() -> bool:
    """Whether the signed-in user is an administrator: the only one shown server paths and commands."""
    user = current_user()
    return user is not None and user.is_admin


# ---- parts of a page ----------------------------------------------------------------------------------------


@contextmanager
def part(name: str) -> Iterator[None]:
    """One part of a page: if it fails, it shows its own error and the rest of the page still renders."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the point is to contain any failure to its part
        lang = filters().lang if FILTERS_KEY in st.session_state else DEFAULT_LANG
        st.error(t("app.part_error", lang, part=name))
        if is_analyst():  # the exception's text may name files, SQL or data: analysts only
            with st.expander(t("app.part_error_detail", lang)):
                st.code(f"{type(exc).__name__}: {exc}")


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
    freshness_banner()


def freshness_banner() -> None:
    """Under the period caption of every leader page: which extracts are late for the period shown, naming the
    tables and (at most five per table) the provinces and bodies; nothing when all is fresh. A failure here never
    takes the page down: the banner is then left out (and logged)."""
    f = filters()
    try:
        lines = freshness.banner_lines(late_summary(), f.lang)
    except Exception:  # noqa: BLE001 - the banner is an aside; the page's numbers must still show
        log.exception("freshness banner failed")
        return
    if lines:
        # heading, the tables as one list, the rule: blank lines keep the rule out of the list's last item
        st.warning("\n\n".join([lines[0], "\n".join(lines[1:-1]), lines[-1]]), icon="⏳")


# ---- a page's own widgets, kept in the URL ------------------------------------------------------------------


def url_selectbox(label: str, options: Sequence, *, key: str, param: str, format_func=str):
    """A page's own selectbox whose choice is kept in the URL as `param=`, so a shared link reopens it.

    An option named in the URL is chosen on arrival; otherwise (or if it is no longer an option) the first.
    """
    options = list(options)
    if st.session_state.get(key) not in options:
        wanted = st.query_params.get(param)
        st.session_state[key] = wanted if wanted in options else options[0]
    lang = filters().lang if FILTERS_KEY in st.session_state else DEFAULT_LANG
    choice = st.selectbox(label, options, key=key, format_func=format_func, placeholder=t("app.choose", lang))
    if st.query_params.get(param) != str(choice):
        st.query_params[param] = str(choice)
    return choice


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
