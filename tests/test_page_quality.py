"""AppTest of the quality page on the tiny fixture; every expected number is worked out by hand below.

Latest check per (dataset, rule) as of 2026-03-08 (tests/tiny_fixture.py, CHECKS; R1 weighs 2, the rest 1):
  D1 (owner C1):  R1 95/100 (03-05; the 03-10 check is after end)  R2 80/100  R3 100/100  R4 90/100  R5 100/100
  D2 (owner P1C): R1 45/50 (02-20 beats 02-10)  R3 150/200 (03-04)  - no clean, no live check
  D3 (no owner):  R4 50/100 (03-06)  - only in scope "all"
  D4 (owner P2C): R1 10/10  R2 10/10  R3 10/10  R4 10/10  R5 9/10 (03-03)
  D5 (owner P1X): its only check is 03-09, after end: not checked as of 03-08
Per dataset and criterion (correct / sufficient / clean / live):
  D1: (2*95+80)/(2*100+100) = 0.9,  1.0,  0.9,  1.0   -> group 1 (all four >= 0.90)
  D2: 2*45/(2*50) = 0.9,  150/200 = 0.75,  -,  -      -> group 2 (none < 0.75; clean/live missing)
  D3: -,  -,  50/100 = 0.5,  -                        -> group 3 (0.5 < 0.75)
  D4: 1.0,  1.0,  1.0,  9/10 = 0.9                    -> group 1
"""

from __future__ import annotations

import pytest
from apptest_helpers import figures, first_table_with, metrics, pct, traces
from streamlit.testing.v1 import AppTest

PAGE = "pages/leaders/quality.py"


def heatmap(at: AppTest) -> dict:
    return traces(at, "heatmap")[0]


def test_the_fixture_numbers_in_vietnamese(app):
    at = app.run()
    assert not at.exception
    assert not at.error
    shown = metrics(at)
    # R1, R2 on D1, R1 on D2, R1, R2 on D4: 390/430 = 90,7%
    assert shown["Đúng"] == pct((2 * 95 + 80 + 2 * 45 + 2 * 10 + 10) / (2 * 100 + 100 + 2 * 50 + 2 * 10 + 10))
    assert shown["Đủ"] == pct((100 + 150 + 10) / (100 + 200 + 10))  # R3 on D1, D2, D4: 260/310 = 83,9%
    assert shown["Sạch"] == pct((90 + 50 + 10) / (100 + 100 + 10))  # R4 on D1, D3, D4: 150/210 = 71,4%
    assert shown["Sống"] == pct((100 + 9) / (100 + 10))  # R5 on D1, D4: 109/110 = 99,1%
    assert shown["Chỉ số chất lượng dữ liệu"] == pct((390 / 430 + 260 / 310 + 150 / 210 + 109 / 110) / 4)  # 86,3%
    assert shown["Tỷ lệ CSDL đạt «đúng, đủ, sạch, sống»"] == pct(2 / 4)  # D1, D4 ready of D1..D4 checked
    # readiness groups: 1 = D1, D4;  2 = D2;  3 = D3
    assert (shown["Nhóm 1"], shown["Nhóm 2"], shown["Nhóm 3"]) == ("2", "1", "1")
    groups = [d.value for d in at.dataframe if "Cơ quan chủ quản" in d.value.columns]
    assert [list(g["Cơ sở dữ liệu"]) for g in groups] == [["CSDL D1", "CSDL D4"], ["CSDL D2"], ["CSDL D3"]]
    assert list(groups[2]["Cơ quan chủ quản"]) == ["(chưa giao chủ quản)"]  # D3 has no owner
    assert list(groups[1]["Cơ quan chủ quản"]) == ["Cơ quan P1C"]


def test_the_heatmap_shows_each_datasets_criteria_worst_first(app):
    at = app.run()
    heat = heatmap(at)
    # order: group 3 (D3), group 2 (D2), then group 1 by index: D1 (0.9+1+0.9+1)/4 = 0.95 < D4 (1+1+1+0.9)/4
    assert heat["y"] == ["CSDL D3", "CSDL D2", "CSDL D1", "CSDL D4"]
    assert heat["x"] == ["Đúng", "Đủ", "Sạch", "Sống"]
    assert heat["text"][0] == ["–", "–", "50,0%", "–"]  # D3: clean 50/100 only
    assert heat["text"][1] == ["90,0%", "75,0%", "–", "–"]  # D2: 2*45/(2*50), 150/200
    # colour band: 0 red (< 0.75), 1 amber, 2 green (>= 0.90); no value -> no colour
    assert heat["z"][1] == [2, 1, None, None]  # 0.9 is green, 0.75 is amber (boundaries count upwards)


def test_the_trend_ends_at_the_cards_value(app):
    at = app.run()
    trend = next(c for c in figures(at) if any(t.get("name") == "Đúng" for t in c["data"]))
    correct = next(t for t in trend["data"] if t["name"] == "Đúng")
    # as of each Sunday: 02-15 only D2/R1 02-10 20/50 -> 0.4; 02-22 and 03-01 D2/R1 02-20 45/50 -> 0.9;
    # 03-08 (the period's end) all "correct" checks -> 390/430, the card's value. Earlier weeks: no check yet.
    assert dict(zip(correct["x"], correct["y"])) == pytest.approx(
        {"2026-02-15": 0.4, "2026-02-22": 0.9, "2026-03-01": 0.9, "2026-03-08": 390 / 430}
    )
    sufficient = next(t for t in trend["data"] if t["name"] == "Đủ")
    assert dict(zip(sufficient["x"], sufficient["y"])) == pytest.approx({"2026-03-08": 260 / 310})


def test_the_worst_rules_rank_by_pass_rate(app):
    at = app.run()
    rules = first_table_with(at, "Số CSDL đạt dưới 90%")
    # pass rate over latest checks: R4 150/210 = 71,4%, R2 (80+10)/(100+10) = 81,8%, R3 260/310 = 83,9%,
    # R1 (95+45+10)/(100+50+10) = 93,8%, R5 109/110 = 99,1%
    assert list(rules["Quy tắc"]) == ["Quy tắc R4", "Quy tắc R2", "Quy tắc R3", "Quy tắc R1", "Quy tắc R5"]
    first = rules.iloc[0]
    assert (first["Tiêu chí"], first["Khía cạnh"], first["Tỷ lệ đạt"]) == ("Sạch", "Không trùng lặp", "71,4%")
    # R4 fails 10 records on D1 and 50 on D3; D1 passes 90/100, not below 90%, D3 passes 50/100 -> 1 dataset
    assert (first["Số CSDL đạt dưới 90%"], first["Số bản ghi không đạt"]) == ("1", "60")
    # R1: D1 95/100, D2 45/50 = 0.9 exactly, D4 10/10: none below 90%; 5 + 5 records failed
    r1 = rules[rules["Quy tắc"] == "Quy tắc R1"].iloc[0]
    assert (r1["Tỷ lệ đạt"], r1["Số CSDL đạt dưới 90%"], r1["Số bản ghi không đạt"]) == ("93,8%", "0", "10")


def test_a_province_scope_keeps_only_its_datasets(app):
    at = app.run()
    at.selectbox(key="f_scope").set_value("province:P1").run()
    assert not at.exception
    shown = metrics(at)
    # P1 owns D2, D5 (and the retired D7, never checked); D5's only check is after end -> D2 alone
    assert shown["Đúng"] == pct(2 * 45 / (2 * 50))  # 90,0%
    assert shown["Đủ"] == pct(150 / 200)  # 75,0%
    assert shown["Sạch"] == shown["Sống"] == "–"  # no clean or live check on a P1 dataset
    assert shown["Chỉ số chất lượng dữ liệu"] == pct((0.9 + 0.75) / 2)  # 82,5%
    assert shown["Tỷ lệ CSDL đạt «đúng, đủ, sạch, sống»"] == pct(0 / 1)
    assert (shown["Nhóm 1"], shown["Nhóm 2"], shown["Nhóm 3"]) == ("0", "1", "0")
    assert heatmap(at)["y"] == ["CSDL D2"]
    rules = first_table_with(at, "Số CSDL đạt dưới 90%")
    assert list(rules["Quy tắc"]) == ["Quy tắc R3", "Quy tắc R1"]  # 150/200 = 75,0%, then 45/50 = 90,0%
    assert list(rules["Tỷ lệ đạt"]) == ["75,0%", "90,0%"]


def test_the_dataset_detail_follows_the_url(app):
    app.query_params["dataset"] = "D1"
    at = app.run()
    assert not at.exception
    assert at.selectbox(key="quality_dataset").value == "D1"
    rules = first_table_with(at, "Lần kiểm tra gần nhất")
    # D1's latest checks (03-05; the R1 check of 03-10 is after end): R2 80/100, R4 90/100, R1 95/100, R3, R5 100/100
    assert list(rules["Quy tắc"]) == ["Quy tắc R2", "Quy tắc R4", "Quy tắc R1", "Quy tắc R3", "Quy tắc R5"]
    assert list(rules["Tỷ lệ đạt"]) == ["80,0%", "90,0%", "95,0%", "100,0%", "100,0%"]
    assert set(rules["Lần kiểm tra gần nhất"]) == {"05/03/2026"}
    assert at.query_params["dataset"] == "D1"
    at.selectbox(key="quality_dataset").set_value("D4").run()
    assert at.query_params["dataset"] == "D4"
    assert first_table_with(at, "Lần kiểm tra gần nhất")["Tỷ lệ đạt"].iloc[0] == "90,0%"  # D4/R5 9/10 is its worst rule


def test_without_a_dataset_in_the_url_the_worst_one_opens(app):
    at = app.run()
    assert at.selectbox(key="quality_dataset").value == "D3"  # group 3, the only one
    assert at.query_params["dataset"] == "D3"


def test_english_labels_and_number_format(app):
    app.query_params["lang"] = "en"
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Data quality: correct - sufficient - clean - live"
    shown = metrics(at)
    assert shown["Correct"] == "90.7%"  # 390/430
    assert shown["Group 3"] == "1"
    assert heatmap(at)["text"][1] == ["90.0%", "75.0%", "–", "–"]
    assert first_table_with(at, "Datasets below 90%")["Dimension"].iloc[0] == "Uniqueness"


def test_an_empty_period_shows_empty_states(app):
    app.query_params.update({"start": "2025-01-06", "end": "2025-01-12"})  # before the first check (2026-02-10)
    at = app.run()
    assert not at.exception
    assert not at.error
    shown = metrics(at)
    assert shown["Đúng"] == "–"
    assert (shown["Nhóm 1"], shown["Nhóm 2"], shown["Nhóm 3"]) == ("0", "0", "0")
    assert not at.get("plotly_chart")
    infos = [i.value for i in at.info]
    # trend, heatmap and dataset detail say nothing was checked; the group tabs and the rules table are empty
    assert infos.count("Chưa có CSDL nào trong phạm vi được kiểm tra chất lượng tính đến ngày cuối kỳ.") == 3
    assert infos.count("Không có dữ liệu cho bộ lọc đang chọn.") == 4


def test_a_broken_part_shows_its_own_error_and_the_rest_renders(app, monkeypatch):
    from dashboard.web import charts as chart_module

    def broken(*args, **kwargs):
        raise RuntimeError("heatmap exploded")

    monkeypatch.setattr(chart_module, "criteria_heatmap", broken)
    at = app.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Không hiển thị được phần «CSDL theo bốn tiêu chí: ô đỏ là chỗ cần xử lý trước». "
        "Các phần khác của trang vẫn dùng được."
    ]
    assert any("heatmap exploded" in c.value for c in at.code)
    assert metrics(at)["Nhóm 3"] == "1"  # the parts after it still render
    assert first_table_with(at, "Số CSDL đạt dưới 90%").shape[0] == 5


def test_the_dataset_leaves_the_url_with_the_page(app):
    app.query_params["dataset"] = "D1"
    at = app.run()
    assert at.query_params["dataset"] == "D1"
    at.switch_page("pages/leaders/overview.py").run()
    assert not at.exception
    assert "dataset" not in at.query_params
    assert at.query_params["start"] == "2026-03-02"  # the global filters stay
