"""What a warm page run would otherwise make again: built Plotly figures, formatted table frames, tables' prepared
Stylers (web/tables.py), the cards' sparklines, CSV downloads, shared between runs and sessions.
`ui.figure(charts.weekly_trend, weekly, x=..., lang=...)`; `shared(fn, ...)`.

A warm run (every query from st.cache_data) spent most of its time rebuilding the same figures (Plotly validates
every property it is given: quality's rule history was 70 % of its page's warm run, the roadmap's Gantt 40 %) and
formatting the same cells; see docs/performance.md. `shared(fn, *args, **kwargs)` returns `fn(*args, **kwargs)`,
made once per distinct inputs and kept (at most MAX_ENTRIES, least recently used out) in st.cache_resource.

- The key is the function's name and the *content* of every argument: a Polars frame by its bytes (Arrow IPC), so
  whatever made it (the query, its parameters, the data version, the scope, the language of its labels) is in the
  key without being named; texts, numbers, dates, and lists/tuples/dicts of them by value (dict order included);
  a top-level function of a dashboard module by its name. An argument of another kind (a lambda, a page's
  function, an object) or a frame of more than MAX_FRAME_ROWS rows is not keyed: the result is then made afresh,
  never taken from the cache.
- Only a top-level function of a dashboard module (web/charts.py, web/gantt.py, engine/kpi_text.py, pure functions
  of their arguments) is cached. Any other (defined in a page, or a test's stand-in) is called every time: it
  could read variables that the key would not see.
- st.cache_resource, not st.cache_data: st.cache_data pickles, and unpickling a Plotly figure validates it all over
  again (as slow as building it). What is returned is shared: **never change it** (Polars frames cannot be changed
  in place; a figure can: a change a page needs goes into the build, e.g. `figure(..., update_yaxes={...})`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

MAX_ENTRIES = 512  # figures (some 10-100 kB each), formatted frames and CSVs of the pages and scopes in use
MAX_FRAME_ROWS = 2000  # a longer frame as an argument is not keyed: the cache stays small (at most some 200 MB)


class NotKeyable(TypeError):
    """An argument whose content cannot be put in the key."""


_SCALARS = (str, int, float, bool, bytes, Decimal, dt.date, dt.datetime, dt.time, dt.timedelta)


def _feed(h, value) -> None:
    if value is None or isinstance(value, _SCALARS):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, pl.DataFrame):
        if value.height > MAX_FRAME_ROWS:
            raise NotKeyable(f"a frame of {value.height} rows")
        buffer = io.BytesIO()
        value.write_ipc(buffer)  # schema, names and every value, exactly
        h.update(b"frame:%d;" % buffer.tell())
        h.update(buffer.getvalue())
    elif isinstance(value, pl.Series):
        h.update(b"series:")
        _feed(h, value.to_frame())
    elif isinstance(value, (list, tuple)):
        h.update(b"(" if isinstance(value, tuple) else b"[")
        for item in value:
            _feed(h, item)
        h.update(b")")
    elif isinstance(value, types.FunctionType) and _module_function(value):
        h.update(f"function:{value.__module__}.{value.__qualname__};".encode())  # pure, by the rule above
    elif isinstance(value, dict):
        h.update(b"{")
        for k, v in value.items():  # in order: a chart or a table may follow the order of a dict of names
            _feed(h, k)
            _feed(h, v)
        h.update(b"}")
    else:
        raise NotKeyable(type(value).__name__)


def _module_function(fn) -> bool:
    """A function defined at the top of a dashboard module (not in a page, a test, or inside another function)."""
    qualname = getattr(fn, "__qualname__", "")
    return str(getattr(fn, "__module__", "")).startswith("dashboard.") and "<" not in qualname


def result_key(fn: Callable, args: tuple, kwargs: dict) -> str | None:
    """The cache key of `fn(*args, **kwargs)`, or None when it must not be cached (see the module's docstring)."""
    if not _module_function(fn):
        return None
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{fn.__module__}.{fn.__qualname__};".encode())
    try:
        _feed(h, args)
        _feed(h, sorted(kwargs.items()))
    except NotKeyable:
        return None
    return h.hexdigest()


@st.cache_resource(show_spinner=False, max_entries=MAX_ENTRIES)
def _shared(key: str, _make: Callable[[], Any]) -> Any:
    return _make()


def shared(fn: Callable, *args, **kwargs) -> Any:
    """`fn(*args, **kwargs)`, made once per distinct inputs and shared between runs and sessions: do not change
    what is returned."""
    key = result_key(fn, args, kwargs)
    if key is None:
        return fn(*args, **kwargs)
    return _shared(key, lambda: fn(*args, **kwargs))


def figure(builder: Callable[..., go.Figure], *args, update_yaxes: dict | None = None, **kwargs) -> go.Figure:
    """`builder(*args, **kwargs)` (then `.update_yaxes(**update_yaxes)`), built once per distinct inputs and shared:
    do not change the figure returned."""
    if not update_yaxes:
        return shared(builder, *args, **kwargs)
    return shared(_with_yaxes, builder, update_yaxes, args, kwargs)


def _with_yaxes(builder: Callable[..., go.Figure], update_yaxes: dict, args: tuple, kwargs: dict) -> go.Figure:
    return builder(*args, **kwargs).update_yaxes(**update_yaxes)
