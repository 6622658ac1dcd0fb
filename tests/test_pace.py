"""Pace to 2030 (metrics.md, "Targets and pace to 2030") on tests/pace_fixture.py, worked out by hand.

Every expected number below comes from the fixture's rows and the rules of metrics.md, with the arithmetic in the
comments; none is read off compute_pace. The weekly series is also proved equal, week by week, to the KPI table of
that week computed on its own (compute_kpis), on this fixture, the tiny fixture and the demo.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from pace_fixture import END, write_pace_fixture

from dashboard.data.contract import TARGET_KPIS
from dashboard.engine.kpis import KPIS, compute_kpis
from dashboard.engine.pace import (
    PACE_COLUMNS,
    PACE_QUERY_OF,
    applying_target,
    compute_pace,
    series_week_ends,
    weekly_series,
)
from dashboard.period import Period
from dashboard.scope import Scope

ROOT = Path(__file__).resolve().parents[1]
D = dt.date


@pytest.fixture(scope="module")
def pace_base(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pace")
    write_pace_fixture(base)
    return base


@pytest.fixture(scope="module")
def no_targets_base(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("pace_none")
    write_pace_fixture(base, with_targets=False)
    return base


def rows(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["kpi_id"]: r for r in frame.to_dicts()}


def close(row: dict, **expected) -> None:
    for name, value in expected.items():
        got = row[name]
        if isinstance(value, float):
            assert got == pytest.approx(value, abs=1e-12), (row["kpi_id"], name, got)
        else:
            assert got == value, (row["kpi_id"], name, got)


def test_targets_are_the_kpis_with_a_green_threshold_and_each_has_a_series_query():
    assert tuple(k.id for k in KPIS if k.green is not None and k.higher_is_better) == TARGET_KPIS
    assert set(PACE_QUERY_OF) == set(TARGET_KPIS)


def test_the_series_is_the_last_12_complete_iso_weeks():
    # END is a Sunday: its week is the newest; 11 weeks before it ends on 2026-03-29 - 77 days = 2026-01-11.
    assert series_week_ends(END)[0] == D(2026, 1, 11) and series_week_ends(END)[-1] == END
    # Wednesday 2026-04-01: its week is not complete, so the newest week is still the one ending 2026-03-29.
    assert series_week_ends(D(2026, 4, 1)) == series_week_ends(END)
    assert len(series_week_ends(END)) == 12


def test_pace_of_scope_all_every_status(pace_base):
    pace = compute_pace(pace_base, Scope(), END)
    assert pace.columns[: len(PACE_COLUMNS)] == list(PACE_COLUMNS)
    # Catalogue order; only the KPIs with a target (any date) of the scope or national ones.
    assert pace["kpi_id"].to_list() == [
        "sharing_coverage",
        "exchange_success_rate",
        "dossier_reuse_rate",
        "prefill_rate",
        "quality_correct",
    ]
    got = rows(pace)
    # sharing_coverage: its only target (2026-03-01) is before END: no target applies. 1 of 1 operating dataset is
    # shared through an API every week: current 1.0, the slope of 12 equal values 0.
    close(got["sharing_coverage"], status="no_target", target_value=None, target_date=None, current_value=1.0)
    close(got["sharing_coverage"], slope_per_week=0.0, projected_value=None, required_per_week=None)
    # exchange_success_rate: 99 / 100 = 0.99 every week; target 0.99 by 2026-12-27.
    # w = (2026-12-27 - 2026-03-29) / 7 = 273 / 7 = 39 weeks; v = 0.99 >= 0.99: reached.
    # projected = 0.99 + 0 x 39 = 0.99; required = (0.99 - 0.99) / 39 = 0; no projected date (v is not below).
    close(
        got["exchange_success_rate"],
        status="reached",
        target_value=0.99,
        target_date=D(2026, 12, 27),
        current_value=0.99,
        slope_per_week=0.0,
        projected_value=0.99,
        required_per_week=0.0,
        projected_date=None,
        weeks_left=39.0,
    )
    # dossier_reuse_rate: targets 0.50 by 03-01 (passed), 0.80 by 06-28 and 0.90 by 12-27: the earliest on or
    # after END is 0.80 by 2026-06-28. Weeks 0-4 and 6-11 lie on 0.40 + 0.02 k (week 5 has no dossiers: null,
    # left out), so the least-squares slope is exactly 0.02. v = 0.62 (week 11), t0 = 2026-03-29.
    # w = (2026-06-28 - 2026-03-29) / 7 = 91 / 7 = 13. projected = 0.62 + 0.02 x 13 = 0.88 >= 0.80: on pace.
    # required = (0.80 - 0.62) / 13 = 0.18 / 13. projected date = t0 + ceil(0.18 / 0.02 = 9) weeks = 2026-05-31.
    close(
        got["dossier_reuse_rate"],
        status="on_pace",
        target_id="RE-1",
        target_value=0.80,
        target_date=D(2026, 6, 28),
        current_value=0.62,
        current_week_end=END,
        slope_per_week=0.02,
        projected_value=0.88,
        required_per_week=0.18 / 13,
        projected_date=D(2026, 5, 31),
    )
    assert got["dossier_reuse_rate"]["series_values"][5] is None  # the null week
    assert got["dossier_reuse_rate"]["series_values"][0] == pytest.approx(0.40)
    # prefill_rate: (500 + 5k) / 1000 = 0.500 + 0.005 k, week 5 null; slope 0.005, v = 0.555; target 0.92 by
    # 2026-06-28, w = 13. projected = 0.555 + 0.005 x 13 = 0.62 < 0.92: off pace. required = (0.92 - 0.555) / 13
    # = 0.365 / 13. projected date = t0 + ceil(0.365 / 0.005 = 73) weeks = 2026-03-29 + 511 days = 2027-08-22.
    close(
        got["prefill_rate"],
        status="off_pace",
        target_value=0.92,
        current_value=0.555,
        slope_per_week=0.005,
        projected_value=0.62,
        required_per_week=0.365 / 13,
        projected_date=D(2027, 8, 22),
    )
    # quality_correct: D1 is first checked in week 9; weeks 9, 10, 11 = 80/100, 85/100, 88/100: 3 values < 4,
    # no trend. v = 0.88 at t0 = 2026-03-29; target 0.90 by 2026-12-27, w = 39; required = 0.02 / 39.
    close(
        got["quality_correct"],
        status="no_trend",
        target_value=0.90,
        current_value=0.88,
        slope_per_week=None,
        projected_value=None,
        projected_date=None,
        required_per_week=0.02 / 39,
    )
    assert got["quality_correct"]["series_values"][:9] == [None] * 9


def test_a_province_with_its_own_target_beside_the_national_one(pace_base):
    got = rows(compute_pace(pace_base, Scope("province", "P1"), END))
    # P1's own target 0.75 by 2026-05-03 applies, not the national 0.80. A1 (P1) handles every dossier: the same
    # series, v = 0.62, slope 0.02. w = (2026-05-03 - 2026-03-29) / 7 = 35 / 7 = 5. projected = 0.62 + 0.02 x 5
    # = 0.72 < 0.75: off pace. required = (0.75 - 0.62) / 5 = 0.026. projected date = t0 + ceil(0.13 / 0.02 = 6.5)
    # = 7 weeks = 2026-05-17.
    close(
        got["dossier_reuse_rate"],
        status="off_pace",
        target_id="RE-P1",
        target_scope_type="province",
        target_value=0.75,
        target_date=D(2026, 5, 3),
        projected_value=0.72,
        required_per_week=0.026,
        projected_date=D(2026, 5, 17),
    )
    # The national prefill target applies to P1 (no own target): same numbers as in all.
    close(got["prefill_rate"], status="off_pace", target_id="PF-1", current_value=0.555)
    # D1 belongs to C1 (central), not to P1: no quality value in P1 at all, no trend; no dataset in P1 either.
    close(got["quality_correct"], status="no_trend", current_value=None, required_per_week=None)
    close(got["sharing_coverage"], status="no_target", current_value=None, slope_per_week=None)
    # The exchanges C1 -> A1 are P1's too (its consumer): 0.99, reached.
    close(got["exchange_success_rate"], status="reached")


def test_a_scope_s_own_database_gives_the_same_pace(pace_base):
    p1 = Scope("province", "P1")
    assert compute_pace(pace_base, p1, END).equals(compute_pace(pace_base, p1, END, database_scope=Scope()))


@pytest.mark.parametrize("scope", [Scope(), Scope("province", "P1")], ids=str)
def test_the_pace_a_week_before_from_the_series_read_with_one_week_more(pace_base, scope):
    """The overview reads the series once, with one week before the 12 (weekly_series(weeks_before=1)); the weekly
    summary's pace a week before the end comes from that frame and equals the pace read on its own."""
    before = END - dt.timedelta(days=7)
    shared = weekly_series(pace_base, scope, END, weeks_before=1)
    assert shared["week_end"].unique().sort().to_list() == [series_week_ends(before)[0], *series_week_ends(END)]
    assert compute_pace(pace_base, scope, before, series=shared).equals(compute_pace(pace_base, scope, before))
    assert compute_pace(pace_base, scope, END, series=shared).equals(compute_pace(pace_base, scope, END))


def test_target_that_applies_after_a_date_has_passed():
    targets = [
        {"target_id": "a", "scope_type": "all", "target_date": D(2026, 6, 28)},
        {"target_id": "b", "scope_type": "all", "target_date": D(2026, 12, 27)},
        {"target_id": "p", "scope_type": "province", "target_date": D(2026, 5, 3)},
    ]
    assert applying_target(targets, Scope(), D(2026, 6, 28))["target_id"] == "a"  # on the date itself: still a
    assert applying_target(targets, Scope(), D(2026, 6, 29))["target_id"] == "b"  # a has passed
    assert applying_target(targets, Scope(), D(2027, 1, 1)) is None  # every target has passed
    # A province's own target first; once it has passed, the national ones apply again.
    assert applying_target(targets, Scope("province", "P1"), D(2026, 5, 3))["target_id"] == "p"
    assert applying_target(targets, Scope("province", "P1"), D(2026, 5, 4))["target_id"] == "a"


def test_without_kpi_targets_there_is_no_pace_and_nothing_fails(no_targets_base):
    pace = compute_pace(no_targets_base, Scope(), END)
    assert pace.is_empty() and pace.columns[: len(PACE_COLUMNS)] == list(PACE_COLUMNS)


def _assert_series_equals_weekly_kpis(base: Path, scope: Scope, end: dt.date) -> None:
    series = weekly_series(base, scope, end)
    got = {(k, w): v for k, w, v in series.iter_rows()}
    assert len(got) == 12 * len(TARGET_KPIS)
    for week_end in series_week_ends(end):
        kpis = compute_kpis(base, Period(week_end - dt.timedelta(days=6), week_end), scope)
        for kpi_id, value in kpis.select("kpi_id", "value").iter_rows():
            if kpi_id in TARGET_KPIS:
                assert got[(kpi_id, week_end)] == value, (scope, week_end, kpi_id)


@pytest.mark.parametrize("scope", [Scope(), Scope("province", "P1")])
def test_weekly_series_equals_each_week_s_kpis_on_the_pace_fixture(pace_base, scope):
    _assert_series_equals_weekly_kpis(pace_base, scope, END)


@pytest.mark.parametrize("scope", [Scope(), Scope("province", "P1"), Scope("agency", "P1C")])
def test_weekly_series_equals_each_week_s_kpis_on_the_tiny_fixture(tiny_base, scope):
    _assert_series_equals_weekly_kpis(tiny_base, scope, D(2026, 3, 8))


def test_weekly_series_equals_each_week_s_kpis_on_the_demo(demo_base):
    _assert_series_equals_weekly_kpis(demo_base, Scope(), D(2025, 9, 28))


def test_cli_prints_the_pace_as_csv(pace_base):
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "pace", "--end", "2026-03-29", "--scope", "province:P1"]
        + ["--format", "csv", "--data-dir", str(pace_base)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == ",".join(PACE_COLUMNS)
    # P1's own dossier target, numbers as worked out above (ratios as fractions, nulls empty).
    reuse = next(line for line in lines if line.startswith("dossier_reuse_rate,"))
    assert reuse.startswith("dossier_reuse_rate,0.75,2026-05-03,0.62,")
    assert reuse.endswith(",2026-05-17,off_pace")
    assert next(line for line in lines if line.startswith("sharing_coverage,")) == ("sharing_coverage,,,,,,,,no_target")


def test_cli_without_targets_says_so(no_targets_base):
    out = subprocess.run(
        [sys.executable, "-m", "dashboard", "pace", "--end", "2026-03-29", "--data-dir", str(no_targets_base)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "no targets are set" in out.stderr


def test_pace_texts():
    from dashboard.engine import kpi_text

    # 0.18 / 13 = 0.013846 a week = 1.38 points; a gain rounding to -0.00 reads +0.00, never -0.00
    assert kpi_text.format_gain("dossier_reuse_rate", 0.18 / 13, "vi") == "+1,38 điểm %/tuần"
    assert kpi_text.format_gain("dossier_reuse_rate", -0.0000365, "en") == "+0.00 pts/week"
    assert kpi_text.format_gain("dossier_reuse_rate", -0.0042, "en") == "-0.42 pts/week"
    assert kpi_text.format_target("dossier_reuse_rate", 0.8, D(2026, 6, 28), "vi") == "Mục tiêu 80,0% trước 28/06/2026"
    assert kpi_text.format_target("dossier_reuse_rate", 0.8, D(2026, 6, 28), "en") == "Target 80.0% by 28 Jun 2026"
    assert [kpi_text.pace_word(s, "en") for s in ("reached", "on_pace", "off_pace", "no_trend", None)] == [
        "Target reached",
        "On pace",
        "Off pace",
        "Not enough data for a trend",
        "No target left",
    ]
