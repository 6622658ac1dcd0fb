"""Plotly figures with one look: RAG colours, locale number format, titles that say what to look at."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.i18n import plotly_separators

RAG_COLOURS = {"green": "#1e7d3a", "amber": "#c27c0e", "red": "#c0392b", None: "#8a8f98"}
PRIMARY = "#1f4e9c"
SECONDARY = "#c0392b"
PLANNED = "#a9b4c6"


def _layout(fig: go.Figure, lang: str, height: int = 340) -> go.Figure:
    fig.update_layout(
        separators=plotly_separators(lang),
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        font={"family": "Noto Sans, Arial, sans-serif"},
        hovermode="x unified",
    )
    return fig


def weekly_trend(
    df: pl.DataFrame, *, x: str, bars: str, line: str, bars_label: str, line_label: str, x_label: str, lang: str
) -> go.Figure:
    """Bars for a weekly volume with a line for a rate on a second axis (0-100 %)."""
    fig = go.Figure()
    fig.add_bar(x=df[x].to_list(), y=df[bars].to_list(), name=bars_label, marker_color=PRIMARY, opacity=0.85)
    fig.add_scatter(
        x=df[x].to_list(),
        y=df[line].to_list(),
        name=line_label,
        yaxis="y2",
        mode="lines+markers",
        line={"color": SECONDARY, "width": 2},
    )
    fig.update_layout(
        xaxis={"title": x_label, "tickformat": "%d/%m" if lang == "vi" else "%d %b"},
        yaxis={"title": bars_label, "rangemode": "tozero", "tickformat": ",d"},
        yaxis2={
            "title": line_label,
            "overlaying": "y",
            "side": "right",
            "tickformat": ".0%",
            "range": [0, 1.02],
            "showgrid": False,
        },
    )
    return _layout(fig, lang)


def progress_vs_plan(
    df: pl.DataFrame, *, category: str, actual: str, planned: str, actual_label: str, planned_label: str, lang: str
) -> go.Figure:
    """Horizontal bars of actual progress against the planned fraction, per category."""
    fig = go.Figure()
    fig.add_bar(
        y=df[category].to_list(),
        x=df[planned].to_list(),
        name=planned_label,
        orientation="h",
        marker_color=PLANNED,
        texttemplate="%{x:.0%}",
        textposition="outside",
    )
    fig.add_bar(
        y=df[category].to_list(),
        x=df[actual].to_list(),
        name=actual_label,
        orientation="h",
        marker_color=PRIMARY,
        texttemplate="%{x:.0%}",
        textposition="outside",
    )
    fig.update_layout(
        barmode="group",
        xaxis={"tickformat": ".0%", "range": [0, 1.15]},
        yaxis={"autorange": "reversed"},
        hovermode="y unified",
    )
    return _layout(fig, lang, height=80 + 70 * max(len(df), 1))
