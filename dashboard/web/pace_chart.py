"""The pace chart of one targeted KPI: its 12-week series, the straight line to the target, the projected line
and the strategy's three phases as bands, on the road to 2030 (dashboard/engine/pace.py computes the numbers)."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from dashboard.engine.pace import PHASE_SPANS
from dashboard.i18n import fmt_percent, plotly_separators
from dashboard.web.charts import PLANNED, PRIMARY, RAG_COLOURS

PHASE_FILLS = ("#1f4e9c", "#7d5ba6", "#1e7d3a")
PROJECTED_COLOURS = {"reached": RAG_COLOURS["green"], "on_pace": RAG_COLOURS["green"], "off_pace": RAG_COLOURS["red"]}


def pace_figure(row: dict, *, labels: dict[str, str], phase_names: dict[str, str], lang: str) -> go.Figure:
    """The road of one KPI to its target. `labels`: series, to_target, projected, target (legend names);
    `phase_names`: the short name of each phase band."""
    fig = go.Figure()
    for (phase, (start, end)), fill in zip(PHASE_SPANS.items(), PHASE_FILLS):
        fig.add_vrect(
            x0=start,
            x1=end + dt.timedelta(days=1),
            fillcolor=fill,
            opacity=0.07,
            line_width=0,
            layer="below",
            annotation_text=phase_names[phase],
            annotation_position="top left",
            annotation_font={"size": 11, "color": "#4a5160"},
        )
    ends, values = row["series_week_ends"], row["series_values"]
    fig.add_scatter(
        x=ends,
        y=values,
        name=labels["series"],
        mode="lines+markers",
        connectgaps=False,
        line={"color": PRIMARY, "width": 2},
        marker={"size": 5},
        hovertemplate="%{x|%d/%m/%Y}: %{y:.1%}<extra></extra>",
    )
    t0, v, goal, due = row["current_week_end"], row["current_value"], row["target_value"], row["target_date"]
    if goal is not None and due is not None:
        if v is not None:
            fig.add_scatter(
                x=[t0, due],
                y=[v, goal],
                name=labels["to_target"],
                mode="lines",
                line={"color": PLANNED, "width": 2, "dash": "dash"},
                hoverinfo="skip",
            )
        if v is not None and row["projected_value"] is not None:
            fig.add_scatter(
                x=[t0, due],
                y=[v, row["projected_value"]],
                name=labels["projected"],
                mode="lines",
                line={"color": PROJECTED_COLOURS.get(row["status"], PLANNED), "width": 2, "dash": "dot"},
                hovertemplate="%{x|%d/%m/%Y}: %{y:.1%}<extra></extra>",
            )
        fig.add_scatter(
            x=[due],
            y=[goal],
            name=labels["target"],
            mode="markers+text",
            marker={"symbol": "star", "size": 14, "color": "#222"},
            text=[fmt_percent(goal, lang, 0)],
            textposition="top center",
            hovertemplate="%{x|%d/%m/%Y}: %{y:.1%}<extra></extra>",
        )
    seen = [y for y in values if y is not None] + [y for y in (goal, row["projected_value"]) if y is not None]
    low, high = min([0.0, *seen]), max([1.05, *(y + 0.05 for y in seen)])
    fig.update_layout(
        separators=plotly_separators(lang),
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        font={"family": "Noto Sans, Arial, sans-serif"},
        hovermode="closest",
        xaxis={
            "range": [ends[0] - dt.timedelta(days=30), PHASE_SPANS["2028-2030"][1] + dt.timedelta(days=31)],
            "tickformat": "%Y",
            "dtick": "M12",
        },
        yaxis={"tickformat": ".0%", "range": [low, high]},
    )
    return fig
