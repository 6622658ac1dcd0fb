"""dashboard/web/tilemap.py: the reference grid covers the 34 provinces once each, and tiles land where they should."""

from __future__ import annotations

import csv

from dashboard.data.demo import REFERENCE_DIR
from dashboard.web.tilemap import COLUMNS, OUTSIDE, TILES_FILE, Tile, placed, tile_map, tile_positions


def test_the_grid_holds_each_of_the_34_provinces_once():
    with TILES_FILE.open(encoding="utf-8") as f:
        grid = list(csv.DictReader(f))
    with (REFERENCE_DIR / "provinces.csv").open(encoding="utf-8") as f:
        provinces = {r["province_code"]: r["name_vi"] for r in csv.DictReader(f)}
    assert len(grid) == 34
    assert {r["province_code"]: r["name_vi"] for r in grid} == provinces
    places = [(int(r["row"]), int(r["col"])) for r in grid]
    assert len(set(places)) == 34  # no two provinces on one square
    assert all(0 <= col < COLUMNS for _, col in places)
    assert tile_positions()["HNI"] == tile_positions()["Hà Nội"] == (2, 2)  # by code and by name


def test_tiles_by_code_by_name_and_the_rest_below():
    positions = {"AA": (0, 1), "Bê": (2, 0)}
    tiles = [Tile("AA", "A", "green"), Tile("XX", "Bê", "red")] + [Tile(f"U{i}", f"U{i}", None) for i in range(6)]
    got = {tile.code: (row, col) for tile, row, col in placed(tiles, positions)}
    assert got["AA"] == (0, 1) and got["XX"] == (2, 0)  # by code, then by name
    # six unknown provinces: rows of five under the last row of the grid (row 2)
    assert [got[f"U{i}"] for i in range(6)] == [(3, 0), (3, 1), (3, 2), (3, 3), (3, 4), (4, 0)]


def test_the_figure_colours_and_hover():
    positions = {"AA": (0, 1), "BB": (1, 0)}
    tiles = [Tile("AA", "A", "green", "95,0%", "A: 95,0%", True), Tile("BB", "B", OUTSIDE, hover="B: outside")]
    fig = tile_map(tiles, title="t", lang="vi", positions=positions, legend={"green": "Đạt"}).to_plotly_json()
    heat = fig["data"][0]
    assert [list(r) for r in heat["z"]] == [[None, 2, None, None, None], [4, None, None, None, None]]
    assert [list(r) for r in heat["text"]][0][1] == "A: 95,0%"
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["★ A<br><b>95,0%</b>", "B"]
    assert [t["name"] for t in fig["data"][1:]] == ["Đạt"]
