"""The roadmap timeline (a Gantt chart of roadmap items, grouped by pillar then phase) for the roadmap page, in the
look of web/charts.py."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from dashboard.i18n import fmt_date, fmt_percent, plotly_separators
from dashboard.web.charts import MUTED, PRIMARY, RAG_COLOURS, SECONDARY, THEME_NEUTRAL, rgba, shorten

ROADMAP_STATUSES = ("done", "in_progress", "blocked", "not_started", "cancelled")
# Status colours follow the RAG ones where they mean the same (done green, blocked red); the status word is
# always in the legend, the hover and beside each bar, so colour is never the only cue.
STATUS_COLOURS = {
    "done": RAG_COLOURS["green"],
    "in_progress": PRIMARY,
    "blocked": RAG_COLOURS["red"],
    "not_started": "#8a8f98",
    "cancelled": "#9aa0aa",
}
STATUS_PATTERNS = {"blocked": "x", "cancelled": "/"}
_GANTT_UNIT_PX = 22  # one unit of the row axis; a header takes 1 unit, an item 1.6 (its title above its bar)
_ITEM_UNITS, _HEADER_UNITS = 1.6, 1.0
_DAY_MS = 86_400_000


def _gantt_rows(df: pl.DataFrame, pillar_names: dict[str, str], phase_names: dict[str, str]) -> list[dict]:
    """The rows of the timeline, top to bottom, each with its place `y` on the row axis: a header per pillar,
    a sub-header per phase, then the phase's items by start date."""
    rows: list[dict] = []
    y = 0.0

    def add(row: dict, units: float) -> None:
        nonlocal y
        rows.append({**row, "y": y + units / 2, "top": y, "bottom": y + units})
        y += units

    for pillar in [p for p in pillar_names if p in set(df["pillar"].to_list())]:
        add({"kind": "pillar", "label": f"<b>{pillar_names[pillar].upper()}</b>"}, _HEADER_UNITS)
        in_pillar = df.filter(pl.col("pillar") == pillar)
        for phase in sorted(set(in_pillar["phase"].to_list())):
            add({"kind": "phase", "label": f"<i>{phase_names.get(phase, phase)}</i>"}, _HEADER_UNITS)
            items = in_pillar.filter(pl.col("phase") == phase).sort(["planned_start", "planned_due", "item_id"])
            for item in items.iter_rows(named=True):
                add({"kind": "item", **item}, _ITEM_UNITS)
    return rows


def _gantt_words(items: list[dict], x_range: list, status_names: dict, texts: dict, lang: str) -> list[dict]:
    """The status word and progress (or the days overdue) of each item, right-aligned on its title's line, so the
    statuses read down one column at any width: one text trace for the items on time (in the theme's text colour,
    readable in the light and the dark theme) and one for the overdue ones (in red)."""
    out = []
    for late in (False, True):
        mine = [r for r in items if (r["days_overdue"] is not None) == late]
        words = [
            f"⚠ {texts['overdue'].format(days=r['days_overdue'])}" if late else status_names[r["status"]] for r in mine
        ]
        out.append(
            {
                "x": [x_range[1].isoformat()] * len(mine),
                "y": [r["title_y"] for r in mine],
                "text": [f"{w} · {fmt_percent(r['pct_complete'], lang, 0)}" for w, r in zip(words, mine)],
                "textposition": "middle left",
                "textfont": {"size": 11.5, **({"color": RAG_COLOURS["red"]} if late else {})},
            }
        )
    return out


def roadmap_gantt(
    df: pl.DataFrame,
    *,
    as_of: dt.date,
    status_names: dict[str, str],
    pillar_names: dict[str, str],
    phase_names: dict[str, str],
    texts: dict[str, str],
    lang: str,
    title_width: int = 52,
) -> go.Figure:
    """A timeline of roadmap items (rows: item_id, item_title, pillar, phase, is_milestone, planned_start,
    planned_due, status, pct_complete, owner_name, days_overdue), grouped by pillar then phase.

    Each item's title sits above its bar, so the bars keep the figure's whole width on a narrow screen, with
    its status word and progress (or the days overdue) at the right end of the same line. A task's bar is its
    planned window in a light tint of its status colour, solid up to its progress; a milestone is a diamond on
    its due date.
    A dashed line marks the as-of date. `texts` holds the words: today, milestone, owner, window, overdue
    (with {days}), phase.
    """
    rows = _gantt_rows(df, pillar_names, phase_names)
    items = [{**r, "title_y": r["top"] + 0.42, "bar_y": r["bottom"] - 0.5} for r in rows if r["kind"] == "item"]
    starts = [r["planned_start"] for r in items] + [as_of]
    dues = [r["planned_due"] for r in items] + [as_of]
    x_range = [min(starts) - dt.timedelta(days=30), max(dues) + dt.timedelta(days=30)]
    fig = go.Figure()
    for row in rows:
        if row["kind"] == "pillar":
            fig.add_hrect(y0=row["top"], y1=row["bottom"], fillcolor=THEME_NEUTRAL["band"], line_width=0, layer="below")

    def hover(item: dict) -> str:
        parts = [
            f"<b>{item['item_title']}</b>",
            f"{item['item_id']} · {texts['phase']}: {phase_names.get(item['phase'], item['phase'])}",
            f"{texts['owner']}: {item['owner_name'] or '–'}",
            f"{texts['window']}: {fmt_date(item['planned_start'], lang)} – {fmt_date(item['planned_due'], lang)}",
            f"{status_names[item['status']]} · {fmt_percent(item['pct_complete'], lang, 0)}",
        ]
        if item["days_overdue"] is not None:
            parts.append(texts["overdue"].format(days=item["days_overdue"]))
        return "<br>".join(parts)

    headers = [r for r in rows if r["kind"] != "item"]
    fig.add_scatter(
        x=[x_range[0].isoformat()] * (len(headers) + len(items)),
        y=[r["y"] for r in headers] + [r["title_y"] for r in items],
        text=[r["label"] for r in headers] + [shorten(r["item_title"], title_width) for r in items],
        hovertext=[""] * len(headers) + [hover(r) for r in items],
        hoverinfo="text",
        mode="text",
        textposition="middle right",
        textfont={"size": [12] * len(headers) + [11.5] * len(items)},  # the theme's text colour
        showlegend=False,
    )
    for status in ROADMAP_STATUSES:
        colour, pattern = STATUS_COLOURS[status], STATUS_PATTERNS.get(status, "")
        tasks = [r for r in items if r["status"] == status and not r["is_milestone"]]
        marks = [r for r in items if r["status"] == status and r["is_milestone"]]
        if not tasks and not marks:
            continue
        window_ms = [((r["planned_due"] - r["planned_start"]).days + 1) * _DAY_MS for r in tasks]
        common = {"orientation": "h", "legendgroup": status, "hoverinfo": "text", "width": 0.55}
        late = [r["days_overdue"] is not None for r in tasks]
        fig.add_bar(
            y=[r["bar_y"] for r in tasks],
            x=window_ms,
            base=[r["planned_start"].isoformat() for r in tasks],
            marker={
                "color": rgba(colour, 0.28),
                "line": {
                    "color": [RAG_COLOURS["red"] if x else colour for x in late],
                    "width": [2 if x else 0.5 for x in late],
                },
                "pattern": {"shape": pattern, "fgcolor": colour, "size": 6, "fillmode": "overlay"},
            },
            hovertext=[hover(r) for r in tasks],
            name=status_names[status],
            showlegend=False,
            **common,
        )
        fig.add_bar(
            y=[r["bar_y"] for r in tasks],
            x=[ms * (r["pct_complete"] or 0) for ms, r in zip(window_ms, tasks)],
            base=[r["planned_start"].isoformat() for r in tasks],
            marker={
                "color": colour,
                "pattern": {"shape": pattern, "fgcolor": "white", "size": 6, "fillmode": "overlay"},
            },
            hovertext=[hover(r) for r in tasks],
            name=status_names[status],
            showlegend=True,
            **common,
        )
        fig.add_scatter(
            y=[r["bar_y"] for r in marks],
            x=[r["planned_due"].isoformat() for r in marks],
            mode="markers",
            marker={"symbol": "diamond", "size": 13, "color": colour, "line": {"color": MUTED, "width": 1}},
            hovertext=[hover(r) for r in marks],
            hoverinfo="text",
            name=status_names[status],
            legendgroup=status,
            showlegend=not tasks,
        )
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        marker={"symbol": "diamond", "size": 12, "color": "rgba(0,0,0,0)", "line": {"color": MUTED, "width": 1.5}},
        name=texts["milestone"],
        showlegend=any(r["is_milestone"] for r in items),
    )
    for words in _gantt_words(items, x_range, status_names, texts, lang):
        fig.add_scatter(mode="text", showlegend=False, hoverinfo="skip", **words)
    fig.add_shape(
        type="line", x0=as_of, x1=as_of, y0=0, y1=1, yref="paper", line={"color": SECONDARY, "width": 2, "dash": "dash"}
    )
    # The as-of line is named in the legend (a dashed red sample): a label on the chart ran into the first
    # pillar's header at 900 px.
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="lines",
        line={"color": SECONDARY, "width": 2, "dash": "dash"},
        name=texts["today"],
        hoverinfo="skip",
    )
    # The same years under the rows too, so a tall timeline can be read at its foot.
    fig.add_scatter(x=x_range, y=[0, 0], xaxis="x2", mode="none", showlegend=False, hoverinfo="skip")
    total = rows[-1]["bottom"] if rows else 1
    years = {"type": "date", "tickformat": "%Y", "dtick": "M12", "ticklabelmode": "period"}
    fig.update_layout(
        barmode="overlay",
        height=130 + int(_GANTT_UNIT_PX * total),
        separators=plotly_separators(lang),
        font={"family": "Noto Sans, Arial, sans-serif"},
        margin={"l": 10, "r": 10, "t": 80, "b": 30},
        legend={"orientation": "h", "yanchor": "top", "y": 1.0, "x": 0, "yref": "container"},
        hovermode="closest",
        plot_bgcolor=THEME_NEUTRAL["clear"],
        xaxis={
            **years,
            "range": [x.isoformat() for x in x_range],
            "side": "top",
            "showgrid": True,
            "gridcolor": THEME_NEUTRAL["grid"],
            "minor": {"dtick": "M3", "showgrid": True, "gridcolor": THEME_NEUTRAL["faint_grid"]},
            "ticks": "outside",
            "fixedrange": True,
        },
        xaxis2={**years, "matches": "x", "overlaying": "x", "side": "bottom", "showgrid": False},
        yaxis={"range": [total, 0], "showticklabels": False, "showgrid": False, "zeroline": False, "fixedrange": True},
    )
    return fig
