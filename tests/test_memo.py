"""dashboard/web/memo.py: a built figure (or formatted frame, or any pure function's result) is reused only for the same function and the
same argument contents, is what the function makes, and is never reused for anything that differs in a value, a
name, a type or the language."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboard.csvsafe import csv_bytes
from dashboard.engine.kpi_text import formatted
from dashboard.web import charts, memo
from dashboard.web.memo import figure, result_key, shared

WEEKS = pl.DataFrame(
    {
        "week_start": [dt.date(2026, 2, 23), dt.date(2026, 3, 2)],
        "count_calls_ok": [90, 120],
        "success_rate": [0.9, 0.96],
    }
)
TREND = {"x": "week_start", "bars": "count_calls_ok", "line": "success_rate", "bars_label": "Calls"}
TREND |= {"line_label": "Rate", "x_label": "Week"}


@pytest.fixture(autouse=True)
def empty_cache():
    memo._shared.clear()
    yield
    memo._shared.clear()


def key(*args, **kwargs) -> str | None:
    return result_key(charts.weekly_trend, args, kwargs)


def test_the_same_contents_give_the_same_key():
    again = pl.DataFrame(WEEKS.to_dict(as_series=False))  # another frame with the same values
    assert key(WEEKS, lang="vi", **TREND) == key(again, lang="vi", **TREND)
    assert key(WEEKS, lang="vi", **TREND) == key(WEEKS, **dict(reversed(TREND.items())), lang="vi")  # kwargs order


def test_any_difference_in_the_inputs_gives_another_key():
    base = key(WEEKS, lang="vi", **TREND)
    one_value = WEEKS.with_columns(pl.Series("count_calls_ok", [90, 121]))  # 120 -> 121
    renamed = WEEKS.rename({"success_rate": "rate"})
    as_float = WEEKS.with_columns(pl.col("count_calls_ok").cast(pl.Float64))  # 90 -> 90.0: another type
    one_row = WEEKS.head(1)
    others = [
        key(one_value, lang="vi", **TREND),
        key(renamed, lang="vi", **TREND),
        key(as_float, lang="vi", **TREND),
        key(one_row, lang="vi", **TREND),
        key(WEEKS, lang="en", **TREND),
        key(WEEKS, lang="vi", **(TREND | {"bars_label": "Calls ok"})),
        result_key(charts.rates_trend, (WEEKS,), {"lang": "vi", **TREND}),  # another builder
    ]
    assert base not in others
    assert len(set(others)) == len(others)
    assert key({"a": 1, "b": 2}) != key({"b": 2, "a": 1})  # dict order can be chart order
    assert key(1) != key(1.0) != key("1")
    assert key((1, 2)) != key([1, 2])


def test_an_argument_that_cannot_be_keyed_means_no_key():
    assert key(WEEKS, format=lambda v: f"{v}") is None
    assert key(object()) is None


def test_a_figure_is_built_once_per_inputs_and_equals_a_fresh_build():
    calls = []

    def build(df, *, label):
        calls.append(label)
        return charts.weekly_trend(df, **(TREND | {"bars_label": label}), lang="vi")

    build.__module__, build.__qualname__ = "dashboard.web.charts", "build"  # as a chart function of the project
    first = figure(build, WEEKS, label="A")
    assert figure(build, WEEKS.clone(), label="A") is first
    assert calls == ["A"]
    other = figure(build, WEEKS, label="B")
    assert calls == ["A", "B"] and other is not first
    assert first.to_dict() == charts.weekly_trend(WEEKS, **TREND | {"bars_label": "A"}, lang="vi").to_dict()


def test_update_yaxes_is_part_of_the_build_and_of_the_key():
    plan = {"category": "week_start", "actual": "success_rate", "planned": "success_rate", "lang": "vi"}
    plan |= {"actual_label": "Actual", "planned_label": "Planned"}
    plain = figure(charts.progress_vs_plan, WEEKS, **plan)
    fitted = figure(charts.progress_vs_plan, WEEKS, **plan, update_yaxes={"automargin": True})
    assert fitted is not plain
    assert fitted.layout.yaxis.automargin is True
    assert plain.layout.yaxis.automargin is not True


def test_a_builder_outside_the_dashboard_is_called_every_time():
    calls = []

    def page_local(df):
        calls.append(1)
        return charts.weekly_trend(df, **TREND, lang="vi")

    figure(page_local, WEEKS)
    figure(page_local, WEEKS)
    assert calls == [1, 1]


def test_an_unkeyable_argument_is_built_every_time():
    calls = []

    def build(df, fmt):
        calls.append(1)
        return charts.weekly_trend(df, **TREND, lang=fmt("vi"))

    build.__module__, build.__qualname__ = "dashboard.web.charts", "build"
    figure(build, WEEKS, lambda s: s)
    figure(build, WEEKS, lambda s: s)
    assert calls == [1, 1]


def test_a_long_frame_is_not_keyed():
    long = pl.DataFrame({"n": list(range(memo.MAX_FRAME_ROWS + 1))})
    assert key(long) is None
    assert key(long.head(memo.MAX_FRAME_ROWS)) is not None


def test_functions_count_by_name_only_when_top_level_in_the_dashboard():
    assert result_key(shared, (charts.weekly_trend,), {}) is not None
    assert result_key(shared, (charts.weekly_trend,), {}) != result_key(shared, (charts.rates_trend,), {})
    assert result_key(shared, (lambda: 1,), {}) is None
    assert result_key(lambda df: df, (WEEKS,), {}) is None  # not a dashboard function: never cached


def test_formatted_frames_and_csv_are_shared_and_equal_to_fresh_ones():
    formats = {"success_rate": "percent", "count_calls_ok": "number", "week_start": "date"}
    first = shared(formatted, WEEKS, formats, "vi")
    assert shared(formatted, WEEKS.clone(), formats, "vi") is first
    assert first.equals(formatted(WEEKS, formats, "vi"))
    # the cells as the Vietnamese table shows them: 0.9 -> "90,0%", 120 -> "120"
    assert first["success_rate"].to_list() == ["90,0%", "96,0%"]
    english = shared(formatted, WEEKS, formats, "en")
    assert english is not first and english["success_rate"].to_list() == ["90.0%", "96.0%"]
    csv = shared(csv_bytes, WEEKS)
    assert csv == csv_bytes(WEEKS) and b"2026-03-02,120,0.96" in csv
    assert shared(csv_bytes, WEEKS.clone()) is csv
