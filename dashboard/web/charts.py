"""Plotly figures with one look: RAG colours, locale number format, titles that say what to look at. The leader
pages' charts (also drawn in the weekly report) and the analyst SQL pages' chart builders; the roadmap timeline is
in web/gantt.py.

Long: the leader pages' figures and the SQL pages' builders share the colours, the layout and the number format
kept here; the SQL pages' builders (page_*) are the part to move out should it grow further."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.i18n import fmt_percent, plotly_separators

# Every colour a chart draws with stands out at least 3:1 against the light and the dark theme's background (WCAG's
# figure for graphics), so one figure reads in both themes: Streamlit's own chart theme gives the text, the axes
# and the background, and no figure sets a background or a text colour of its own (THEME_NEUTRAL marks the few
# fills that must be seen on either: translucent greys and blues over whatever lies beneath).
RAG_COLOURS = {"green": "#1e7d3a", "amber": "#c27c0e", "red": "#c0392b", None: "#8a8f98"}
PRIMARY = "#2b6cc4"  # a mid blue: the theme's darker #1f4e9c fell to 2.3:1 on the dark background
SECONDARY = "#c0392b"
PLANNED = "#a9b4c6"
MUTED = "#767d87"  # secondary marks and notes on a chart: over 4:1 on white and on the dark background
THEME_NEUTRAL = {
    "clear": "rgba(0,0,0,0)",  # no background of the figure's own: the page's shows through
    "grid": "rgba(138,143,152,0.45)",
    "faint_grid": "rgba(138,143,152,0.15)",
    "no_value": "rgba(138,143,152,0.35)",  # a cell without a value, and the gaps between cells
    "band": "rgba(43,108,196,0.14)",  # a header band or a connector, in a tint of PRIMARY
}


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
            "tickmode": "array",
            "tickvals": [0, 0.25, 0.5, 0.75, 1],
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


# ---- quality page ----------------------------------------------------------------------------------

CRITERIA = ("correct", "sufficient", "clean", "live")
# The criteria are categories, not statuses: colours apart from the RAG ones.
CRITERION_COLOURS = {"correct": PRIMARY, "sufficient": "#8757b0", "clean": "#13808a", "live": "#96641a"}
DASHES = ("solid", "dash", "dot", "dashdot")  # tells apart the rules of one criterion, drawn in its colour


def _rag_bands(fig: go.Figure, green: float, amber: float, low: float, **where) -> None:
    """Faint red / amber / green bands behind a 0..1 value axis, at the status thresholds."""
    for y0, y1, status in ((low, amber, "red"), (amber, green, "amber"), (green, 1.02, "green")):
        fig.add_hrect(y0=y0, y1=y1, fillcolor=RAG_COLOURS[status], opacity=0.07, line_width=0, layer="below", **where)
    for y in (amber, green):
        fig.add_hline(y=y, line={"color": MUTED, "width": 1, "dash": "dot"}, **where)


def _axis_floor(values: list) -> float:
    """The bottom of a 0..1 axis: just under the lowest value, never above 0.7, so the bands show."""
    present = [v for v in values if v is not None]
    return max(0.0, min([0.7, *present]) - 0.05)


def criteria_trend(
    df: pl.DataFrame, *, x: str, value: str, names: dict[str, str], green: float, amber: float, lang: str
) -> go.Figure:
    """One line per criterion (rows: x, criterion, value) over the RAG bands of the thresholds."""
    fig = go.Figure()
    for criterion in CRITERIA:
        rows = df.filter(pl.col("criterion") == criterion)
        if rows.is_empty():
            continue
        fig.add_scatter(
            x=rows[x].to_list(),
            y=rows[value].to_list(),
            name=names[criterion],
            mode="lines+markers",
            line={"color": CRITERION_COLOURS[criterion], "width": 2},
            hovertemplate="%{y:.1%}",
        )
    _rag_bands(fig, green, amber, _axis_floor(df[value].to_list()))
    fig.update_layout(
        xaxis={"tickformat": "%d/%m" if lang == "vi" else "%d %b"},
        yaxis={"tickformat": ".0%", "range": [_axis_floor(df[value].to_list()), 1.01]},
    )
    return _layout(fig, lang)


def shorten(text: str, width: int) -> str:
    """`text` cut to `width` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _wrap(text: str, width: int) -> str:
    """A label on at most two lines of about `width` characters (split at a space), so narrow screens keep
    the words that tell datasets apart (often the body's name at the end)."""
    if len(text) <= width or " " not in text[: width + 1]:
        return shorten(text, width)
    cut = text.rfind(" ", 0, width + 1)
    return text[:cut] + "<br>" + shorten(text[cut + 1 :], width)


def criteria_heatmap(
    df: pl.DataFrame,
    *,
    label: str,
    columns: dict[str, str],
    green: float,
    amber: float,
    lang: str,
    label_width: int = 36,
) -> go.Figure:
    """Rows of `df` (named by `label`) against the criterion columns, each cell coloured by its status
    (RAG at the thresholds, grey for no value) and showing its value as a percentage in the locale."""
    keys = list(columns)
    values = [[row[k] for k in keys] for row in df.iter_rows(named=True)]

    def band(v):
        return None if v is None else 2 if v >= green else 1 if v >= amber else 0

    names = df[label].to_list()
    fig = go.Figure(
        go.Heatmap(
            z=[[band(v) for v in row] for row in values],
            x=list(columns.values()),
            y=[_wrap(n, label_width) for n in names],
            text=[[fmt_percent(v, lang) for v in row] for row in values],
            customdata=[[n] * len(keys) for n in names],
            texttemplate="%{text}",
            textfont={"color": "white", "size": 12},
            hovertemplate="%{customdata}<br>%{x}: %{text}<extra></extra>",
            colorscale=[
                [0.0, RAG_COLOURS["red"]],
                [1 / 3, RAG_COLOURS["red"]],
                [1 / 3, RAG_COLOURS["amber"]],
                [2 / 3, RAG_COLOURS["amber"]],
                [2 / 3, RAG_COLOURS["green"]],
                [1.0, RAG_COLOURS["green"]],
            ],
            zmin=-0.5,
            zmax=2.5,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        height=70 + 34 * max(len(df), 1),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"side": "top", "showgrid": False},
        yaxis={"autorange": "reversed", "showgrid": False},
        plot_bgcolor=THEME_NEUTRAL["no_value"],
        font={"family": "Noto Sans, Arial, sans-serif"},
    )
    return fig


def rule_history(
    df: pl.DataFrame, *, names: dict[str, str], green: float, amber: float, lang: str, label_width: int = 48
) -> go.Figure:
    """Pass rate of each rule over time (rows: check_date, rule_id, criterion, rule_description, pass_rate),
    one panel per criterion over the RAG bands."""
    from plotly.subplots import make_subplots

    present = [c for c in CRITERIA if c in set(df["criterion"].to_list())]
    cols = 2 if len(present) > 1 else 1
    rows = (len(present) + cols - 1) // cols
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[names[c] for c in present],
        shared_yaxes=True,
        vertical_spacing=0.2 if rows > 1 else 0.1,
        horizontal_spacing=0.06,
    )
    low = _axis_floor(df["pass_rate"].to_list())
    for i, criterion in enumerate(present):
        r, c = i // cols + 1, i % cols + 1
        rules = df.filter(pl.col("criterion") == criterion)
        pairs = rules.select("rule_id", "rule_description").unique(maintain_order=True).iter_rows()
        for j, (rule_id, description) in enumerate(pairs):
            one = rules.filter(pl.col("rule_id") == rule_id)
            fig.add_scatter(
                x=one["check_date"].to_list(),
                y=one["pass_rate"].to_list(),
                name=shorten(f"{rule_id} · {description}", label_width),
                legendgroup=criterion,
                legendgrouptitle_text=names[criterion],
                mode="lines+markers",
                marker={"size": 5},
                line={"color": CRITERION_COLOURS[criterion], "width": 2, "dash": DASHES[j % len(DASHES)]},
                hovertemplate=f"{rule_id}: %{{y:.1%}}<extra>{shorten(description, 60)}</extra>",
                row=r,
                col=c,
            )
        _rag_bands(fig, green, amber, low, row=r, col=c)
    fig.update_yaxes(tickformat=".0%", range=[low, 1.01])
    fig.update_xaxes(tickformat="%d/%m" if lang == "vi" else "%d %b")
    # The legend sits under the panels and takes its height from them: grow the figure by its size.
    _layout(fig, lang, height=100 + 280 * rows + 22 * df["rule_id"].n_unique() + 30 * len(present))
    fig.update_layout(
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0, "groupclick": "toggleitem"},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


# ---- sharing and reuse pages ------------------------------------------------------------------------------

LEVELS = ("central", "provincial", "commune", "external")
# Levels are an ordered hierarchy, not statuses: shades of the primary blue, never the RAG colours; external bodies
# (outside the Party's organisation) in a neutral grey-blue.
LEVEL_COLOURS = {"central": PRIMARY, "provincial": "#4a86c8", "commune": "#8fb8e0", "external": PLANNED}
RATE_COLOURS = (PRIMARY, "#13808a")


def rgba(hex_colour: str, alpha: float) -> str:
    """A "#rrggbb" colour with transparency, as Plotly takes it."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


# Of a Sankey's height (360 px): node centres closer than this would print their labels over each other.
LABEL_GAP = 0.08


def crowded_labels(labels: list[str], ys: list[float], left: int) -> list[str]:
    """Node labels, where nodes of one side sit closer than LABEL_GAP (thin ones, top to bottom): the first of a
    run says all their names ("Trung ương, Cấp tỉnh"), the others none, so no two labels print over each other.
    `ys` are the nodes' centres, the first `left` nodes the left side's."""
    out = list(labels)
    for side in (range(left), range(left, len(labels))):
        first = previous = None
        for i in sorted(side, key=lambda i: ys[i]):
            if previous is not None and ys[i] - ys[previous] < LABEL_GAP:
                out[first] = f"{out[first]}, {labels[i]}"
                out[i] = ""
            else:
                first = i
            previous = i
    return out


def level_flows(
    df: pl.DataFrame,
    *,
    names: dict[str, str],
    titles: tuple[str, str],
    lang: str,
    source: str = "provider_level",
    target: str = "consumer_level",
    value: str = "count_calls_ok",
) -> go.Figure:
    """A Sankey of a volume from the levels on the left (`source`) to the levels on the right (`target`);
    `names` are the levels' texts, `titles` the two sides'."""
    left = [lv for lv in LEVELS if lv in set(df[source].to_list())]
    right = [lv for lv in LEVELS if lv in set(df[target].to_list())]
    index = {("s", lv): i for i, lv in enumerate(left)} | {("t", lv): len(left) + i for i, lv in enumerate(right)}
    rows = df.to_dicts()

    def centres(side: str, levels: list[str]) -> list[float]:
        """Each node's vertical centre, central on top, so both sides read in the same order."""
        totals = [sum(r[value] for r in rows if r[side] == lv) for lv in levels]
        done, out = 0, []
        for total in totals:
            out.append(0.02 + 0.96 * (done + total / 2) / sum(totals))
            done += total
        return out

    ys = centres(source, left) + centres(target, right)
    full = [names[lv] for lv in left + right]
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            valueformat=",d",
            node={
                "label": crowded_labels(full, ys, len(left)),
                "customdata": full,  # every node's own name on hover, its label merged or not
                "color": [LEVEL_COLOURS[lv] for lv in left + right],
                "pad": 24,
                "thickness": 22,
                "line": {"width": 0},
                "x": [0.001] * len(left) + [0.999] * len(right),
                "y": ys,
                "hovertemplate": "%{customdata}: %{value:,d}<extra></extra>",
            },
            link={
                "source": [index[("s", r[source])] for r in rows],
                "target": [index[("t", r[target])] for r in rows],
                "value": [r[value] for r in rows],
                "color": [rgba(LEVEL_COLOURS[r[source]], 0.35) for r in rows],
                "customdata": [f"{names[r[source]]} → {names[r[target]]}" for r in rows],
                "hovertemplate": "%{customdata}: %{value:,d}<extra></extra>",
            },
            textfont={"size": 14},  # the theme's text colour
        )
    )
    for x, text, anchor in ((0, titles[0], "left"), (1, titles[1], "right")):
        fig.add_annotation(
            x=x, y=1.08, xref="paper", yref="paper", text=f"<b>{text}</b>", showarrow=False, xanchor=anchor
        )
    _layout(fig, lang, height=360)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, hovermode="closest")
    return fig


def week_ticks(fig: go.Figure, weeks: pl.Series | list, most: int = 12) -> go.Figure:
    """Ticks on the Mondays of the weeks plotted (every n-th when there are many), so each names its week."""
    weeks = list(weeks)
    fig.update_xaxes(tickvals=weeks[:: max(1, -(-len(weeks) // most))])
    return fig


def weekly_volume_and_rate(df: pl.DataFrame, *, x: str, bars: str, line: str, lang: str, **labels) -> go.Figure:
    """`weekly_trend` with a tick on each week and the rate axis on its own ticks, zoomed to where the rate is
    (its bottom never above 90 %), so a dip of a few points shows."""
    fig = weekly_trend(df, x=x, bars=bars, line=line, lang=lang, **labels)
    low = min([v for v in df[line].to_list() if v is not None] + [0.9])
    fig.update_layout(yaxis2={"range": [max(0.0, low - 0.02), 1.005], "tickmode": "auto", "nticks": 6})
    return week_ticks(fig, df[x])


def rates_trend(
    df: pl.DataFrame, *, x: str, lines: dict[str, str], targets: dict[str, tuple[float, str]], x_label: str, lang: str
) -> go.Figure:
    """One line per rate column (0-100 %), each with its target as a dotted line of the same colour."""
    fig = go.Figure()
    for (column, label), colour in zip(lines.items(), RATE_COLOURS):
        fig.add_scatter(
            x=df[x].to_list(),
            y=df[column].to_list(),
            name=label,
            mode="lines+markers",
            line={"color": colour, "width": 2},
            hovertemplate="%{y:.1%}",
        )
        if column in targets:
            level, text = targets[column]
            fig.add_hline(
                y=level,
                line={"color": colour, "width": 1, "dash": "dot"},
                annotation={"text": text, "font": {"color": colour, "size": 12}},
                annotation_position="top left",
            )
    fig.update_layout(
        xaxis={"title": x_label, "tickformat": "%d/%m" if lang == "vi" else "%d %b"},
        yaxis={"tickformat": ".0%", "range": [0, 1.02]},
    )
    return week_ticks(_layout(fig, lang), df[x])


def distribution_bars(
    df: pl.DataFrame, *, x: str, y: str, highlight: str, x_label: str, y_label: str, lang: str
) -> go.Figure:
    """Counts per category, the bars where `highlight` is true in the primary colour, the others in grey."""
    fig = go.Figure()
    fig.add_bar(
        x=df[x].to_list(),
        y=df[y].to_list(),
        marker_color=[PRIMARY if h else PLANNED for h in df[highlight].to_list()],
        text=df[y].to_list(),
        textposition="outside",
        hovertemplate="%{x}: %{y:,d}<extra></extra>",
    )
    fig.update_layout(
        xaxis={"title": x_label, "type": "category"},
        yaxis={"title": y_label, "rangemode": "tozero", "tickformat": ",d"},
        showlegend=False,
    )
    top = max([v or 0 for v in df[y].to_list()] + [1])
    fig.update_yaxes(range=[0, top * 1.18])
    return _layout(fig, lang, height=320)


# ---- analyst SQL pages (dashboard/sqlpages/view.py) -----------------------------------------------------------------

SERIES_COLOURS = (PRIMARY, "#13808a", "#c27c0e", "#8757b0", "#96641a", "#4a86c8", "#1e7d3a", "#8a8f98")
_D3_FORMATS = {"integer": ",d", "decimal": ",.1f", "percent": ".1%"}
_D3_TICKS = {"integer": ",d", "decimal": ",.1f", "percent": ".0%"}


def d3_format(fmt: str | None, ticks: bool = False) -> str:
    """Plotly's number format for a SQL page format (integer, decimal, percent), for hovers or axis ticks; without
    one, thousands separated with at most two decimals (never `2e+6`)."""
    return (_D3_TICKS if ticks else _D3_FORMATS).get(fmt or "", ",.2~f")


def page_xy_chart(
    df: pl.DataFrame,
    *,
    kind: str,
    x: str,
    ys: list[str],
    color: str | None,
    labels: dict[str, str],
    fmt: str | None,
    lang: str,
    horizontal: bool = False,
) -> go.Figure:
    """A line, bar or area chart of `x` against `ys`, one series per value of `color` (or per y column)."""
    number = d3_format(fmt)
    series: list[tuple[str, pl.DataFrame, str]] = []
    if color:
        for value in df[color].unique(maintain_order=True).to_list():
            rows = df.filter(pl.col(color).is_null() if value is None else pl.col(color) == value)
            series.append((str(value), rows, ys[0]))
    else:
        series = [(labels.get(y, y), df, y) for y in ys]
    fig = go.Figure()
    for i, (name, part, y) in enumerate(series):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        xs, values = part[x].to_list(), part[y].to_list()
        if kind == "bar":
            fig.add_bar(
                x=values if horizontal else xs,
                y=xs if horizontal else values,
                name=name,
                orientation="h" if horizontal else "v",
                marker_color=colour,
                hovertemplate=f"%{{{'x' if horizontal else 'y'}:{number}}}<extra>{name}</extra>",
            )
        else:
            fig.add_scatter(
                x=xs,
                y=values,
                name=name,
                mode="lines+markers" if len(xs) <= 60 else "lines",
                line={"color": colour, "width": 2},
                stackgroup="one" if kind == "area" else None,
                hovertemplate=f"%{{y:{number}}}<extra>{name}</extra>",
            )
    value_axis = {
        "tickformat": d3_format(fmt, ticks=True),
        "title": labels.get(ys[0], ys[0]) if len(ys) == 1 else None,
        "rangemode": "tozero",
    }
    category_axis = {"title": labels.get(x, x), "automargin": True}
    if df[x].dtype in (pl.Date, pl.Datetime):
        category_axis["tickformat"] = "%d/%m/%Y" if lang == "vi" else "%d %b %Y"
    if horizontal and kind == "bar":
        category_axis["autorange"] = "reversed"
        fig.update_layout(
            xaxis=value_axis, yaxis=category_axis, barmode="stack" if color else "group", hovermode="y unified"
        )
        height = 120 + 26 * max(df[x].n_unique(), 1)
    else:
        fig.update_layout(xaxis=category_axis, yaxis=value_axis, barmode="stack" if color else "group")
        height = 380
    fig.update_layout(showlegend=len(series) > 1)
    return _layout(fig, lang, height=min(height, 1400))


def page_heatmap(
    df: pl.DataFrame, *, x: str, y: str, value: str, labels: dict[str, str], fmt: str | None, lang: str
) -> go.Figure:
    """A heatmap of `value` over `x` (columns) and `y` (rows); an empty cell is a missing combination.

    Column names are one line each, cut to 24 characters and slanted, so they never overlap on a narrow screen
    (two-line names turned upright ran into each other at 900 px); the full names are in the hover. The colour
    scale lies under the chart, so the cells keep the width."""
    xs = df[x].unique(maintain_order=True).to_list()
    ys = df[y].unique(maintain_order=True).to_list()
    cells = {(r[x], r[y]): r[value] for r in df.select(x, y, value).to_dicts()}
    z = [[cells.get((cx, cy)) for cx in xs] for cy in ys]
    number = d3_format(fmt)
    fig = go.Figure(
        go.Heatmap(
            x=[shorten(str(v), 24) for v in xs],
            y=[shorten(str(v), 40) for v in ys],
            z=z,
            customdata=[[[str(cx), str(cy)] for cx in xs] for cy in ys],
            colorscale=[[0, rgba(PRIMARY, 0.08)], [1, PRIMARY]],  # from a faint tint of the background up
            colorbar={
                "tickformat": number,
                "title": {"text": labels.get(value, value), "side": "top"},
                "orientation": "h",
                "x": 0.5,
                "xanchor": "center",
                "y": -0.02,
                "yanchor": "top",
                "thickness": 12,
                "len": 0.6,
            },
            hovertemplate=f"%{{customdata[1]}} · %{{customdata[0]}}: %{{z:{number}}}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        xaxis={"title": labels.get(x, x), "side": "top", "automargin": True, "tickangle": -35 if len(xs) > 2 else 0},
        yaxis={"title": labels.get(y, y), "autorange": "reversed", "automargin": True},
        hovermode="closest",
    )
    _layout(fig, lang, height=min(max(320, 220 + 24 * len(ys)), 1500))
    fig.update_layout(margin={"b": 90})
    return fig


def page_sankey(df: pl.DataFrame, *, source: str, target: str, value: str, fmt: str | None, lang: str) -> go.Figure:
    """Flows from `source` to `target`, as wide as `value`."""
    rows = df.select(source, target, value).drop_nulls().to_dicts()
    nodes = list(dict.fromkeys([str(r[source]) for r in rows] + [str(r[target]) for r in rows]))
    index = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(
        go.Sankey(
            node={"label": nodes, "color": PRIMARY, "pad": 14, "thickness": 14},
            link={
                "source": [index[str(r[source])] for r in rows],
                "target": [index[str(r[target])] for r in rows],
                "value": [r[value] for r in rows],
                "color": rgba(PRIMARY, 0.25),
            },
            valueformat=d3_format(fmt),
        )
    )
    fig.update_layout(hovermode="closest")
    return _layout(fig, lang, height=min(200 + 22 * len(nodes), 900))


# ---- governance page ---------------------------------------------------------------------------------------

# Lifecycle stages are an ordered pipeline, not statuses: shades of the primary blue, darkest when operating.
STAGE_COLOURS = {"planned": "#8fb8e0", "building": "#4a86c8", "operating": PRIMARY}


def lifecycle_funnel(df: pl.DataFrame, *, names: dict[str, str], stage_counts: dict[str, str], lang: str) -> go.Figure:
    """A funnel of the pipeline stages (rows: lifecycle_stage, count_reached, count_datasets, is_pipeline): how many
    datasets have reached at least each stage. `names` label the bars, `stage_counts` the hover's own-stage count."""
    rows = df.filter(pl.col("is_pipeline")).sort("stage_order").to_dicts()
    fig = go.Figure(
        go.Funnel(
            y=[names[r["lifecycle_stage"]] for r in rows],
            x=[r["count_reached"] for r in rows],
            textinfo="value+percent initial",
            textfont={"size": 14},
            marker={"color": [STAGE_COLOURS[r["lifecycle_stage"]] for r in rows]},
            connector={"fillcolor": THEME_NEUTRAL["band"]},
            customdata=[stage_counts[r["lifecycle_stage"]] for r in rows],
            hovertemplate="%{y}: %{x:,d}<br>%{customdata}<extra></extra>",
        )
    )
    _layout(fig, lang, height=100 + 70 * max(len(rows), 1))
    fig.update_layout(hovermode="closest", showlegend=False, yaxis={"automargin": True})
    return fig
