"""The colours the app draws itself read in the light and the dark theme: the status marks in table cells (a cell's
text cannot follow the theme), the status tints behind table text, and the charts' own colours (no background or
text colour of a figure's own). The browser test tests/e2e/test_dark_theme.py checks the pages as drawn."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboard.engine.kpi_text import MARK_COLOURS
from dashboard.web import charts, gantt, tilemap
from dashboard.web.tables import RAG_TINTS

# Streamlit 1.67's themes as a browser computes them (the stApp element's background and text colour).
LIGHT = {"background": (255, 255, 255), "text": (47, 45, 43)}
DARK = {"background": (23, 22, 20), "text": (237, 235, 232)}


def luminance(rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""

    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def over(rgba: str, under) -> tuple[float, ...]:
    """A 'rgba(r, g, b, a)' colour laid over an opaque one."""
    *rgb, alpha = (float(x) for x in rgba[rgba.index("(") + 1 : -1].split(","))
    return tuple(c * alpha + u * (1 - alpha) for c, u in zip(rgb, under))


def test_the_contrast_formula_gives_wcag_figures():
    # white on black: (1 + 0.05) / (0 + 0.05) = 21; a colour on itself: 1
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast((23, 22, 20), (23, 22, 20)) == pytest.approx(1.0)
    # #767676 is the classic grey at 4.54:1 on white
    assert contrast(hex_rgb("#767676"), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("mark", sorted(MARK_COLOURS))
def test_a_status_mark_reads_on_white_and_on_the_dark_background(mark):
    # a cell's text in the mark's colour: over 4:1 on both (no colour reaches 4.5 on both: the best, at equal
    # contrast, is sqrt(1.05 / 0.0579) = 4.26)
    colour = hex_rgb(MARK_COLOURS[mark])
    assert contrast(colour, LIGHT["background"]) >= 4.0
    assert contrast(colour, DARK["background"]) >= 4.0


@pytest.mark.parametrize("status", sorted(RAG_TINTS))
def test_the_theme_text_reads_on_a_status_tint_in_both_themes(status):
    for theme in (LIGHT, DARK):
        cell = over(RAG_TINTS[status], theme["background"])
        assert contrast(theme["text"], cell) >= 4.5, (status, theme)
    # and the tint is seen: the cell differs from the page
    assert over(RAG_TINTS[status], DARK["background"]) != DARK["background"]


def _is_light_and_opaque(colour) -> bool:
    """A colour a dark page would show as a light patch: opaque enough and light."""
    if colour is None:
        return False
    if colour.startswith("rgba"):
        parts = [float(x) for x in colour[5:-1].split(",")]
        return parts[3] > 0.5 and luminance(parts[:3]) > 0.6
    if colour.startswith("#"):
        return luminance(hex_rgb(colour)) > 0.6
    return colour in ("white", "#fff")


def _figures() -> dict:
    items = pl.DataFrame(
        {
            "item_id": ["A", "B"],
            "item_title": ["Khảo sát", "Ban hành"],
            "pillar": ["strategy", "strategy"],
            "phase": ["2025-2026", "2025-2026"],
            "is_milestone": [False, True],
            "planned_start": [dt.date(2025, 1, 1), dt.date(2025, 6, 1)],
            "planned_due": [dt.date(2025, 12, 31), dt.date(2025, 6, 30)],
            "status": ["in_progress", "not_started"],
            "pct_complete": [0.5, 0.0],
            "owner_name": ["Ban A", None],
            "days_overdue": [None, 3],
        }
    )
    words = {"today": "Hôm nay", "milestone": "Mốc", "owner": "Chủ trì", "window": "Thời gian", "phase": "Giai đoạn"}
    roadmap = gantt.roadmap_gantt(
        items,
        as_of=dt.date(2025, 7, 3),
        status_names={s: s for s in gantt.ROADMAP_STATUSES},
        pillar_names={"strategy": "Chiến lược"},
        phase_names={"2025-2026": "2025-2026"},
        texts={**words, "overdue": "Quá hạn {days} ngày"},
        lang="vi",
    )
    tiles = tilemap.tile_map(
        [tilemap.Tile("01", "Hà Nội", "green", "90%"), tilemap.Tile("02", "Huế", tilemap.OUTSIDE)],
        lang="vi",
        positions={"01": (0, 0), "02": (1, 1)},
    )
    flows = charts.level_flows(
        pl.DataFrame({"provider_level": ["central"], "consumer_level": ["provincial"], "count_calls_ok": [5]}),
        names={lv: lv for lv in charts.LEVELS},
        titles=("Cung cấp", "Khai thác"),
        lang="vi",
    )
    return {"roadmap": roadmap, "tiles": tiles, "flows": flows}


@pytest.mark.parametrize("name", ["roadmap", "tiles", "flows"])
def test_a_figure_has_no_light_background_or_dark_text_of_its_own(name):
    fig = _figures()[name]
    layout = fig.layout
    assert not _is_light_and_opaque(layout.plot_bgcolor) and not _is_light_and_opaque(layout.paper_bgcolor)
    # texts on the page (not on a coloured tile or bar) take the theme's text colour, or a colour seen on both
    for trace in fig.data:
        font = getattr(trace, "textfont", None)
        colours = font.color if font is not None and font.color is not None else []
        for colour in [colours] if isinstance(colours, str) else colours:
            rgb = hex_rgb(colour)
            assert contrast(rgb, DARK["background"]) >= 3.0 and contrast(rgb, LIGHT["background"]) >= 3.0, colour
    for shape in layout.shapes:
        assert not _is_light_and_opaque(shape.fillcolor), shape.fillcolor


def test_a_province_outside_the_scope_is_named_in_the_theme_text_colour():
    tiles = _figures()["tiles"]
    by_name = {a.text.split("<br>")[0]: a.font.color for a in tiles.layout.annotations}
    assert by_name == {"Hà Nội": "white", "Huế": None}  # white on its green tile; the pale tile: the theme's text


def test_the_chart_colours_stand_out_on_both_backgrounds():
    # WCAG's 3:1 for graphics, on white and on the dark background
    for colour in (charts.PRIMARY, charts.MUTED, charts.SECONDARY, *charts.CRITERION_COLOURS.values()):
        for theme in (LIGHT, DARK):
            assert contrast(hex_rgb(colour), theme["background"]) >= 3.0, (colour, theme)
