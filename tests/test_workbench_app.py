"""The workbench page (AppTest): write, run, see counts and timings, get refusals in plain words, download,
save as a page; and the overview still works for everyone after an attack."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.config import ROOT

WEEK = {"period": "custom", "start": "2026-03-02", "end": "2026-03-08"}


@pytest.fixture
def workbench(tiny_base, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tiny_base))
    monkeypatch.setenv("DASHBOARD_TODAY", "2026-03-10")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update(WEEK)
    at._page_hash = calc_hash("workbench")  # open /workbench
    return at


def run_sql(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="wb_sql").set_value(sql)
    return at.button(key="wb_run").click().run()


def test_the_workbench_opens_with_the_schema_and_an_example(workbench):
    at = workbench.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Bàn làm việc SQL"
    labels = [e.label for e in at.expander]
    assert "`agencies` · 6 dòng" in labels  # the tiny fixture's 6 bodies
    assert "`exchanges_daily` · 7 dòng" in labels  # E1..E7
    assert "exchanges_daily" in at.text_area(key="wb_sql").value


def test_running_a_query_shows_rows_counts_time_and_downloads(workbench):
    at = run_sql(
        workbench.run(),
        "select agency_id, sum(dossiers) as n from dossiers_daily "
        "where dossier_date between $start and $end group by 1 order by 1",
    )
    assert not at.exception and not at.error
    # the week's dossiers: K1 P1C 10, K2 P1X 30, K3 P2C 30
    assert at.dataframe[-1].value.values.tolist() == [["P1C", 10], ["P1X", 30], ["P2C", 30]]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Số dòng hiển thị"] == "3" and shown["Tổng số dòng"] == "3"
    assert shown["Thời gian chạy"].endswith(" ms")
    keys = {b.proto.id for b in at.get("download_button")}
    assert any("wb_download_csv" in k for k in keys) and any("wb_save_page" in k for k in keys)
    assert any("wb_download_parquet" in k for k in keys) and any("wb_download_xlsx" in k for k in keys)


def test_a_long_result_is_cut_at_10000_rows_and_says_so(workbench):
    at = run_sql(workbench.run(), "select range as i from range(25000)")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Số dòng hiển thị"] == "10.000" and shown["Tổng số dòng"] == "25.000"
    assert at.warning[0].value == (
        "Đã hiển thị 10.000 dòng đầu; 15.000 dòng còn lại bị cắt. Hãy thêm điều kiện lọc hoặc gộp nhóm."
    )


def test_an_attack_gets_a_plain_refusal_and_everyone_else_is_served(workbench, tiny_base, monkeypatch):
    at = run_sql(workbench.run(), "drop view agencies")
    assert not at.exception
    assert at.error[0].value == "Chỉ được chạy câu lệnh đọc dữ liệu (SELECT). Lệnh loại DROP không được phép ở đây."
    at = run_sql(at, "select count(*) as n from agencies")
    assert at.dataframe[-1].value.values.tolist() == [[6]]
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    other.query_params.update(WEEK)
    other.run()
    assert not other.exception and not other.error
    # exchange_success_rate on the overview: 196/210 (tests/test_app.py)
    assert {m.label: m.value for m in other.metric}["Tỷ lệ giao dịch thành công"] == "93,3%"


def test_leaders_do_not_reach_the_workbench(workbench, monkeypatch):
    monkeypatch.setenv("DASHBOARD_ROLE", "leader")
    at = workbench.run()  # a leader following a /workbench link lands on the overview
    assert not at.exception
    assert at.title[0].value == "Tổng quan"
    assert not any(e.label.startswith("`agencies`") for e in at.expander)
