"""AppTest of the Roadmap page on a copy of the tiny fixture; every expected number is worked out by hand below.

The copy (this module's `app_data`) changes only what the KPIs never read, so test_kpis.py's sums still hold:
  - RM5 moves to pillar "governance" (phase stays 2025-2026), RM6 to pillar "governance" and phase 2026-2028,
    so that grouping by phase and by pillar give different rows;
  - notes: RM5's update of 02-23 says "Chờ phê duyệt kinh phí", its (after-end) update of 03-09 "Đã xong".
Items (tests/tiny_fixture.py, ITEMS/UPDATES), as of the period's end 2026-03-08; RM1 is a parent, never shown:
  RM1a C1   w2 task 01-01..03-31  50 % in progress (03-02; 03-09's 90 % is after end)  planned 66/89
  RM1b P1C  w1 mile 02-01..02-28  cancelled (02-16)
  RM2  P1C  w3 task 03-01..03-31   0 % no update -> not started                      planned 7/30
  RM3  P1X  w1 mile 02-01..03-05 100 % done 03-04 (on time)                          planned 1
  RM4  P2C  w1 mile 02-01..02-20 100 % done 02-25 (late by 5 days)                   planned 1
  RM5  C2   w2 mile 01-15..03-01  60 % in progress (03-09's "done" is after end): overdue 03-08 - 03-01 = 7 days
  RM6  P2C  w1 mile 04-01..05-31  10 % in progress (started early)                    planned 0
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from apptest_helpers import figures, metrics, open_page, pct, rows, table
from streamlit.testing.v1 import AppTest
from tiny_fixture import tables

from dashboard.data.io import write_table

PAGE = "pages/leaders/roadmap.py"
PLANNED_RM1A, PLANNED_RM2 = 66 / 89, 7 / 30


@pytest.fixture(scope="module")
def app_data(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("roadmap")
    data = tables()
    items = data["roadmap_items"]
    data["roadmap_items"] = items.with_columns(
        pillar=pl.when(pl.col("item_id").is_in(["RM5", "RM6"])).then(pl.lit("governance")).otherwise("pillar"),
        phase=pl.when(pl.col("item_id") == "RM6").then(pl.lit("2026-2028")).otherwise("phase"),
    )
    updates = data["roadmap_updates"]
    note = (
        pl.when((pl.col("item_id") == "RM5") & (pl.col("week_start") == pl.date(2026, 2, 23)))
        .then(pl.lit("Chờ phê duyệt kinh phí"))
        .when((pl.col("item_id") == "RM5") & (pl.col("week_start") == pl.date(2026, 3, 9)))
        .then(pl.lit("Đã xong"))
        .otherwise("note_vi")
    )
    data["roadmap_updates"] = updates.with_columns(note_vi=note)
    for name, df in data.items():
        write_table(path, name, df)
    return path


def gantt(at: AppTest) -> dict:
    return next(s for s in figures(at) if s["layout"].get("barmode"))


def test_the_cards_and_tables_show_the_hand_computed_numbers(app):
    at = open_page(app)
    assert not at.exception
    assert not at.error
    assert at.title[0].value == "Lộ trình 2025-2030"
    shown = metrics(at)
    earned = 2 * 0.5 + 3 * 0 + 1 * 1 + 1 * 1 + 2 * 0.6 + 1 * 0.1  # RM1a, RM2, RM3, RM4, RM5, RM6 = 4.3
    planned = 2 * PLANNED_RM1A + 3 * PLANNED_RM2 + 1 + 1 + 2 * 1 + 1 * 0
    assert shown["Tiến độ lộ trình"] == pct(earned / (2 + 3 + 1 + 1 + 2 + 1))  # 43,0%
    assert shown["Chỉ số tiến độ so với kế hoạch (SPI)"] == pct(earned / planned)  # 69,5%
    assert shown["Tỷ lệ mốc hoàn thành đúng hạn"] == pct(1 / 3)  # RM3 on time of RM3, RM4, RM5 (due by 03-08)
    assert shown["Số nhiệm vụ quá hạn"] == "1"  # RM5


def test_progress_by_phase_and_by_pillar(app):
    at = open_page(app)
    by_phase = rows(table(at, "Giai đoạn"))
    # 2025-2026: RM1a, RM2, RM3, RM4, RM5 (RM1b cancelled): earned 1 + 0 + 1 + 1 + 1.2 = 4.2 of weight 9
    early_planned = 2 * PLANNED_RM1A + 3 * PLANNED_RM2 + 1 + 1 + 2
    assert by_phase[0] == [
        "2025-2026: Hành lang pháp lý và CSDL trọng yếu",
        pct(4.2 / 9),  # 46,7%
        pct(early_planned / 9),
        pct(4.2 / early_planned),  # 67,9%: below 0.85 -> red
        "◆ Chưa đạt",
        "5",
        "1",  # RM5
    ]
    # 2026-2028: RM6 alone, 10 % of weight 1, planned fraction 0 -> SPI has no value
    assert by_phase[1] == ["2026-2028: Tích hợp và phân tích", "10,0%", "0,0%", "–", "○ Không có dữ liệu", "1", "0"]
    by_pillar = {r[0]: r[1:4] for r in rows(table(at, "Trụ cột"))}
    strategy_planned = 2 * PLANNED_RM1A + 3 * PLANNED_RM2 + 1 + 1  # RM1a, RM2, RM3, RM4
    assert by_pillar["Chiến lược"] == [pct(3 / 7), pct(strategy_planned / 7), pct(3 / strategy_planned)]
    # governance: RM5 (w2, 60 %, planned 1) and RM6 (w1, 10 %, planned 0): 1.3 / 3 and 1.3 / 2
    assert by_pillar["Quản trị"] == [pct(1.3 / 3), pct(2 / 3), pct(1.3 / 2)]


def test_milestones_say_on_time_late_or_overdue_in_words(app):
    at = open_page(app)
    milestones = rows(table(at, "Mốc"))
    # by due date: RM4 02-20, RM1b 02-28, RM5 03-01, RM3 03-05, RM6 05-31
    assert [r[:5] for r in milestones] == [
        ["Nhiệm vụ RM4", "20/02/2026", "25/02/2026", "▲ Hoàn thành muộn", "5"],  # done 02-25 - due 02-20
        ["Nhiệm vụ RM1b", "28/02/2026", "–", "✕ Đã hủy", "–"],
        ["Nhiệm vụ RM5", "01/03/2026", "–", "◆ Quá hạn", "7"],  # 03-08 - 03-01
        ["Nhiệm vụ RM3", "05/03/2026", "04/03/2026", "● Đúng hạn", "–"],
        ["Nhiệm vụ RM6", "31/05/2026", "–", "○ Chưa đến hạn", "–"],
    ]
    assert milestones[2][5] == "Cơ quan C2"


def test_overdue_items_name_the_owner_and_the_days(app):
    at = open_page(app)
    overdue = rows(table(at, "Nhiệm vụ"))
    assert overdue == [["Nhiệm vụ RM5", "Cơ quan C2", "7", "01/03/2026", "Đang thực hiện", "60,0%", "Mốc"]]


def test_the_timeline_marks_status_in_words_and_the_as_of_date(app):
    at = open_page(app)
    spec = gantt(at)
    legend = {t["name"] for t in spec["data"] if t.get("showlegend") is not False and t.get("name")}
    # statuses present as of 03-08 among the leaf items, plus the milestone shape
    # ... and the dashed as-of line, named in the legend (not on the chart, where it ran into a pillar's header)
    assert legend == {
        "Hoàn thành",
        "Đang thực hiện",
        "Chưa bắt đầu",
        "Đã hủy",
        "Mốc (hình thoi)",
        "Ngày cuối kỳ 08/03/2026",
    }
    # the words beside the bars: the items on time in the theme's text colour (no colour of their own, so they
    # read in the light and the dark theme), the overdue ones in red
    on_time, late = [
        t for t in spec["data"] if t.get("mode") == "text" and "textposition" in t and t["hoverinfo"] == "skip"
    ]
    assert late["text"] == ["⚠ Quá hạn 7 ngày · 60%"] and late["textfont"]["color"] == "#c0392b"  # RM5
    assert "Chưa bắt đầu · 0%" in on_time["text"] and "color" not in on_time["textfont"]  # RM2
    assert len(on_time["text"]) == 6  # RM1a, RM1b, RM2, RM3, RM4, RM6 (RM1 is a parent; RM5 is late)
    assert not spec["layout"].get("annotations")  # no text drawn over the rows
    line = next(sh for sh in spec["layout"]["shapes"] if sh["type"] == "line")
    assert line["x0"].startswith("2026-03-08") and line["line"]["dash"] == "dash"


def test_the_item_detail_opens_the_most_overdue_item_with_its_notes(app):
    at = open_page(app)
    assert at.selectbox(key="roadmap_item").value == "RM5"
    assert at.query_params["item"] == "RM5"
    updates = rows(table(at, "Tuần báo cáo"))
    # only the 02-23 update is on or before 03-08; 03-09's "Đã xong" is after the end
    assert updates == [["23/02/2026", "Đang thực hiện", "60,0%", "Chờ phê duyệt kinh phí", "–"]]


def test_an_item_in_the_url_opens_its_detail_and_the_choice_goes_to_the_url(app):
    at = open_page(app, item="RM1a")
    assert at.selectbox(key="roadmap_item").value == "RM1a"
    assert [r[0] for r in rows(table(at, "Tuần báo cáo"))] == [
        "02/03/2026",
        "23/02/2026",
    ]  # latest first; 03-09 after end
    at.selectbox(key="roadmap_item").set_value("RM2").run()
    assert at.query_params["item"] == "RM2"
    assert "Nhiệm vụ này chưa có báo cáo tiến độ nào" in " ".join(i.value for i in at.info)  # RM2 has no update


def test_a_province_scope_keeps_only_its_items(app):
    at = open_page(app, scope="province:P1")
    assert not at.exception
    shown = metrics(at)
    # P1 items: RM1b (P1C, cancelled), RM2 (P1C, w3, 0 %, planned 7/30), RM3 (P1X, w1, 100 %, planned 1)
    assert shown["Tiến độ lộ trình"] == pct(1 / 4)
    assert shown["Chỉ số tiến độ so với kế hoạch (SPI)"] == pct(1 / (3 * PLANNED_RM2 + 1))  # 58,8%
    assert shown["Tỷ lệ mốc hoàn thành đúng hạn"] == pct(1 / 1)
    assert shown["Số nhiệm vụ quá hạn"] == "0"
    assert [s.value for s in at.success] == ["Không có nhiệm vụ nào quá hạn tính đến ngày cuối kỳ."]
    assert [r[0] for r in rows(table(at, "Mốc"))] == ["Nhiệm vụ RM1b", "Nhiệm vụ RM3"]
    assert rows(table(at, "Giai đoạn"))[0][1] == pct(1 / 4)  # one phase only: 2025-2026
    assert len(table(at, "Giai đoạn")) == 1


def test_an_empty_period_shows_empty_states(app):
    at = open_page(app, start="2025-01-06", end="2025-01-12")
    assert not at.exception
    assert not at.error
    shown = metrics(at)
    # as of 2025-01-12 nothing has started: no update yet, every planned window still ahead
    assert shown["Tiến độ lộ trình"] == "0,0%"  # 0 / 10
    assert shown["Chỉ số tiến độ so với kế hoạch (SPI)"] == "–"  # planned 0 -> no data
    assert shown["Tỷ lệ mốc hoàn thành đúng hạn"] == "–"  # no milestone due yet
    assert shown["Số nhiệm vụ quá hạn"] == "0"
    assert [s.value for s in at.success] == ["Không có nhiệm vụ nào quá hạn tính đến ngày cuối kỳ."]
    assert {r[3] for r in rows(table(at, "Mốc"))} == {"○ Chưa đến hạn"}
    assert any("chưa có báo cáo tiến độ" in i.value for i in at.info)


def test_english_says_the_notes_are_in_vietnamese(app):
    at = open_page(app, lang="en")
    assert not at.exception
    assert at.title[0].value == "Roadmap 2025-2030"
    assert metrics(at)["Overdue items"] == "1"
    assert "The notes in progress reports are written in Vietnamese." in [c.value for c in at.caption]
    assert rows(table(at, "Report week"))[0][3] == "Chờ phê duyệt kinh phí"
    assert rows(table(at, "Item"))[0][2] == "7"


def test_a_broken_part_shows_its_error_and_the_rest_renders(app, broken_query):
    broken_query("roadmap_milestones", "milestones query broke")
    at = open_page(app)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Không hiển thị được phần «Các mốc: mốc nào hoàn thành đúng hạn, mốc nào trễ?». "
        "Các phần khác của trang vẫn dùng được."
    ]
    assert any("milestones query broke" in c.value for c in at.code)
    assert metrics(at)["Số nhiệm vụ quá hạn"] == "1"
    assert rows(table(at, "Nhiệm vụ"))[0][0] == "Nhiệm vụ RM5"  # the overdue part below still renders
