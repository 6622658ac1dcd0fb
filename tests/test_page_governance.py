"""AppTest of the Governance & dictionary page on a copy of the tiny fixture; expected numbers worked out by hand.

The copy (this module's `app_data`) adds only what no governance KPI counts, so test_kpis.py's sums still hold:
  - term T3 "Đảng viên chính thức" (no field is mapped to it), to search for "dang vien" without accents;
  - a central body C3 that owns nothing, for a scope with no dataset at all.
Datasets (tests/tiny_fixture.py, DATASETS / ELEMENTS):
  D1 C1  steward, master, key, operating, meta     fields EL1 T1, EL2 T2, EL3 -   -> 2/3 mapped
  D2 P1C steward, key, operating, meta             fields EL4 T1, EL5 -           -> 1/2
  D3 --  (no owner) steward, operating, no meta    fields EL6 T2                  -> 1/1
  D4 P2C no steward, operating, meta               fields EL7 -                   -> 0/1
  D5 P1X steward, operating, meta                  fields EL8 T1                  -> 1/1
  D6 C2  steward, key, building, no meta           fields EL9 T2                  -> 1/1
  D7 P1C no steward, key, retired (outside every governance count)   EL10 -, EL11 -
Dataset facts carry no date: the period changes nothing on this page.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from apptest_helpers import metrics, open_page, rows, table, traces
from streamlit.testing.v1 import AppTest
from tiny_fixture import tables

from dashboard.data.io import write_table

PAGE = "pages/leaders/governance.py"


@pytest.fixture(scope="module")
def app_data(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("governance")
    data = tables()
    t3 = (
        "T3",
        "Đảng viên chính thức",
        "Full party member",
        "Người đã qua thời gian dự bị",
        "Past probation",
        "text",
        None,
    )
    data["dictionary_terms"] = pl.concat(
        [data["dictionary_terms"], pl.DataFrame([t3], schema=data["dictionary_terms"].schema, orient="row")]
    )
    c3 = ("C3", "Cơ quan C3", "Agency C3", "central", None, None, False)
    data["agencies"] = pl.concat([data["agencies"], pl.DataFrame([c3], schema=data["agencies"].schema, orient="row")])
    for name, df in data.items():
        write_table(path, name, df)
    return path


def funnel(at: AppTest) -> dict:
    return traces(at, "funnel")[0]


def search(at: AppTest, text: str) -> AppTest:
    return at.text_input(key="governance_search").set_value(text).run()


def terms(at: AppTest) -> list[str]:
    return [r[0] for r in rows(table(at, "Thuật ngữ"))]


def test_the_cards_and_lists_show_the_hand_computed_numbers(app):
    at = open_page(app)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "Quản trị và từ điển dữ liệu"
    shown = metrics(at)
    assert shown["Tỷ lệ CSDL có chủ quản và người phụ trách"] == "66,7%"  # D1, D2, D5, D6 of D1..D6: 4/6
    assert shown["Tỷ lệ trường chuẩn hóa theo từ điển"] == "66,7%"  # EL1, 2, 4, 6, 8, 9 of EL1..EL9: 6/9
    assert shown["Tỷ lệ CSDL đủ siêu dữ liệu"] == "66,7%"  # D1, D2, D4, D5 of D1..D6: 4/6
    assert shown["Tỷ lệ CSDL trọng yếu đã vận hành"] == "66,7%"  # D1, D2 of key D1, D2, D6: 2/3
    # without an owner or a steward, retired D7 aside: D3 (no owner), D4 (no steward)
    missing = rows(table(at, "Cơ sở dữ liệu", "Còn thiếu"))
    assert [r[:4] for r in missing] == [
        ["CSDL D3", "Chưa có cơ quan chủ quản", "(chưa giao chủ quản)", "Orphan unit"],
        ["CSDL D4", "Chưa có người phụ trách", "Cơ quan P2C", "–"],
    ]


def test_datasets_by_lifecycle_stage(app):
    at = open_page(app)
    stages = rows(table(at, "Giai đoạn"))
    # planned none; building D6 (key); operating D1..D5 (key D1, D2); archived none; retired D7 (key)
    assert stages == [
        ["Dự kiến", "0", "0", "6"],  # reached at least "planned": 0 + 1 + 5
        ["Đang xây dựng", "1", "1", "6"],  # at least "building": 1 + 5
        ["Đang vận hành", "5", "2", "5"],
        ["Đã lưu trữ", "0", "0", "–"],  # outside the pipeline
        ["Đã loại bỏ", "1", "1", "–"],
    ]
    chart = funnel(at)
    assert chart["x"] == [6, 6, 5]
    assert chart["y"] == ["Đã lên kế hoạch", "Đã bắt đầu xây dựng", "Đang vận hành"]
    assert (metrics(at)["Đã lưu trữ"], metrics(at)["Đã loại bỏ"]) == ("0", "1")


def test_dictionary_coverage_by_dataset_and_by_body_lowest_first(app):
    at = open_page(app)
    by_dataset = rows(table(at, "Cơ sở dữ liệu", "Tỷ lệ chuẩn hóa"))
    # D4 0/1, D2 1/2, D1 2/3, then D3, D5, D6 at 1/1 (by name); status at 0.90 / 0.60
    assert [r[:5] for r in by_dataset] == [
        ["CSDL D4", "0,0%", "◆ Chưa đạt", "0", "1"],
        ["CSDL D2", "50,0%", "◆ Chưa đạt", "1", "2"],
        ["CSDL D1", "66,7%", "▲ Cần chú ý", "2", "3"],
        ["CSDL D3", "100,0%", "● Đạt", "1", "1"],
        ["CSDL D5", "100,0%", "● Đạt", "1", "1"],
        ["CSDL D6", "100,0%", "● Đạt", "1", "1"],
    ]
    by_body = rows(table(at, "Cơ quan chủ quản", "Tỷ lệ chuẩn hóa"))
    # P2C (D4) 0/1, P1C (D2; retired D7 left out) 1/2, C1 (D1) 2/3, then C2, P1X and the unowned D3 at 1/1
    assert [(r[0], r[5], r[1]) for r in by_body] == [
        ("Cơ quan P2C", "1", "0,0%"),
        ("Cơ quan P1C", "1", "50,0%"),
        ("Cơ quan C1", "1", "66,7%"),
        ("Cơ quan C2", "1", "100,0%"),
        ("Cơ quan P1X", "1", "100,0%"),
        ("(chưa giao chủ quản)", "1", "100,0%"),
    ]


def test_the_dictionary_lists_every_term_with_the_datasets_using_it(app):
    at = open_page(app)
    dictionary = {r[0]: r[1:] for r in rows(table(at, "Thuật ngữ"))}
    assert list(dictionary) == ["Đảng viên chính thức", "Thuật ngữ T1", "Thuật ngữ T2"]  # accent-free order: d < t
    # T1: EL1 (D1), EL4 (D2), EL8 (D5);  T2: EL2 (D1), EL6 (D3), EL9 (D6);  T3: no field
    assert dictionary["Thuật ngữ T1"] == ["Định nghĩa T1", "Văn bản", "–", "3", "CSDL D1; CSDL D2; CSDL D5"]
    assert dictionary["Thuật ngữ T2"] == ["Định nghĩa T2", "Ngày", "–", "3", "CSDL D1; CSDL D3; CSDL D6"]
    assert dictionary["Đảng viên chính thức"][3:] == ["0", "–"]


@pytest.mark.parametrize("typed", ["dang vien", "DANG VIEN", "đảng viên", "vien   dang", "Đảng"])
def test_the_search_ignores_accents_case_and_word_order(app, typed):
    at = search(open_page(app), typed)
    assert not at.exception
    assert terms(at) == ["Đảng viên chính thức"]
    assert at.query_params["q"] == typed.strip()


def test_the_search_reads_definitions_and_d_with_stroke(app):
    at = search(open_page(app), "dinh nghia t1")  # "Định nghĩa T1": đ is not an accent, it is mapped to d by hand
    assert terms(at) == ["Thuật ngữ T1"]


def test_strip_accents_alone_keeps_d_with_stroke():
    """Why the query maps đ to d itself: DuckDB's strip_accents leaves đ (a letter, not d + an accent) as it is."""
    assert duckdb.sql("select strip_accents(lower('Đảng viên'))").fetchall() == [("đang vien",)]


def test_a_search_in_the_url_is_applied_and_no_match_says_so(app):
    at = open_page(app, q="dang vien")
    assert at.text_input(key="governance_search").value == "dang vien"
    assert terms(at) == ["Đảng viên chính thức"]
    at = search(at, "khong co")
    assert "Không tìm thấy thuật ngữ nào khớp với «khong co»." in [i.value for i in at.info]
    at = search(at, "")
    assert "q" not in at.query_params
    assert len(terms(at)) == 3


def test_a_province_scope_changes_the_numbers(app):
    at = open_page(app, scope="province:P1")
    assert not at.exception
    shown = metrics(at)
    assert shown["Tỷ lệ CSDL có chủ quản và người phụ trách"] == "100,0%"  # D2, D5 (retired D7 left out): 2/2
    assert shown["Tỷ lệ trường chuẩn hóa theo từ điển"] == "66,7%"  # EL4 yes, EL5 no, EL8 yes: 2/3
    assert shown["Tỷ lệ CSDL trọng yếu đã vận hành"] == "100,0%"  # D2: 1/1
    assert [s.value for s in at.success] == ["Mọi CSDL trong phạm vi đều đã có cơ quan chủ quản và người phụ trách."]
    assert funnel(at)["x"] == [2, 2, 2]  # D2, D5 operating
    assert [(r[0], r[1]) for r in rows(table(at, "Cơ sở dữ liệu", "Tỷ lệ chuẩn hóa"))] == [
        ("CSDL D2", "50,0%"),
        ("CSDL D5", "100,0%"),
    ]
    dictionary = {r[0]: r[4:] for r in rows(table(at, "Thuật ngữ"))}
    assert dictionary["Thuật ngữ T1"] == ["2", "CSDL D2; CSDL D5"]  # D1 belongs to C1, outside P1
    assert dictionary["Thuật ngữ T2"] == ["0", "–"]


def test_a_scope_without_datasets_shows_empty_states(app):
    at = open_page(app, scope="agency:C3")
    assert not at.exception
    assert not at.error
    assert set(metrics(at).values()) == {"–"}  # every denominator is 0: no data, not 0 %
    empty = [i.value for i in at.info if i.value == "Không có dữ liệu cho bộ lọc đang chọn."]
    assert len(empty) == 4  # lifecycle, without owner, coverage by dataset and by body
    assert not at.success
    assert len(terms(at)) == 3  # the dictionary itself is shared by every scope


def test_an_empty_period_changes_nothing_but_renders(app):
    at = open_page(app, start="2025-01-06", end="2025-01-12")
    assert not at.exception
    assert not at.error
    assert metrics(at)["Tỷ lệ CSDL có chủ quản và người phụ trách"] == "66,7%"  # datasets carry no date
    assert len(rows(table(at, "Cơ sở dữ liệu", "Còn thiếu"))) == 2


def test_english(app):
    at = open_page(app, lang="en", q="dang vien")
    assert not at.exception
    assert at.title[0].value == "Governance and data dictionary"
    assert metrics(at)["Datasets with owner and steward"] == "66.7%"
    found = rows(table(at, "Term"))
    assert [r[:3] for r in found] == [["Full party member", "Past probation", "Text"]]
    missing = rows(table(at, "Dataset", "Missing"))
    assert missing[0][:3] == ["Dataset D3", "No owner body", "(no owner assigned)"]


def test_a_broken_part_shows_its_error_and_the_rest_renders(app, broken_query):
    broken_query("governance_datasets_without_owner", "owner query broke")
    at = open_page(app)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Không hiển thị được phần «CSDL chưa có cơ quan chủ quản hoặc người phụ trách». "
        "Các phần khác của trang vẫn dùng được."
    ]
    assert any("owner query broke" in c.value for c in at.code)
    assert metrics(at)["Tỷ lệ CSDL đủ siêu dữ liệu"] == "66,7%"
    assert len(terms(at)) == 3  # the dictionary below still renders
