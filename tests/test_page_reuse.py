"""AppTest of the Reuse page on the tiny fixture; expected numbers worked out by hand from tests/tiny_fixture.py.

Dossier rows in the period 2026-03-02..03-08 (dossiers/reusing, fields_total/fields_prefilled):
  K1 P1C TRANSFER 10/10 100/100   K2 P1X ADMIT 30/22 300/270   K3 P2C TRANSFER 30/6 200/60
  (K4 02-27 is before the period, K5 03-10 after it.)
Consumers other than the owner with calls_ok > 0 in the period, per operating shared dataset:
  D1 (owner C1): P1C (E1), P2C (E2) -> 2   D4 (owner P2C): P1C (E4) -> 1
  D2 (owner P1C): only P1C itself (E3) -> 0   D3 (no owner): E5 has calls_ok 0 -> 0
"""

from __future__ import annotations

from apptest_helpers import metrics, open_page, rows, table, traces
from streamlit.testing.v1 import AppTest

PAGE = "pages/leaders/reuse.py"
BY_PROCEDURE = ("Thủ tục", "Trường phải khai báo lại", "Tỷ lệ điền sẵn", "Số hồ sơ", "Tỷ lệ hồ sơ dùng lại dữ liệu")
BY_PROCEDURE = (*BY_PROCEDURE, "Cơ quan khai báo lại nhiều nhất")


def breadth_bars(at: AppTest) -> dict[str, int]:
    bars = traces(at, "bar")
    assert len(bars) == 1
    return dict(zip(bars[0]["x"], bars[0]["y"]))


def test_default_filters_show_the_hand_computed_numbers(app):
    at = open_page(app)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "Tái sử dụng dữ liệu"
    shown = metrics(at)
    assert shown["Tỷ lệ hồ sơ sử dụng lại dữ liệu"] == "54,3%"  # (10 + 22 + 6) / (10 + 30 + 30) = 38/70
    assert shown["Tỷ lệ thông tin được điền sẵn"] == "71,7%"  # (100 + 270 + 60) / (100 + 300 + 200) = 430/600
    assert shown["Tỷ lệ CSDL được từ 2 cơ quan trở lên khai thác"] == "25,0%"  # D1 of D1..D4: 1/4
    assert shown["Số trường thông tin phải khai báo lại"] == "170"  # 0 + 30 + 140
    assert shown["Ước tính số giờ tiết kiệm"] == "10 giờ"  # 38 dossiers * 15 min / 60 = 9.5 h, shown in whole hours
    assert at.number_input(key="reuse_minutes").value == 15
    assert "minutes" not in at.query_params  # the default stays out of the URL
    notes = " ".join(c.value for c in at.caption)
    assert "ước tính" in notes and "15 phút" in notes  # labelled as an estimate, with the assumption
    formulas = " ".join(m.value for m in at.markdown)
    assert "× 15 phút ÷ 60" in formulas


def test_hotspots_by_procedure_and_by_body(app):
    at = open_page(app)
    procedures = table(at, "Thủ tục")
    assert tuple(procedures.columns) == BY_PROCEDURE
    assert rows(procedures) == [
        # TRANSFER: K1 (100 - 100) + K3 (200 - 60) = 140; (100 + 60)/300; 40 dossiers; (10 + 6)/40; P2C declares 140
        ["Thủ tục TRANSFER", "140", "53,3%", "40", "40,0%", "Cơ quan P2C"],
        # ADMIT: K2 300 - 270 = 30; 270/300; 30 dossiers; 22/30
        ["Thủ tục ADMIT", "30", "90,0%", "30", "73,3%", "Cơ quan P1X"],
    ]
    bodies = table(at, "Cơ quan")
    assert [r[0] for r in rows(bodies)] == ["Cơ quan P2C", "Cơ quan P1X", "Cơ quan P1C"]  # 140, 30, 0 fields again
    assert rows(bodies)[0][1:5] == ["Cấp tỉnh", "Tỉnh P2", "140", "30,0%"]  # K3: 60/200 pre-filled


def test_reuse_breadth_distribution(app):
    at = open_page(app)
    # consumers: D2 0, D3 0, D4 1, D1 2
    assert breadth_bars(at) == {"0": 2, "1": 1, "2": 1, "3-5": 0, "6-10": 0, "11-50": 0, "51+": 0}
    datasets = table(at, "Cơ sở dữ liệu")
    assert sorted(rows(datasets), key=lambda r: r[0]) == [
        ["CSDL D1", "Cơ quan C1", "2"],
        ["CSDL D2", "Cơ quan P1C", "0"],
        ["CSDL D3", "(chưa giao chủ quản)", "0"],
        ["CSDL D4", "Cơ quan P2C", "1"],
    ]


def test_the_minutes_assumption_is_adjustable_and_kept_in_the_url(app):
    at = open_page(app, minutes="30")
    assert at.number_input(key="reuse_minutes").value == 30
    assert metrics(at)["Ước tính số giờ tiết kiệm"] == "19 giờ"  # 38 dossiers * 30 min / 60
    assert "× 30 phút ÷ 60" in " ".join(m.value for m in at.markdown)  # the card's formula shows the assumption
    at.number_input(key="reuse_minutes").set_value(60).run()
    assert not at.exception
    assert metrics(at)["Ước tính số giờ tiết kiệm"] == "38 giờ"  # 38 * 60 / 60
    assert at.query_params["minutes"] == "60"


def test_a_bad_minutes_value_in_the_url_falls_back_to_the_default(app):
    at = open_page(app, minutes="-5")
    assert not at.exception
    assert at.number_input(key="reuse_minutes").value == 15


def test_a_province_scope_changes_the_numbers(app):
    at = open_page(app, scope="province:P1")
    assert not at.exception
    shown = metrics(at)
    assert shown["Tỷ lệ hồ sơ sử dụng lại dữ liệu"] == "80,0%"  # K1 + K2: 32/40
    assert shown["Tỷ lệ thông tin được điền sẵn"] == "92,5%"  # 370/400
    assert shown["Tỷ lệ CSDL được từ 2 cơ quan trở lên khai thác"] == "0,0%"  # D2 has no consumer but its owner
    assert shown["Số trường thông tin phải khai báo lại"] == "30"  # K2 only: 300 - 270
    assert shown["Ước tính số giờ tiết kiệm"] == "8 giờ"  # 32 * 15 / 60
    assert [r[:2] for r in rows(table(at, "Thủ tục"))] == [["Thủ tục ADMIT", "30"], ["Thủ tục TRANSFER", "0"]]
    assert [r[0] for r in rows(table(at, "Cơ quan"))] == ["Cơ quan P1X", "Cơ quan P1C"]  # P2C is out of scope
    assert breadth_bars(at) == {"0": 1, "1": 0, "2": 0, "3-5": 0, "6-10": 0, "11-50": 0, "51+": 0}  # D2 only


def test_an_empty_period_shows_the_empty_state(app):
    at = open_page(app, start="2025-01-06", end="2025-01-12")
    assert not at.exception
    assert not at.error
    shown = metrics(at)
    assert shown["Tỷ lệ hồ sơ sử dụng lại dữ liệu"] == "–"  # no dossier: no data
    assert shown["Ước tính số giờ tiết kiệm"] == "0 giờ"  # a count over no rows is 0
    empty = [i.value for i in at.info if i.value == "Không có dữ liệu cho bộ lọc đang chọn."]
    assert len(empty) == 3  # trend, hotspots by procedure, by body
    assert breadth_bars(at) == {
        "0": 4,
        "1": 0,
        "2": 0,
        "3-5": 0,
        "6-10": 0,
        "11-50": 0,
        "51+": 0,
    }  # the datasets exist, none used


def test_english(app):
    at = open_page(app, lang="en")
    assert not at.exception
    assert at.title[0].value == "Data reuse"
    assert metrics(at)["Estimated hours saved"] == "10 h"  # 9.5 h in whole hours
    assert rows(table(at, "Procedure"))[0][:3] == ["Procedure TRANSFER", "140", "53.3%"]


def test_a_broken_part_shows_its_error_and_the_rest_renders(app, broken_query):
    broken_query("reuse_hotspots_by_procedure", "hotspots query broke")
    at = open_page(app)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Không hiển thị được phần «Điểm nóng khai báo lại: ở đâu vẫn phải khai báo lại nhiều trường nhất?». "
        "Các phần khác của trang vẫn dùng được."
    ]
    assert any("hotspots query broke" in c.value for c in at.code)
    assert metrics(at)["Tỷ lệ hồ sơ sử dụng lại dữ liệu"] == "54,3%"  # the cards still show
    assert breadth_bars(at)["2"] == 1  # and so does the breadth part below the broken one
