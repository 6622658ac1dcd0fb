"""Built Plotly figures shared between runs and sessions: `ui.figure(charts.weekly_trend, weekly, x=..., lang=...)`.

Building a figure is most of a warm page run (Plotly validates every property it is given: quality's rule history
took 70 % of its page's warm run, the roadmap's Gantt 40 %; docs/performance.md), yet a figure changes only when
its inputs do. `figure(builder, *args, **kwargs)` returns `builder(*args, **kwargs)`, built once per distinct
inputs and kept (at most MAX_FIGURES, least recently used out) in st.cache_resource.

- The key is the builder's name and the *content* of every argument: a Polars frame by its bytes (Arrow IPC), so
  whatever made it (the query, its parameters, the data version, the scope, the language of its labels) is in the
  key without being named; texts, numbers, dates, and lists/tuples/dicts of them by value. An argument of another
  kind (a function, an object) is not keyed: the figure is then built afresh, never taken from the cache.
- Only a function of a dashboard module (web/charts.py, web/gantt.py: pure functions of their arguments) is
  cached. Any other (defined in a page, or a test's stand-in) is called every time: it could read variables that
  the key would not see.
- st.cache_resource, not st.cache_data: st.cache_data pickles, and unpickling a Plotly figure validates it all over
  again (as slow as building it). The figure returned is shared: **never change it**; a change a page needs goes
  into the build, e.g. `update_yaxes={"automargin": True}` (applied before the figure is kept).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from decimal import Decimal

import plotly.graph_objects as go
import polars as pl
import streamlit as st

MAX_FIGURES = 256  # a few dozen charts x scopes x periods x languages in use at once; each some 10-100 kB


class NotKeyable(TypeError):
    """An argument whose content cannot be put in the key."""


_SCALARS = (str, int, float, bool, bytes, Decimal, dt.date, dt.datetime, dt.time, dt.timedelta)


def _feed(h, value) -> None:
    if value is None or isinstance(value, _SCALARS):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, pl.DataFrame):
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
    elif isinstance(value, dict):
        h.update(b"{")
        for k, v in value.items():  # in order: a chart may follow the order of a dict of names
            _feed(h, k)
            _feed(h, v)
        h.update(b"}")
    else:
        raise NotKeyable(type(value).__name__)


def figure_key(builder: Callable, args: tuple, kwargs: dict) -> str | None:
    """The cache key of `builder(*args, **kwargs)`, or None when an argument cannot be keyed."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{builder.__module__}.{builder.__qualname__};".encode())
    try:
        _feed(h, args)
        _feed(h, sorted(kwargs.items()))
    except NotKeyable:
        return None
    return h.hexdigest()


@st.cache_resource(show_spinner=False, max_entries=MAX_FIGURES)
def _shared(key: str, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def figure(builder: Callable[..., go.Figure], *args, update_yaxes: dict | None = None, **kwargs) -> go.Figure:
    """`builder(*args, **kwargs)` (then `.update_yaxes(**update_yaxes)`), built once per distinct inputs and shared:
    do not change the figure returned."""

    def build() -> go.Figure:
        fig = builder(*args, **kwargs)
        return fig.update_yaxes(**update_yaxes) if update_yaxes else fig

    shareable = str(getattr(builder, "__module__", "")).startswith("dashboard.")  # see the module's docstring
    key = figure_key(builder, args, {**kwargs, "update_yaxes": update_yaxes}) if shareable else None
    if key is None:
        return build()
    return _shared(key, build)
