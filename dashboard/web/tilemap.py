"""A tile grid map of the provinces: each province a square at a fixed row and column, roughly where it lies
(dashboard/data/reference/province_tiles.csv, row 0 the north, column 0 the west), coloured by a KPI's status. It
needs no boundary file. The texts on the tiles come formatted from the page (engine/kpi_text)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from dashboard.i18n import plotly_separators
from dashboard.web.charts import RAG_COLOURS, THEME_NEUTRAL

TILES_FILE = Path(__file__).resolve().parents[1] / "data" / "reference" / "province_tiles.csv"
OUTSIDE = "outside"  # a province outside the user's scope: a pale tile with its name only
STATUS_CODES = {"red": 0, "amber": 1, "green": 2, None: 3, OUTSIDE: 4}
# A province outside the scope: a translucent grey tile, its name in the theme's text colour (light or dark theme).
OUTSIDE_TILE = "rgba(138,143,152,0.2)"
TILE_COLOURS = (RAG_COLOURS["red"], RAG_COLOURS["amber"], RAG_COLOURS["green"], RAG_COLOURS[None], OUTSIDE_TILE)
COLUMNS = 5  # the grid's width; provinces missing from the grid get rows of this many below it
TILE_PX = 96  # width of a column in pixels; rows are a little shorter
ROW_PX = 50


@dataclass(frozen=True)
class Tile:
    """One province on the map: its code and name, its status (green/amber/red, None = no data, or OUTSIDE), the
    value text shown on the tile and the hover text."""

    code: str
    name: str
    status: str | None
    label: str = ""
    hover: str = ""
    is_pilot: bool = False


def tile_positions(path: Path = TILES_FILE) -> dict[str, tuple[int, int]]:
    """(row, column) by province code and by Vietnamese name."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_code = {r["province_code"]: (int(r["row"]), int(r["col"])) for r in rows}
    by_name = {r["name_vi"]: (int(r["row"]), int(r["col"])) for r in rows}
    return by_code | by_name


def placed(tiles: list[Tile], positions: dict[str, tuple[int, int]]) -> list[tuple[Tile, int, int]]:
    """Each tile with its (row, column): its own place by code, else by name; the rest in rows below the grid."""
    known = [
        (t, *(positions.get(t.code) or positions[t.name])) for t in tiles if t.code in positions or t.name in positions
    ]
    first_free = max((row for _, row, _ in known), default=-1) + 1
    unknown = [t for t in tiles if t.code not in positions and t.name not in positions]
    return known + [(t, first_free + i // COLUMNS, i % COLUMNS) for i, t in enumerate(unknown)]


def tile_map(
    tiles: list[Tile],
    *,
    lang: str,
    title: str | None = None,
    legend: dict[str | None, str] | None = None,
    positions: dict[str, tuple[int, int]] | None = None,
) -> go.Figure:
    """The map: one heatmap cell per province (hover: the tile's hover text), its name and value written on it;
    `legend` names the colours (status -> word), shown above the tiles; a `title` goes above the legend (pages
    mostly put theirs in a subheader instead)."""
    cells = placed(tiles, tile_positions() if positions is None else positions)
    n_rows = max((row for _, row, _ in cells), default=0) + 1
    z = [[None] * COLUMNS for _ in range(n_rows)]
    hover = [[""] * COLUMNS for _ in range(n_rows)]
    fig = go.Figure()
    for tile, row, col in cells:
        z[row][col] = STATUS_CODES[tile.status]
        hover[row][col] = tile.hover
        star = "★ " if tile.is_pilot else ""
        pale = tile.status == OUTSIDE
        fig.add_annotation(
            x=col,
            y=row,
            text=f"{star}{tile.name}" + (f"<br><b>{tile.label}</b>" if tile.label else ""),
            showarrow=False,
            font={"size": 10, **({} if pale else {"color": "white"})},
        )
    scale = []
    for i, colour in enumerate(TILE_COLOURS):
        scale += [[i / len(TILE_COLOURS), colour], [(i + 1) / len(TILE_COLOURS), colour]]
    fig.add_trace(
        go.Heatmap(
            z=z,
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            hoverongaps=False,
            colorscale=scale,
            zmin=-0.5,
            zmax=len(TILE_COLOURS) - 0.5,
            showscale=False,
            xgap=3,
            ygap=3,
        )
    )
    for status, word in (legend or {}).items():  # legend entries only: a square of each colour and its word
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=word,
                marker={"symbol": "square", "size": 12, "color": TILE_COLOURS[STATUS_CODES[status]]},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        title={"text": title, "font": {"size": 14}} if title else None,
        showlegend=bool(legend),
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 11}},
        separators=plotly_separators(lang),
        width=COLUMNS * TILE_PX + 20,
        height=n_rows * ROW_PX + 90,
        margin={"l": 10, "r": 10, "t": 100 if title else 70, "b": 10},
        xaxis={"visible": False, "range": [-0.5, COLUMNS - 0.5], "fixedrange": True},
        yaxis={"visible": False, "autorange": "reversed", "fixedrange": True},
        plot_bgcolor=THEME_NEUTRAL["clear"],
        font={"family": "Noto Sans, Arial, sans-serif"},
    )
    return fig
