"""The KPI cards' sparklines (dashboard/web/cards.py): the last 12 weeks of each KPI that the weekly rollups give,
on the tiny fixture (tests/tiny_fixture.py), worked out by hand.

Period 2026-03-02..03-08: the 12 weeks end on the Sundays 2025-12-21 .. 2026-03-08 (week 0 .. 11). Exchange rows:
week 11 (03-02..03-08) E1 100/98, E2 50/50, E3 20/18, E4 30/30, E5 10/0 -> success 196/210 = 93,3%;
week 10 (02-23..03-01) E6 60/30 -> 50,0%; weeks 0..9 have no exchange row -> no success rate (a gap).
The drawing is 180 x 30 px with 3 px of padding: week k at x = 3 + k * 174 / 11 (week 10: 161.2, week 11: 177.0);
the lowest value at y = 27, the highest at y = 3.
"""

from __future__ import annotations

import datetime as dt
import re

from apptest_helpers import open_page

from dashboard.web.cards import sparkline_svg

PAGE = "pages/leaders/sharing.py"


def card_sparklines(at) -> dict[str, str | None]:
    """Each card's label -> the SVG drawn in its card (None: the card has none)."""
    out: dict[str, str | None] = {}

    def walk(node) -> None:
        label = None
        for child in getattr(node, "children", {}).values():
            if child.type == "metric":
                label = child.label
                out[label] = None
            elif child.type == "markdown" and child.value.startswith("<svg") and label is not None:
                out[label] = child.value
            else:
                walk(child)

    walk(at.main)
    return out


def polylines(svg: str) -> list[str]:
    return re.findall(r'<polyline points="([^"]+)"', svg)


def test_cards_carry_the_weekly_series_and_a_card_without_one_has_none(app):
    at = open_page(app)
    assert not at.exception
    lines = card_sparklines(at)
    success = lines["Tỷ lệ giao dịch thành công"]
    # weeks 0..9 are gaps: one line from week 10 (50,0 %, the lowest: y 27) to week 11 (93,3 %, the highest: y 3)
    assert polylines(success) == ["161.2,27.0 177.0,3.0"]
    assert '<circle cx="177.0" cy="3.0"' in success  # the last week's dot
    assert "từ 50,0% đến 93,3%" in success  # its title: the first and the last value as the cards write them
    assert "15/12/2025 – 08/03/2026" in success  # Monday of week 0 .. Sunday of week 11
    assert 'stroke="currentColor"' in success  # the text's colour: readable in the light and the dark theme
    # KPIs the weekly rollups do not give: no line at all (no made-up one)
    assert lines["Tỷ lệ trao đổi giữa các cấp"] is None
    assert lines["Số bản ghi được chia sẻ"] is None
    # coverage (2 of 5 operating datasets every week: D1..D5 operate all along): a flat line at mid height
    assert polylines(lines["Tỷ lệ CSDL được chia sẻ qua API"]) == [
        " ".join(f"{3 + k * 174 / 11:.1f},15.0" for k in range(12))
    ]


def test_the_series_follows_the_period(app):
    # period ending 2026-03-01: week 11 is 02-23..03-01 (E6: 30/60 = 50,0 %), weeks 0..10 have no exchange row
    at = open_page(app, start="2026-02-23", end="2026-03-01")
    assert not at.exception
    success = card_sparklines(at)["Tỷ lệ giao dịch thành công"]
    assert polylines(success) == []  # one week with a value: a dot, no line
    assert '<circle cx="177.0" cy="15.0" r="1.5"' in success
    assert "08/12/2025 – 01/03/2026" in success


def test_a_null_week_is_a_gap_and_english_titles():
    ends = [dt.date(2026, 1, 4) + dt.timedelta(weeks=k) for k in range(4)]
    svg = sparkline_svg("exchange_success_rate", ends, [0.5, None, 0.75, 1.0], "en")
    # x = 3 + k * 174 / 3: 3.0, 61.0, 119.0, 177.0; y: 0.5 -> 27, 0.75 -> 15, 1.0 -> 3
    assert polylines(svg) == ["119.0,15.0 177.0,3.0"]
    assert '<circle cx="3.0" cy="27.0" r="1.5"' in svg  # week 0 stands alone between the edge and the gap
    assert "from 50.0% to 100.0%" in svg
    assert "29 Dec 2025 – 25 Jan 2026" in svg
    assert ">Last 12 weeks</text>" in svg


def test_a_small_move_of_a_ratio_stays_small():
    ends = [dt.date(2026, 1, 4), dt.date(2026, 1, 11)]
    svg = sparkline_svg("exchange_success_rate", ends, [0.990, 0.995], "vi")
    # the span 0.005 stands for at least 0.05 (5 points), centred on 0.9925: the top of the area is 1.0175;
    # y = 3 + (1.0175 - v) / 0.05 * 24: 0.990 -> 16.2, 0.995 -> 13.8 (not 27 and 3: a fall from top to bottom)
    assert polylines(svg) == ["3.0,16.2 177.0,13.8"]
    assert ">12 tuần gần nhất</text>" in svg
    # a count: at least a tenth of its size (10.1 for 101), centred on 100.5: the top is 100.5 + 10.1 / 2 = 105.55;
    # y(100) = 3 + 5.55 / 10.1 * 24 = 16.19, y(101) = 3 + 4.55 / 10.1 * 24 = 13.81
    svg = sparkline_svg("records_exchanged", ends, [100.0, 101.0], "vi")
    assert polylines(svg) == ["3.0,16.2 177.0,13.8"]
