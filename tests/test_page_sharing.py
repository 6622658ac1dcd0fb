"""AppTest of the Sharing page on the tiny fixture; expected numbers worked out by hand from tests/tiny_fixture.py.

Rows (calls/calls_ok, records, p95), period 2026-03-02..03-08 (E6 is before it, E7 after it):
  E1 C1->P1C D1 100/98 rec 1000 p95 120   E2 C1->P2C D1 50/50 rec 500 p95 100   E3 P1X->P1C D2 20/18 file
  E4 P2C->P1C D4 30/30 rec 300 p95 80     E5 C2->C1 D3 10/0 manual
Levels: C1, C2 central; P1C, P2C provincial; P1X, P2X commune.  Operating shared datasets: D1 (owner C1, API),
D2 (P1C, API), D3 (no owner, open, no API), D4 (P2C, no API); D5 operating but restricted (P1X, API).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import metrics, open_page, rows, table_exactly

from dashboard.engine.kpis import Period, Scope, compute_kpis
from dashboard.engine.query import run_query

PAGE = "pages/leaders/sharing.py"
DATASET_COLUMNS = ("Cơ sở dữ liệu", "Số bên khai thác", "Lượt yêu cầu", "Tỷ lệ thành công", "Độ trễ p95 (ms)")
DATASET_COLUMNS = (*DATASET_COLUMNS, "Cơ quan chủ quản")


def test_default_filters_show_the_hand_computed_numbers(app):
    at = open_page(app)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "Chia sẻ dữ liệu"
    shown = metrics(at)
    assert shown["Tỷ lệ CSDL được chia sẻ qua API"] == "40,0%"  # D1, D2 of operating D1..D5: 2/5
    assert shown["Tỷ lệ khai thác dữ liệu dùng chung"] == "50,0%"  # D1 (E1, E2), D4 (E4) of D1..D4: 2/4
    assert shown["Tỷ lệ giao dịch thành công"] == "93,3%"  # (98+50+18+30+0) / (100+50+20+30+10) = 196/210
    assert shown["Tỷ lệ trao đổi giữa các cấp"] == "84,7%"  # E1 98 + E2 50 + E3 18 across levels = 166/196
    assert shown["Tỷ lệ cơ quan đã kết nối"] == "66,7%"  # C1, P1C, P2C, P1X of 6 bodies
    assert shown["Số bản ghi được chia sẻ"] == "2.000"  # 1000 + 500 + 200 + 300 + 0


def test_flows_between_levels(app):
    at = open_page(app)
    flows = table_exactly(at, "Cấp cung cấp", "Cấp khai thác", "Lượt thành công", "Tỷ trọng")
    assert rows(flows) == [
        ["Trung ương", "Cấp tỉnh", "148", "75,5%"],  # E1 98 + E2 50, of 196 successful calls
        ["Cấp tỉnh", "Cấp tỉnh", "30", "15,3%"],  # E4 30/196
        ["Cấp xã", "Cấp tỉnh", "18", "9,2%"],  # E3 18/196; E5 has no successful call
    ]
    providers = table_exactly(
        at, "Cơ quan", "Cấp", "Lượt thành công", "Tỷ lệ thành công", "Số CSDL", "Số bên khai thác"
    )
    assert rows(providers)[0] == ["Cơ quan C1", "Trung ương", "148", "98,7%", "1", "2"]  # E1+E2: 148/150, D1, P1C+P2C
    assert rows(providers)[-1] == ["Cơ quan C2", "Trung ương", "0", "0,0%", "0", "0"]  # E5: 0/10
    consumers = table_exactly(at, "Cơ quan", "Cấp", "Lượt thành công", "Tỷ lệ thành công", "Số CSDL", "Số bên cung cấp")
    assert rows(consumers)[0] == ["Cơ quan P1C", "Cấp tỉnh", "146", "97,3%", "3", "3"]  # E1+E3+E4: D1, D2, D4


def test_province_ranking_puts_the_lagging_first(app):
    at = open_page(app)
    provinces = table_exactly(
        at,
        "Tỉnh, thành phố",
        "Trạng thái",
        "CSDL chia sẻ qua API",
        "CSDL dùng chung được khai thác",
        "Giao dịch thành công",
        "Lượt thành công",
    )
    got = rows(provinces)
    # P2 owns D4 (operating, shared, no API): coverage 0/1, utilisation 1/1 (P1C uses it in E4); E2+E4 80/80.
    # P1 owns D2 (shared, API) and D5 (restricted, API): coverage 1/2, utilisation 0/1 (D2 only used by its
    # owner); E1+E3+E4 146/150.  Both have a red indicator; the lower coverage (P2) comes first.
    assert [r[0] for r in got] == ["Tỉnh P2", "Tỉnh P1"]
    assert all("Chưa đạt" in r[1] for r in got)
    # written as the cards write them (146/150 = 97,33 % -> "97,3%") ...
    assert got[0][2:] == ["0,0%", "100,0%", "100,0%", "80"]
    assert got[1][2:] == ["50,0%", "0,0%", "97,3%", "146"]
    # ... while the table holds the values, so a click on a header sorts by value, not by text
    raw = next(d.raw_value for d in at.dataframe if "CSDL chia sẻ qua API" in d.raw_value.columns)
    assert raw["CSDL chia sẻ qua API"].tolist() == [pytest.approx(0.0), pytest.approx(0.5)]
    assert raw["Lượt thành công"].tolist() == [80, 146]


def test_datasets_and_the_detail_of_the_first(app):
    at = open_page(app)
    datasets = table_exactly(at, *DATASET_COLUMNS)
    assert rows(datasets) == [
        # D1: consumers P1C, P2C; 150 calls, 148 ok; p95 weighted by calls (120*100 + 100*50)/150 = 113.3 -> 113
        ["CSDL D1", "2", "150", "98,7%", "113", "Cơ quan C1"],
        ["CSDL D4", "1", "30", "100,0%", "80", "Cơ quan P2C"],  # E4
        ["CSDL D2", "0", "20", "90,0%", "–", "Cơ quan P1C"],  # E3: used by its owner only, file channel
        ["CSDL D3", "0", "10", "0,0%", "–", "(chưa giao chủ quản)"],  # E5 failed, manual channel
    ]
    assert at.selectbox(key="sharing_dataset").value == "D1"
    assert at.query_params["dataset"] == "D1"
    detail = table_exactly(
        at, "Cơ quan", "Cấp", "Lượt thành công", "Tỷ lệ thành công", "Số bản ghi", "Lần khai thác gần nhất"
    )
    assert rows(detail) == [
        ["Cơ quan P1C", "Cấp tỉnh", "98", "98,0%", "1.000", "03/03/2026"],  # E1
        ["Cơ quan P2C", "Cấp tỉnh", "50", "100,0%", "500", "04/03/2026"],  # E2
    ]


def test_a_dataset_in_the_url_opens_its_detail(app):
    at = open_page(app, dataset="D4")
    assert at.selectbox(key="sharing_dataset").value == "D4"
    detail = table_exactly(
        at, "Cơ quan", "Cấp", "Lượt thành công", "Tỷ lệ thành công", "Số bản ghi", "Lần khai thác gần nhất"
    )
    assert rows(detail) == [["Cơ quan P1C", "Cấp tỉnh", "30", "100,0%", "300", "06/03/2026"]]  # E4
    at.selectbox(key="sharing_dataset").set_value("D2").run()
    assert at.query_params["dataset"] == "D2"
    assert not at.exception
    assert any("Không có dữ liệu" in i.value for i in at.info)  # D2 is used by its owner only


def test_a_province_scope_changes_the_numbers(app):
    at = open_page(app, scope="province:P1")
    assert not at.exception
    shown = metrics(at)
    assert shown["Tỷ lệ CSDL được chia sẻ qua API"] == "50,0%"  # D2 of D2, D5
    assert shown["Tỷ lệ khai thác dữ liệu dùng chung"] == "0,0%"  # D2 used only by its owner P1C
    assert shown["Tỷ lệ giao dịch thành công"] == "97,3%"  # E1, E3, E4: 146/150
    assert shown["Tỷ lệ trao đổi giữa các cấp"] == "79,5%"  # E1 98 + E3 18 of 146
    assert shown["Tỷ lệ cơ quan đã kết nối"] == "100,0%"  # P1C, P1X
    assert shown["Số bản ghi được chia sẻ"] == "1.500"  # 1000 + 200 + 300
    provinces = table_exactly(
        at,
        "Tỉnh, thành phố",
        "Trạng thái",
        "CSDL chia sẻ qua API",
        "CSDL dùng chung được khai thác",
        "Giao dịch thành công",
        "Lượt thành công",
    )
    assert [r[0] for r in rows(provinces)] == ["Tỉnh P1"]  # only the province in scope
    flows = table_exactly(at, "Cấp cung cấp", "Cấp khai thác", "Lượt thành công", "Tỷ trọng")
    assert [r[2] for r in rows(flows)] == ["98", "30", "18"]  # E1 central->prov, E4 prov->prov, E3 commune->prov
    datasets = table_exactly(at, *DATASET_COLUMNS)
    assert [r[0] for r in rows(datasets)] == ["CSDL D2"]  # the operating shared dataset P1 owns


def test_an_empty_period_shows_the_empty_state(app):
    at = open_page(app, start="2025-01-06", end="2025-01-12")
    assert not at.exception
    assert not at.error
    assert metrics(at)["Tỷ lệ giao dịch thành công"] == "–"  # no exchange: no data
    empty = [i.value for i in at.info if i.value == "Không có dữ liệu cho bộ lọc đang chọn."]
    assert len(empty) >= 4  # flows, top providers, top consumers, weekly trend (and the dataset detail)


def test_english(app):
    at = open_page(app, lang="en")
    assert not at.exception
    assert at.title[0].value == "Data sharing"
    assert metrics(at)["Successful exchanges"] == "93.3%"
    flows = table_exactly(at, "Provider level", "Consumer level", "Successful calls", "Share")
    assert rows(flows)[0] == ["Central", "Provincial", "148", "75.5%"]


def test_a_broken_part_shows_its_error_and_the_rest_renders(app, broken_query):
    broken_query("sharing_level_flows", "flows query broke")
    at = open_page(app)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Không hiển thị được phần «Luồng khai thác thành công giữa các cấp: dữ liệu đi từ cấp nào đến cấp nào?». "
        "Các phần khác của trang vẫn dùng được."
    ]
    assert any("flows query broke" in c.value for c in at.code)
    assert metrics(at)["Tỷ lệ giao dịch thành công"] == "93,3%"  # the cards still show
    # every table but the flows: top providers, top consumers, provinces, datasets, the dataset's consumers
    assert len(at.dataframe) == 5
    assert not any("Cấp cung cấp" in df.value.columns for df in at.dataframe)


# --- the province ranking follows metrics.md, the province being the scope -------------------------------


def province_rows(base: Path, period: Period, database: Scope) -> dict[str, dict]:
    params = {**period.params(), **database.params(), "lang": "vi"}
    return {r["province_code"]: r for r in run_query(base, database, "sharing_provinces", params).to_dicts()}


def kpi_values(base: Path, period: Period, scope: Scope) -> dict[str, float | None]:
    kpis = compute_kpis(base, period, scope, database_scope=Scope())
    return {r["kpi_id"]: r["value"] for r in kpis.to_dicts()}


def assert_row_matches_the_kpis(row: dict, kpis: dict) -> None:
    for kpi_id in ("sharing_coverage", "shared_data_utilization", "exchange_success_rate"):
        if kpis[kpi_id] is None:
            assert row[kpi_id] is None, kpi_id
        else:
            assert row[kpi_id] == pytest.approx(kpis[kpi_id]), kpi_id


def test_each_province_row_equals_the_kpis_of_that_province_on_the_fixture(tiny_base):
    period = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    ranking = province_rows(tiny_base, period, Scope())
    assert set(ranking) == {"P1", "P2"}
    for code, row in ranking.items():
        assert_row_matches_the_kpis(row, kpi_values(tiny_base, period, Scope("province", code)))
        # and a province's own database gives it the same row (and only its own)
        assert province_rows(tiny_base, period, Scope("province", code)) == {code: row}


def test_each_province_row_equals_the_kpis_of_that_province_on_demo_data(demo_base):
    period = Period(dt.date(2025, 7, 1), dt.date(2025, 9, 28))
    ranking = province_rows(demo_base, period, Scope())
    assert len(ranking) == 34
    for code in sorted(ranking)[::7]:  # five provinces spread over the list keep the test quick
        assert_row_matches_the_kpis(ranking[code], kpi_values(demo_base, period, Scope("province", code)))
