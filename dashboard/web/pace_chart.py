"""The pace chart of one targeted KPI: its 12-week series, the straight line to the target, the projected line
and the strategy's three phases as bands, on the road to 2030 (dashboard/engine/pace.py computes the numbers)."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from dashboard.engine.pace import PHASE_SPANS
from dashboard.i18n import plotly_separators
from dashboard.web.charts import MUTED, PLANNED, PRIMARY, RAG_COLOURS

PHASE_FILLS = ("#1f4e9c", "#7d5ba6", "#1e7d3a")
HOVER = "%{x|%d/%m/%Y}: %{y:.1%}<extra></extra>"
PROJECTED_COLOURS = {"reached": RAG_COLOURS["green"], "on_pace": RAG_COLOURS["green"], "off_pace": RAG_COLOURS["red"]}


def add_series(fig: go.Figure, ends, values, labels: dict, marker_size: int) -> None:
    """The KPI's weekly values as a line with markers; a null week is a gap."""
    fig.add_scatter(
        x=ends,
        y=values,
        name=labels["series"],
        mode="lines+markers",
        connectgaps=False,
        line={"color": PRIMARY, "width": 2},
        marker={"size": marker_size},
        hovertemplate=HOVER,
    )


def pace_figure(row: dict, *, labels: dict[str, str], phase_names: dict[str, str], lang: str) -> go.Figure:
    """The road of one KPI to its target, from its 12-week series to the end of 2030. `labels`: series,
    to_target, projected, target (legend names); `phase_names`: the name of each phase band."""
    fig = go.Figure()
    ends, values = row["series_week_ends"], row["series_values"]
    first, last = ends[0] - dt.timedelta(days=30), PHASE_SPANS["2028-2030"][1] + dt.timedelta(days=31)
    for i, ((phase, (start, end)), fill) in enumerate(zip(PHASE_SPANS.items(), PHASE_FILLS)):
        if end < first:
            continue
        x0 = max(start, first)
        fig.add_vrect(x0=x0, x1=end + dt.timedelta(days=1), fillcolor=fill, opacity=0.07, line_width=0, layer="below")
        # the first band is often a narrow sliver: its name goes below, the others' above
        fig.add_annotation(
            x=x0,
            y=0 if i == 0 else 1,
            xref="x",
            yref="paper",
            text=phase_names[phase],
            showarrow=False,
            xanchor="left",
            yanchor="bottom" if i == 0 else "top",
            font={"size": 10, "color": MUTED},
        )
    add_series(fig, ends, values, labels, marker_size=4)
    t0, v, goal, due = row["current_week_end"], row["current_value"], row["target_value"], row["target_date"]
    if goal is not None and due is not None:
        if v is not None and v < goal:
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
                hovertemplate=HOVER,
            )
        fig.add_scatter(
            x=[due],
            y=[goal],
            name=labels["target"],
            mode="markers",
            marker={"symbol": "star", "size": 13, "color": MUTED},
            hovertemplate=HOVER,
        )
    seen = [y for y in values if y is not None] + [y for y in (goal, row["projected_value"]) if y is not None]
    return _layout(fig, lang, 260, [first, last], [min([0.0, *seen]), max([1.08, *(y + 0.05 for y in seen)])])


def series_figure(row: dict, *, labels: dict[str, str], lang: str) -> go.Figure:
    """The last 12 weeks close up, with the trend the projection follows (through the latest value, at the
    observed gain per week), so a small rise or fall shows."""
    fig = go.Figure()
    ends, values = row["series_week_ends"], row["series_values"]
    add_series(fig, ends, values, labels, marker_size=6)
    b, v, t0 = row["slope_per_week"], row["current_value"], row["current_week_end"]
    if b is not None and v is not None:
        trend = [v + b * (day - t0).days / 7 for day in ends]
        fig.add_scatter(
            x=ends,
            y=trend,
            name=labels["trend"],
            mode="lines",
            line={"color": PROJECTED_COLOURS.get(row["status"], PLANNED), "width": 2, "dash": "dot"},
            hovertemplate=HOVER,
        )
    seen = [y for trace in fig.data for y in trace.y if y is not None]
    pad = max((max(seen) - min(seen)) * 0.15, 0.005) if seen else 0.0
    y_range = [min(seen) - pad, max(seen) + pad] if seen else None
    fig = _layout(fig, lang, 170, None, y_range).update_layout(showlegend=False)
    fig.update_yaxes(tickformat=".1%", nticks=4)
    return fig.update_xaxes(tickformat="%d/%m" if lang == "vi" else "%d %b", dtick=None)


def _layout(fig: go.Figure, lang: str, height: int, x_range, y_range) -> go.Figure:
    fig.update_layout(
        separators=plotly_separators(lang),
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0, "font": {"size": 11}},
        font={"family": "Noto Sans, Arial, sans-serif"},
        hovermode="closest",
        xaxis={"range": x_range, "tickformat": "%Y", "dtick": "M12"},
        yaxis={"tickformat": ".0%", "range": y_range},
    )
    return fig
