"""The overview's HTML charts (dashboard/web/light_charts.py): axis tops, bar and point positions, labels and
tooltips, worked out by hand on two or three rows."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from dashboard.web.charts import PLANNED, PRIMARY, SECONDARY
from dashboard.web.light_charts import nice_top, progress_vs_plan_html, weekly_trend_html

LABELS = {"bars_label": "Calls", "line_label": "Success", "x_label": "Week"}


@pytest.mark.parametrize(
    ("largest", "expected"),
    [
        (0, (1.0, 1.0)),  # nothing to show: an axis of one step
        (5, (5, 1)),  # five steps of 1
        (7, (8, 2)),  # 7 steps of 1 are too many: 4 of 2
        (100, (100, 20)),  # 10 of 10 too many: 5 of 20
        (1234, (1250, 250)),  # 13 of 100, 7 of 200 too many: 5 of 250
        (98_000, (100_000, 20_000)),
    ],
)
def test_the_axis_top_is_the_first_nice_tick_at_or_above_the_largest_value(largest, expected):
    assert nice_top(largest) == expected


def _styles(markup: str, cls: str) -> list[str]:
    return re.findall(rf'<div class="{cls}"[^>]*style="([^"]*)"', markup)


def test_weekly_bars_and_points_sit_at_their_share_of_the_axes():
    df = pl.DataFrame(
        {"week": [dt.date(2025, 9, 1), dt.date(2025, 9, 8)], "calls": [100, 50], "rate": [0.5, None]},
        schema_overrides={"rate": pl.Float64},
    )
    markup = weekly_trend_html(df, x="week", bars="calls", line="rate", lang="en", **LABELS)
    # two slots of 50 %: bars 60 % of a slot wide (30 %), centred at 25 % and 75 %; axis top 100 (5 steps of 20)
    assert _styles(markup, "lc-bar") == [
        f"left:10%;width:30%;height:100%;background:{PRIMARY};opacity:0.85",
        f"left:60%;width:30%;height:50%;background:{PRIMARY};opacity:0.85",
    ]
    # the rate 0.5 halfway up the right axis; the missing rate of the second week has no point, and one point no line
    assert _styles(markup, "lc-dot") == [f"left:25%;bottom:50%;background:{SECONDARY}"]
    assert "<polyline" not in markup
    left_axis = re.search(r"<div class=\"lc-axis lc-left\"[^>]*>(.*?)</div>", markup).group(1)
    assert re.findall(r'bottom:([\d.]+)%">([^<]*)<', left_axis) == [
        ("0", "0"),
        ("20", "20"),
        ("40", "40"),
        ("60", "60"),
        ("80", "80"),
        ("100", "100"),
    ]
    # both weeks labelled; in a narrow chart only the last (the first is an "alternate" label)
    assert re.findall(r'<span( class="lc-alt")? style="left:([\d.]+)%">([^<]*)</span>', markup) == [
        (' class="lc-alt"', "25", "1 Sep"),
        ("", "75", "8 Sep"),
    ]
    assert 'title="1 Sep: Calls 100; Success 50.0%"' in markup
    assert 'title="8 Sep: Calls 50; Success –"' in markup


def test_weekly_rates_join_into_a_line_broken_by_a_missing_week_and_numbers_read_in_vietnamese():
    weeks = [dt.date(2025, 9, 1) + dt.timedelta(days=7 * i) for i in range(4)]
    df = pl.DataFrame({"week": weeks, "calls": [1200, 2400, None, 600], "rate": [1.0, 0.75, None, 0.25]})
    markup = weekly_trend_html(df, x="week", bars="calls", line="rate", lang="vi", **LABELS)
    # slots of 25 %: centres 12.5, 37.5, 62.5, 87.5; y from the top of a 100-high box; the third week breaks the line
    assert re.findall(r'<polyline points="([^"]*)"', markup) == ["12.500,0.000 37.500,25.000"]
    # top 2500 (5 steps of 500): 1200 is 48 %, 600 is 24 %; the week without a volume has no bar
    assert [re.search(r"height:([\d.]+)%", s).group(1) for s in _styles(markup, "lc-bar")] == ["48", "96", "24"]
    assert ">2.500<" in markup and ">1.000<" in markup  # Vietnamese thousands
    assert ">100%<" in markup and ">25%<" in markup  # the right axis
    assert 'title="15/09' not in markup  # neither a bar nor a point to hover
    assert 'title="08/09: Calls 2.400; Success 75,0%"' in markup


def test_a_long_series_labels_every_other_week_and_a_narrow_one_every_fourth_ending_with_the_last():
    weeks = [dt.date(2025, 6, 2) + dt.timedelta(days=7 * i) for i in range(12)]
    df = pl.DataFrame({"week": weeks, "calls": [10] * 12, "rate": [0.9] * 12})
    markup = weekly_trend_html(df, x="week", bars="calls", line="rate", lang="vi", **LABELS)
    shown = re.findall(r'<span( class="lc-alt")? style="left:[\d.]+%">(\d\d/\d\d)</span>', markup)
    assert [day for _, day in shown] == [w.strftime("%d/%m") for w in weeks[1::2]] and shown[-1][1] == "18/08"
    assert [day for alt, day in shown if not alt] == [w.strftime("%d/%m") for w in (weeks[3], weeks[7], weeks[11])]
    assert "@container (max-width: 480px){.lc-x .lc-alt{display:none}}" in markup


def test_progress_bars_take_their_share_of_the_track_and_print_their_value():
    df = pl.DataFrame(
        {"phase": ["Giai đoạn <1>", "Phase 2"], "progress": [0.25, 1.2], "planned": [0.5, None]},
        schema_overrides={"planned": pl.Float64},
    )
    markup = progress_vs_plan_html(
        df,
        category="phase",
        actual="progress",
        planned="planned",
        actual_label="Done",
        planned_label="Plan",
        lang="vi",
    )
    # 85 % of the track is 100 %: 0.5 -> 42.5 %, 0.25 -> 21.25 %; 1.2 stops at the end; no plan, no bar
    bars = re.findall(r'<i style="width:([\d.]+)%;background:([^"]+)"></i>([^<]*)</div>', markup)
    assert bars == [
        ("42.5", PLANNED, "50%"),
        ("21.25", PRIMARY, "25%"),
        ("0", PLANNED, "–"),
        ("85", PRIMARY, "120%"),
    ]
    assert "Giai đoạn &lt;1&gt;" in markup and "<1>" not in markup
    assert 'title="Phase 2: Done 120%"' in markup
