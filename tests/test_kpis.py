"""KPI values worked out by hand from docs (metrics.md) on the tiny data set of tests/tiny_fixture.py.

Every expected number below is written as the arithmetic of metrics.md's formula over fixture rows,
with a comment naming the rows.  Row names (E1.., K1.., Q1.., RM.., D1..) refer to tiny_fixture.py:
  exchanges  E1 C1->P1C D1 100/98 rec 1000 (03-03)   E2 C1->P2C D1 50/50 rec 500 (03-04)
             E3 P1X->P1C D2 20/18 rec 200 (03-05)   E4 P2C->P1C D4 30/30 rec 300 (03-06)
             E5 C2->C1 D3 10/0 rec 0 (03-07)        E6 C1->P1X D1 60/30 rec 600 (03-01, before start)
             E7 P2C->P2X D4 10/10 rec 100 (03-09, after end)
  dossiers   K1 P1C 10/10 fields 100/100 (03-03)   K2 P1X 30/22 fields 300/270 (03-05)
             K3 P2C 30/6 fields 200/60 (03-04)     K4 P1C 20/5 fields 100/50 (02-27)   K5 P2C (03-10)
  (calls/calls_ok, dossiers/dossiers_reusing, fields_total/fields_prefilled)
Period under test: 2026-03-02 .. 2026-03-08 (end = as-of date 03-08).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
for _p in (str(ROOT), str(ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from tiny_fixture import write_tiny

from dashboard.engine.kpis import Period, Scope, compute_kpis

START, END = dt.date(2026, 3, 2), dt.date(2026, 3, 8)
PERIOD = Period(START, END)

# metrics.md's table, in its order.
KPI_IDS = [
    "sharing_coverage",
    "shared_data_utilization",
    "exchange_success_rate",
    "cross_level_share",
    "connected_agencies",
    "records_exchanged",
    "reuse_breadth",
    "dossier_reuse_rate",
    "prefill_rate",
    "redeclared_fields",
    "hours_saved_estimate",
    "quality_correct",
    "quality_sufficient",
    "quality_clean",
    "quality_live",
    "quality_index",
    "datasets_ready",
    "ownership_coverage",
    "dictionary_coverage",
    "metadata_completeness",
    "key_databases_operating",
    "roadmap_progress",
    "schedule_performance",
    "milestones_on_time",
    "items_overdue",
]
COLUMNS = ["kpi_id", "value", "numerator", "denominator", "status"]


def R(num: float, den: float, status: str | None) -> tuple:
    """A ratio KPI: value = num / den, null (and status null) when den is 0."""
    return (num / den if den else None, num, den, status)


def N(value: float) -> tuple:
    """A plain count: value only, numerator/denominator/status null."""
    return (value, None, None, None)


# ---------------------------------------------------------------------------------------------
# Planned fractions at end = 03-08, days counted as whole days (2026 is not a leap year):
#   RM1a 01-01..03-31: (03-08 - 01-01) = 66 days / (03-31 - 01-01) = 89 days -> 66/89
#   RM2  03-01..03-31: 7 / 30
#   RM3  due 03-05, RM4 due 02-20, RM5 due 03-01: end >= due -> 1
#   RM6  starts 04-01 > end: clamp(negative) -> 0
# Leaf items not cancelled as of 03-08 (RM1 is RM1a/RM1b's parent: not a leaf; RM1b cancelled 02-16):
#   RM1a w2 pct 50 (update 03-02; 03-09's 90 % is after end)   RM2 w3 pct 0 (no update)
#   RM3 w1 100   RM4 w1 100   RM5 w2 60 (03-09's "done" is after end)   RM6 w1 10
# ---------------------------------------------------------------------------------------------
EARNED_ALL = 2 * 0.50 + 3 * 0 + 1 * 1.00 + 1 * 1.00 + 2 * 0.60 + 1 * 0.10  # = 4.3
PLANNED_ALL = 2 * 66 / 89 + 3 * 7 / 30 + 1 * 1 + 1 * 1 + 2 * 1 + 1 * 0

# Quality, latest check per (dataset, rule) with check_date <= 03-08 (Q on D1/R1 03-10 ignored;
# D2/R1 02-20 beats 02-10; D5's only check is 03-09 so D5 has no check).  R1 weight 2, others 1.
CORRECT_ALL = (2 * 95 + 1 * 80 + 2 * 45 + 2 * 10 + 1 * 10, 2 * 100 + 1 * 100 + 2 * 50 + 2 * 10 + 1 * 10)
#              D1/R1      D1/R2    D2/R1 02-20  D4/R1   D4/R2   -> 390 / 430
SUFFICIENT_ALL = (100 + 150 + 10, 100 + 200 + 10)  # R3 on D1, D2 (03-04), D4 -> 260 / 310
CLEAN_ALL = (90 + 50 + 10, 100 + 100 + 10)  # R4 on D1, D3 (unowned, counts in all), D4 -> 150 / 210
LIVE_ALL = (100 + 9, 100 + 10)  # R5 on D1, D4 -> 109 / 110
CRITERIA_ALL = [n / d for n, d in (CORRECT_ALL, SUFFICIENT_ALL, CLEAN_ALL, LIVE_ALL)]

EXPECTED_ALL = {
    # operating datasets D1..D5 (D6 building, D7 retired); shared/open AND api: D1, D2 (D3, D4 no api, D5 restricted)
    "sharing_coverage": R(2, 5, "red"),
    # operating shared/open: D1, D2, D3, D4.  In use: D1 (E1, E2), D4 (E4: consumer P1C != owner P2C).
    # D2 only consumed by its owner P1C (E3); D3 only in E5 with calls_ok = 0.
    "shared_data_utilization": R(2, 4, "amber"),
    # E1..E5 (E6 before start, E7 after end): ok 98+50+18+30+0 / calls 100+50+20+30+10
    "exchange_success_rate": R(98 + 50 + 18 + 30 + 0, 100 + 50 + 20 + 30 + 10, "red"),  # 196/210 = 0.933
    # cross-level ok: E1 central->prov 98, E2 central->prov 50, E3 commune->prov 18; E4 prov<->prov, E5 central<->central
    "cross_level_share": R(98 + 50 + 18, 196, None),
    # connected (row with calls_ok > 0 in period): C1, P1C, P2C, P1X; not C2 (only E5, ok 0), not P2X (only E7, after end)
    "connected_agencies": R(4, 6, "amber"),  # 0.667 >= 0.60
    "records_exchanged": N(1000 + 500 + 200 + 300 + 0),  # E1..E5
    # >= 2 distinct other consumers with ok > 0 in period: D1 (P1C, P2C); D4 has only P1C (E7 after end)
    "reuse_breadth": R(1, 4, "amber"),  # 0.25 exactly: amber boundary
    "dossier_reuse_rate": R(10 + 22 + 6, 10 + 30 + 30, "amber"),  # K1+K2+K3 = 38/70 = 0.543
    "prefill_rate": R(100 + 270 + 60, 100 + 300 + 200, "amber"),  # 430/600 = 0.717
    "redeclared_fields": N((100 - 100) + (300 - 270) + (200 - 60)),  # = 170
    "hours_saved_estimate": N((10 + 22 + 6) * 15 / 60),  # 38 reusing dossiers * 15 min = 9.5 h
    "quality_correct": R(*CORRECT_ALL, "green"),  # 0.907
    "quality_sufficient": R(*SUFFICIENT_ALL, "amber"),  # 0.839
    "quality_clean": R(*CLEAN_ALL, "red"),  # 0.714
    "quality_live": R(*LIVE_ALL, "green"),  # 0.991
    "quality_index": R(sum(CRITERIA_ALL), 4, "amber"),  # mean of 4 = 0.863
    # datasets with a check as of 03-08: D1, D2, D3, D4 (not D5).  Ready (all four >= 0.9):
    #   D1: correct (2*95+80)/(300)=0.9, sufficient 1, clean 0.9, live 1 -> ready
    #   D4: 1, 1, 1, live 0.9 -> ready;  D2: no clean/live value -> not;  D3: only clean 0.5 -> not
    "datasets_ready": R(2, 4, "amber"),  # 0.5 exactly: amber boundary
    # not retired: D1..D6.  Owner AND steward: D1, D2, D5, D6 (D3 no owner, D4 no steward)
    "ownership_coverage": R(4, 6, "red"),
    # elements of D1..D6 (D7's EL10, EL11 excluded): EL1..EL9; with term: EL1, EL2, EL4, EL6, EL8, EL9
    "dictionary_coverage": R(6, 9, "amber"),
    "metadata_completeness": R(4, 6, "red"),  # D1, D2, D4, D5 complete; D3, D6 not
    # key, not retired: D1, D2, D6 (D7 retired); operating: D1, D2
    "key_databases_operating": R(2, 3, "amber"),
    "roadmap_progress": R(EARNED_ALL, 2 + 3 + 1 + 1 + 2 + 1, None),  # 4.3 / 10
    "schedule_performance": R(EARNED_ALL, PLANNED_ALL, "red"),  # 4.3 / 6.183 = 0.695
    # milestones due <= 03-08, not cancelled: RM3, RM4, RM5 (RM1b cancelled, RM6 due 05-31). On time: RM3 only.
    "milestones_on_time": R(1, 3, "red"),
    # leaves, not cancelled, due < 03-08, not done: RM5 only (RM1 is a parent, RM1b cancelled, RM3/RM4 done)
    "items_overdue": N(1),
}

# Province P1 = agencies P1C, P1X.  Datasets owned there: D2 (P1C), D5 (P1X), D7 (P1C, retired).
EXPECTED_P1 = {
    "sharing_coverage": R(1, 2, "amber"),  # operating D2, D5; shared+api: D2 -> 0.5 boundary
    "shared_data_utilization": R(0, 1, "red"),  # D2 only; its only consumer (E3) is its owner
    # rows with P1C or P1X as provider or consumer, in period: E1, E3, E4 (E6 before start)
    "exchange_success_rate": R(98 + 18 + 30, 100 + 20 + 30, "amber"),  # 146/150 = 0.973
    "cross_level_share": R(98 + 18, 146, None),  # E1 and E3 cross-level; E4 prov<->prov
    "connected_agencies": R(2, 2, "green"),  # P1C (E1, E3, E4), P1X (E3)
    "records_exchanged": N(1000 + 200 + 300),  # E1, E3, E4
    "reuse_breadth": R(0, 1, "red"),  # D2 has no consumer other than its owner
    "dossier_reuse_rate": R(10 + 22, 10 + 30, "green"),  # K1 + K2 = 32/40 = 0.8 exactly: green boundary
    "prefill_rate": R(100 + 270, 100 + 300, "green"),  # 370/400 = 0.925
    "redeclared_fields": N((100 - 100) + (300 - 270)),  # 30
    "hours_saved_estimate": N((10 + 22) * 15 / 60),  # 8.0
    "quality_correct": R(2 * 45, 2 * 50, "green"),  # D2/R1 latest is 02-20 (before start), not 02-10 -> 0.9
    "quality_sufficient": R(150, 200, "amber"),  # D2/R3 -> 0.75 exactly: amber boundary
    "quality_clean": R(0, 0, None),  # no clean check on a P1 dataset -> null
    "quality_live": R(0, 0, None),  # no live check on a P1 dataset -> null
    "quality_index": R(0.9 + 0.75, 2, "amber"),  # mean of the 2 non-null criteria = 0.825
    "datasets_ready": R(0, 1, "red"),  # checked as of 03-08: D2 only (D5's check is 03-09); D2 lacks clean/live
    "ownership_coverage": R(2, 2, "green"),  # D2, D5 (retired D7 without steward excluded)
    "dictionary_coverage": R(1 + 1, 2 + 1, "amber"),  # D2: EL4 yes EL5 no; D5: EL8 yes (D7 excluded)
    "metadata_completeness": R(2, 2, "green"),  # D2, D5 (D7 retired excluded)
    "key_databases_operating": R(1, 1, "green"),  # D2 (D7 retired excluded)
    # P1 items: RM1b (P1C, cancelled), RM2 (P1C, w3, 0 %), RM3 (P1X, w1, 100 %)
    "roadmap_progress": R(3 * 0 + 1 * 1.0, 3 + 1, None),  # 0.25
    "schedule_performance": R(3 * 0 + 1 * 1.0, 3 * 7 / 30 + 1 * 1, "red"),  # 1 / 1.7
    "milestones_on_time": R(1, 1, "green"),  # RM3 on time; RM1b cancelled is excluded
    "items_overdue": N(0),
}


def _rows(df) -> dict[str, dict]:
    return {r["kpi_id"]: r for r in df.to_dicts()}


def _check(row: dict, expected: tuple) -> None:
    kpi = row["kpi_id"]
    for field, exp in zip(("value", "numerator", "denominator"), expected[:3]):
        got = row[field]
        if exp is None:
            assert got is None, f"{kpi}.{field}: expected null, got {got!r}"
        else:
            assert got is not None and got == pytest.approx(exp), f"{kpi}.{field}: expected {exp!r}, got {got!r}"
    assert row["status"] == expected[3], f"{kpi}.status: expected {expected[3]!r}, got {row['status']!r}"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny")
    write_tiny(path)
    return path


@pytest.fixture(scope="module")
def kpis_all(base):
    return compute_kpis(base, PERIOD, Scope.parse("all"))


@pytest.fixture(scope="module")
def kpis_p1(base):
    return compute_kpis(base, PERIOD, Scope.parse("province:P1"))


# --- API shape ------------------------------------------------------------------------------


def test_scope_parse():
    assert (Scope.parse("all").type, Scope.parse("all").id) == ("all", None)
    assert (Scope.parse("province:P1").type, Scope.parse("province:P1").id) == ("province", "P1")
    assert (Scope.parse("agency:C2").type, Scope.parse("agency:C2").id) == ("agency", "C2")


def test_period_previous_is_the_equal_length_range_before():
    prev = PERIOD.previous()
    assert (prev.start, prev.end) == (dt.date(2026, 2, 23), dt.date(2026, 3, 1))  # 7 days before 03-02


def test_columns_and_order(kpis_all):
    assert kpis_all.columns == COLUMNS
    assert kpis_all["kpi_id"].to_list() == KPI_IDS


# --- every KPI, scope all and province P1 ------------------------------------------------------


@pytest.mark.parametrize("kpi_id", KPI_IDS)
def test_all_scope(kpis_all, kpi_id):
    _check(_rows(kpis_all)[kpi_id], EXPECTED_ALL[kpi_id])


@pytest.mark.parametrize("kpi_id", KPI_IDS)
def test_province_p1(kpis_p1, kpi_id):
    _check(_rows(kpis_p1)[kpi_id], EXPECTED_P1[kpi_id])


# --- agencies ----------------------------------------------------------------------------------


def test_agency_c2(base):
    """C2: its only exchange E5 has calls 10, ok 0; owns D6 (key, building); owns milestone RM5."""
    rows = _rows(compute_kpis(base, PERIOD, Scope.parse("agency:C2")))
    _check(rows["exchange_success_rate"], R(0, 10, "red"))  # denominator 10, not 0: value 0, not null
    _check(rows["cross_level_share"], R(0, 0, None))  # Σcalls_ok = 0 -> null
    _check(rows["connected_agencies"], R(0, 1, "red"))  # E5 has calls_ok = 0
    _check(rows["records_exchanged"], N(0))
    _check(rows["sharing_coverage"], R(0, 0, None))  # D6 is not operating: no operating dataset
    _check(rows["ownership_coverage"], R(1, 1, "green"))  # D6 has owner and steward
    _check(rows["metadata_completeness"], R(0, 1, "red"))  # D6 metadata incomplete
    _check(rows["key_databases_operating"], R(0, 1, "red"))  # D6 key, building
    _check(rows["dictionary_coverage"], R(1, 1, "green"))  # EL9 mapped
    _check(rows["dossier_reuse_rate"], R(0, 0, None))  # C2 processes no dossiers
    _check(rows["redeclared_fields"], N(0))  # a count over no rows is 0
    _check(rows["roadmap_progress"], R(2 * 0.6, 2, None))  # RM5 w2, 60 % (03-09 "done" ignored)
    _check(rows["schedule_performance"], R(2 * 0.6, 2 * 1, "red"))  # RM5 due 03-01 <= end: fraction 1
    _check(rows["milestones_on_time"], R(0, 1, "red"))  # RM5 due, not done
    _check(rows["items_overdue"], N(1))  # RM5


def test_agency_p2x_has_nothing(base):
    """P2X: no exchange in period (E7 is 03-09), no dossier, no dataset, no roadmap item."""
    rows = _rows(compute_kpis(base, PERIOD, Scope.parse("agency:P2X")))
    _check(rows["exchange_success_rate"], R(0, 0, None))  # null denominator -> null value and status
    _check(rows["cross_level_share"], R(0, 0, None))
    _check(rows["records_exchanged"], N(0))
    _check(rows["connected_agencies"], R(0, 1, "red"))
    _check(rows["dossier_reuse_rate"], R(0, 0, None))
    _check(rows["hours_saved_estimate"], N(0))
    _check(rows["quality_correct"], R(0, 0, None))
    _check(rows["quality_index"], R(0, 0, None))  # no criterion value -> null
    _check(rows["datasets_ready"], R(0, 0, None))
    _check(rows["ownership_coverage"], R(0, 0, None))
    _check(rows["roadmap_progress"], R(0, 0, None))
    _check(rows["milestones_on_time"], R(0, 0, None))
    _check(rows["items_overdue"], N(0))


def test_agency_p1x_check_after_end_is_ignored(base):
    """P1X owns D5 whose only quality check is 03-09, after end: D5 has no check as of 03-08."""
    rows = _rows(compute_kpis(base, PERIOD, Scope.parse("agency:P1X")))
    _check(rows["quality_correct"], R(0, 0, None))
    _check(rows["datasets_ready"], R(0, 0, None))
    _check(rows["exchange_success_rate"], R(18, 20, "red"))  # E3 only (E6 is before start)
    _check(rows["roadmap_progress"], R(1 * 1.0, 1, None))  # RM3 done (update 03-02)
    _check(rows["milestones_on_time"], R(1, 1, "green"))  # RM3 done 03-04 <= due 03-05


# --- the "latest" rules, the comparison period, empty periods -----------------------------------


def test_previous_period(base):
    """Period 02-23..03-01 (as-of 03-01)."""
    rows = _rows(compute_kpis(base, PERIOD.previous(), Scope.parse("all")))
    _check(rows["exchange_success_rate"], R(30, 60, "red"))  # E6 only
    _check(rows["records_exchanged"], N(600))  # E6
    _check(rows["shared_data_utilization"], R(1, 4, "red"))  # D1 consumed by P1X in E6
    _check(rows["reuse_breadth"], R(0, 4, "red"))  # D1 has a single consumer
    _check(rows["dossier_reuse_rate"], R(5, 20, "red"))  # K4 only
    # only D2/R1 is checked by 03-01: latest is 02-20 (45/50), not 02-10 (20/50)
    _check(rows["quality_correct"], R(2 * 45, 2 * 50, "green"))
    _check(rows["quality_sufficient"], R(0, 0, None))  # D2/R3 check is 03-04, after 03-01
    # latest updates as of 03-01: RM1a 30 % (02-23), RM2 0, RM3 none (its 03-02 update is later) -> 0,
    # RM4 100, RM5 60, RM6 none -> 0;  RM1b cancelled 02-16
    _check(rows["roadmap_progress"], R(2 * 0.30 + 3 * 0 + 1 * 0 + 1 * 1.0 + 2 * 0.60 + 1 * 0, 10, None))
    # milestones due <= 03-01: RM4 (late), RM5 (due 03-01, not done); RM1b cancelled, RM3 due 03-05
    _check(rows["milestones_on_time"], R(0, 2, "red"))
    _check(rows["items_overdue"], N(0))  # RM5's due 03-01 is not < 03-01


def test_period_without_any_flow(base):
    """Week 2026-01-05..01-11: no exchange, no dossier, no quality check yet, roadmap barely started."""
    rows = _rows(compute_kpis(base, Period(dt.date(2026, 1, 5), dt.date(2026, 1, 11)), Scope.parse("all")))
    _check(rows["exchange_success_rate"], R(0, 0, None))  # ratio over no rows: null, status null
    _check(rows["cross_level_share"], R(0, 0, None))
    _check(rows["records_exchanged"], N(0))  # count over no rows: 0
    _check(rows["connected_agencies"], R(0, 6, "red"))  # 6 agencies, none connected
    _check(rows["shared_data_utilization"], R(0, 4, "red"))
    _check(rows["sharing_coverage"], R(2, 5, "red"))  # a state: same as in March
    _check(rows["dossier_reuse_rate"], R(0, 0, None))
    _check(rows["redeclared_fields"], N(0))
    _check(rows["hours_saved_estimate"], N(0))
    _check(rows["quality_correct"], R(0, 0, None))  # first check is 02-10
    _check(rows["quality_index"], R(0, 0, None))
    _check(rows["datasets_ready"], R(0, 0, None))
    # no update yet: every leaf at 0 %, and RM1b is not cancelled yet (its cancel update is 02-16)
    # leaves RM1a 2 + RM1b 1 + RM2 3 + RM3 1 + RM4 1 + RM5 2 + RM6 1 = 11
    _check(rows["roadmap_progress"], R(0, 11, None))
    # only RM1a has started by 01-11: fraction (01-11 - 01-01) / 89 = 10/89
    _check(rows["schedule_performance"], R(0, 2 * 10 / 89, "red"))
    _check(rows["milestones_on_time"], R(0, 0, None))  # no milestone due by 01-11
    _check(rows["items_overdue"], N(0))


def test_minutes_per_dossier_setting(base):
    rows = _rows(compute_kpis(base, PERIOD, Scope.parse("all"), minutes_per_dossier=30))
    _check(rows["hours_saved_estimate"], N(38 * 30 / 60))  # 38 reusing dossiers (K1..K3) * 30 min


# --- CLI -------------------------------------------------------------------------------------


def test_cli_csv(base):
    """P2 = P2C, P2X: exchanges E2, E4; dataset D4; dossier K3; quality D4; items RM4, RM6."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "kpis",
            "--data-dir",
            str(base),
            "--start",
            "2026-03-02",
            "--end",
            "2026-03-08",
            "--scope",
            "province:P2",
            "--format",
            "csv",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "kpi_id,value,numerator,denominator,status"
    rows = {r["kpi_id"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert list(rows) == KPI_IDS

    def num(text: str) -> float:
        return float(text)

    # key_databases_operating: no key database owned in P2 -> null value/status as empty fields
    assert rows["key_databases_operating"]["value"] == ""
    assert rows["key_databases_operating"]["status"] == ""
    # records_exchanged: E2 500 + E4 300; a plain count, so numerator/denominator/status empty
    assert num(rows["records_exchanged"]["value"]) == pytest.approx(500 + 300)
    assert [rows["records_exchanged"][c] for c in ("numerator", "denominator", "status")] == ["", "", ""]
    # exchange_success_rate: (50 + 30) / (50 + 30) = 1.0 as a fraction, green
    r = rows["exchange_success_rate"]
    assert (num(r["value"]), num(r["numerator"]), num(r["denominator"]), r["status"]) == (
        pytest.approx(1.0),
        pytest.approx(80),
        pytest.approx(80),
        "green",
    )
    # cross_level_share: E2 (central -> provincial) 50 of 80 ok -> 0.625 (not 62.5), no status
    assert num(rows["cross_level_share"]["value"]) == pytest.approx(50 / 80)
    assert rows["cross_level_share"]["status"] == ""
    # quality_index of D4: correct (2*10+10)/(2*10+10)=1, sufficient 1, clean 1, live 9/10 -> 3.9/4
    assert num(rows["quality_index"]["value"]) == pytest.approx((1 + 1 + 1 + 0.9) / 4)
    assert rows["quality_index"]["status"] == "green"
    # dossier_reuse_rate: K3 6/30 = 0.2, red
    assert num(rows["dossier_reuse_rate"]["value"]) == pytest.approx(6 / 30)
    assert rows["dossier_reuse_rate"]["status"] == "red"
    # roadmap: RM4 w1 100 % (fraction 1), RM6 w1 10 % (fraction 0): progress 1.1/2, SPI 1.1/1
    assert num(rows["roadmap_progress"]["value"]) == pytest.approx((1 + 0.1) / 2)
    assert num(rows["schedule_performance"]["value"]) == pytest.approx((1 + 0.1) / 1)
    assert rows["schedule_performance"]["status"] == "green"
    # milestones: RM4 done late -> 0/1 (RM6 not yet due)
    assert num(rows["milestones_on_time"]["value"]) == pytest.approx(0.0)
    assert rows["milestones_on_time"]["status"] == "red"
