"""The sidebar's global filters (language, period, scope): read from the URL on a session's first run, kept in the
URL afterwards, and stored for the pages (web/session.py `filters`). A user held to one scope sees it fixed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from dashboard.config import ROOT, data_dir, data_version, today
from dashboard.engine.db import DataDamagedError, DataMissingError
from dashboard.i18n import DEFAULT_LANG, LANGS, t
from dashboard.period import PRESETS, Period, preset_period
from dashboard.scope import Scope
from dashboard.web.session import FILTERS_KEY, Filters, cached_query, forced_scope, is_admin, leaving_page

DEFAULT_PRESET = "last_4_weeks"
PERIOD_CHOICES = (*PRESETS, "custom")
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}
GLOBAL_URL_PARAMS = ("lang", "period", "start", "end", "scope")
PENDING_SCOPE = "_open_scope"  # session state: the scope open_scope asked for, applied on the next run


def _scope_names(base: Path, version: str, lang: str) -> dict[str, str]:
    options = cached_query(str(base), version, "all", "scope_options", (("lang", lang),))
    return {"all": t("filter.scope_all", lang), **dict(zip(options["scope_key"], options["scope_name"]))}


def _forced_names(base: Path, version: str, lang: str, forced: Scope) -> dict[str, str]:
    """The name of the one scope a held user sees, read from that scope's own database (never `all`)."""
    options = cached_query(str(base), version, forced.key, "scope_options", (("lang", lang),))
    found = dict(zip(options["scope_key"], options["scope_name"]))
    return {forced.key: found.get(forced.key, forced.key)}


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
    except DataDamagedError as damaged:  # one message, nothing else; a fixed file is a new version: rebuilt
        st.error(t("app.damaged_data", lang, table=damaged.table), icon=":material/broken_image:")
        st.stop()
    except DataMissingError:
        st.error(t("app.no_data", lang, path=str(base / "curated")) if is_admin() else t("app.no_data_ask", lang))
        st.stop()
    problems = [] if st.session_state.get("_filters_ready") else _init_from_url(list(names))
    if forced is not None:
        problems = [p for p in problems if not p.startswith("scope=")]
        asked = st.query_params.get("scope")
        if not st.session_state.get("_forced_noted") and asked not in (None, forced.key):
            st.warning(t("auth.scope_forced_notice", lang, scope=names[forced.key]), icon=":material/lock:")
        st.session_state["_forced_noted"] = True

    pending = st.session_state.pop(PENDING_SCOPE, None)
    if pending is not None and forced is None and pending in names:  # open_scope, before the scope widget exists
        st.session_state["f_scope"] = pending

    side = st.sidebar
    lang = side.radio(t("filter.language", lang), LANGS, key="f_lang", format_func=LANG_NAMES.get, horizontal=True)
    names = _scope_names(base, version, lang) if forced is None else _forced_names(base, version, lang, forced)
    side.header(t("filter.heading", lang))
    preset = side.selectbox(
        t("filter.period", lang),
        PERIOD_CHOICES,
        key="f_period",
        format_func=lambda p: t(f"period.{p}", lang),
        placeholder=t("app.choose", lang),
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
        scope_key = side.selectbox(
            t("filter.scope", lang),
            list(names),
            key="f_scope",
            format_func=names.get,
            placeholder=t("app.choose", lang),
        )
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
    if not leaving_page():
        params |= {k: v for k, v in st.query_params.to_dict().items() if k not in GLOBAL_URL_PARAMS}
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    chosen = Filters(base, version, period, Scope.parse(scope_key), names[scope_key], lang)
    st.session_state[FILTERS_KEY] = chosen
    return chosen


def open_scope(scope: Scope, page: str = "overview") -> None:
    """Open a leader page (its URL path) in `scope`, as if the user had chosen that scope in the sidebar: a
    province picked on the scorecard opens the same pages in that province. A user held to a scope may open only
    that one: anything else is refused (PermissionError), never widened."""
    forced = forced_scope()
    if forced is not None and scope != forced:
        raise PermissionError(f"scope {scope.key} outside the user's own")
    st.session_state[PENDING_SCOPE] = scope.key
    st.switch_page(st.Page(str(ROOT / "pages" / "leaders" / f"{page}.py"), url_path=page))
