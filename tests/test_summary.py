"""The week in words (dashboard/engine/summary.py): exact sentences in Vietnamese and English.

Every number below is worked out by hand from metrics.md (and, for the tiny fixture, from the rows of
tests/tiny_fixture.py, named as in tests/test_kpis.py), never copied from the code's output:
- the rules on hand-made inputs (status changes first, turned red, a slipped milestone, provinces, newly off pace,
  the cap of six, no comparison, an empty week);
- the whole summary of the tiny fixture's week 2026-03-02 .. 2026-03-08 (previous: 02-23 .. 03-01), from the data,
  on the overview (AppTest) and as the first section of the weekly report (XLSX cover, HTML, PDF);
- a target newly off pace on the pace fixture (tests/pace_fixture.py) with one extra target.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest
from snapshot_helpers import TODAY, fresh_base, write_pages

from dashboard.data.io import write_table
from dashboard.engine import summary
from dashboard.engine.kpis import KPIS
from dashboard.engine.summary import Inputs, Milestone, Province, sentences
from dashboard.period import Period
from dashboard.scope import Scope

PAGE = "pages/leaders/overview.py"
WEEK = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))


def kpi_frame(values: dict[str, tuple[float | None, float | None]], with_previous: bool = True) -> pl.DataFrame:
    """kpi_id, value, previous_value for every KPI of the catalogue: the given (value, previous), else nulls."""
    rows = [(k.id, *values.get(k.id, (None, None))) for k in KPIS]
    frame = pl.DataFrame(
        rows, schema={"kpi_id": pl.String, "value": pl.Float64, "previous_value": pl.Float64}, orient="row"
    )
    return frame if with_previous else frame.drop("previous_value")


def pace_frame(rows: list[tuple[str, str, float | None, float | None, dt.date | None]]) -> pl.DataFrame:
    """compute_pace's columns the summary reads: kpi_id, status, current_value, target_value, target_date."""
    schema = {
        "kpi_id": pl.String,
        "status": pl.String,
        "current_value": pl.Float64,
        "target_value": pl.Float64,
        "target_date": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


# ---- the rules, on hand-made inputs ---------------------------------------------------------------------------

# (value, previous value); thresholds green / amber from metrics.md
FULL_WEEK = {
    "sharing_coverage": (0.85, 0.70),  # green (>= 0.80) from amber (>= 0.50): +15.0 points, status changed
    "exchange_success_rate": (0.97, 0.995),  # amber (>= 0.95) from green (>= 0.99): -2.5 points, status changed
    "dossier_reuse_rate": (0.60, 0.30),  # amber (>= 0.50) from red: +30.0 points, status changed
    "prefill_rate": (0.50, 0.90),  # amber (>= 0.42, < 0.92) both weeks: -40.0 points, no status change
    "connected_agencies": (0.50, 0.70),  # red (< 0.60) from amber: turned red (its own sentence, not a move)
    "quality_index": (0.80, 0.80),  # amber both weeks, no change: not a move
    "roadmap_progress": (0.40, 0.35),  # no threshold: +5.0 points, no status change
    "records_exchanged": (2000.0, 1000.0),  # a count: never a move (points and counts do not compare)
}
MILESTONES = (
    Milestone({"vi": "Mốc A", "en": "Milestone A"}, {"vi": "Ban X", "en": "Board X"}, dt.date(2026, 3, 4), "overdue"),
    Milestone({"vi": "Mốc B", "en": "Milestone B"}, {"vi": None, "en": None}, dt.date(2026, 6, 30), "blocked"),
)
PROVINCES = (  # in no particular order: the summary ranks them (red desc, amber desc, code)
    Province("P3", {"vi": "Tỉnh 3", "en": "Province 3"}, 0, 0),  # nothing off: never named
    Province("P5", {"vi": "Tỉnh 5", "en": "Province 5"}, 1, 2),  # ties with P1: P1 first by code, and 4th: left out
    Province("P1", {"vi": "Tỉnh 1", "en": "Province 1"}, 1, 2),
    Province("P2", {"vi": "Tỉnh 2", "en": "Province 2"}, 1, 3),
    Province("P4", {"vi": "Tỉnh 4", "en": "Province 4"}, 3, 0, late=True),
)
END = dt.date(2026, 3, 8)
PACE_NOW = pace_frame(
    [
        ("sharing_coverage", "reached", 0.85, 0.80, dt.date(2026, 12, 31)),
        ("exchange_success_rate", "off_pace", 0.97, 0.995, dt.date(2026, 12, 31)),  # was no_trend: new
        ("connected_agencies", "off_pace", 0.50, 0.90, dt.date(2028, 12, 31)),  # was reached: new
        ("dossier_reuse_rate", "off_pace", 0.60, 0.80, dt.date(2026, 12, 31)),  # was off_pace already: not new
        ("prefill_rate", "off_pace", 0.50, 0.92, dt.date(2030, 12, 31)),  # was on_pace: new
        ("quality_index", "off_pace", 0.80, 0.90, dt.date(2026, 12, 31)),  # no row a week before: new (4th)
    ]
)
PACE_BEFORE = pace_frame(
    [
        ("sharing_coverage", "reached", 0.84, 0.80, dt.date(2026, 12, 31)),
        ("exchange_success_rate", "no_trend", 0.99, 0.995, dt.date(2026, 12, 31)),
        ("connected_agencies", "reached", 0.95, 0.90, dt.date(2026, 3, 5)),
        ("dossier_reuse_rate", "off_pace", 0.58, 0.80, dt.date(2026, 12, 31)),
        ("prefill_rate", "on_pace", 0.88, 0.92, dt.date(2030, 12, 31)),
    ]
)


def test_a_full_week_in_english_six_sentences_in_their_order():
    inputs = Inputs(kpi_frame(FULL_WEEK), MILESTONES, PROVINCES, PACE_NOW, PACE_BEFORE)
    assert sentences(inputs, "en") == [
        # statuses: green = sharing_coverage; amber = exchange_success_rate, dossier_reuse_rate, prefill_rate,
        # quality_index; red = connected_agencies -> 1, 4, 1
        "This period: Datasets shared through APIs 85.0%; Dossiers reusing data 60.0%; Data quality index 80.0%; "
        "Roadmap progress 40.0% (indicators: 1 On track, 4 Needs attention, 1 Off track).",
        # status changes first, largest first: dossier +30.0, sharing +15.0, success -2.5; then prefill -40.0
        # (the two largest rises are both status changes; the falls: success (changed) then prefill; roadmap
        # progress +5.0 is a third rise: left out)
        "Biggest changes against the previous period: Dossiers reusing data +30.0 pts (Off track → Needs attention); "
        "Datasets shared through APIs +15.0 pts (Needs attention → On track); "
        "Successful exchanges -2.5 pts (On track → Needs attention); Fields pre-filled -40.0 pts.",
        "Turned “Off track”: Agencies connected 50.0%.",
        "Milestones that slipped in the period: Milestone A (Board X, due 4 Mar 2026); "
        "Milestone B (no body responsible, blocked).",
        # P4 3 red; P2 1 red 3 amber; P1 and P5 1 red 2 amber: P1 by code; three named
        "Provinces furthest behind on the scorecard: Province 4 (3 off track, late data); "
        "Province 2 (1 off track, 3 needing attention); Province 1 (1 off track, 2 needing attention).",
        # newly off pace in catalogue order: success, connected, prefill, quality_index (4th: "and 1 more")
        "Newly “Off pace” against the target: Successful exchanges 97.0%, target 99.5% by 31 Dec 2026; "
        "Agencies connected 50.0%, target 90.0% by 31 Dec 2028; "
        "Fields pre-filled 50.0%, target 92.0% by 31 Dec 2030; and 1 more.",
    ]


def test_a_full_week_in_vietnamese():
    inputs = Inputs(kpi_frame(FULL_WEEK), MILESTONES, PROVINCES, PACE_NOW, PACE_BEFORE)
    assert sentences(inputs, "vi") == [
        "Kỳ này: Tỷ lệ CSDL được chia sẻ qua API 85,0%; Tỷ lệ hồ sơ sử dụng lại dữ liệu 60,0%; "
        "Chỉ số chất lượng dữ liệu 80,0%; Tiến độ lộ trình 40,0% (các chỉ số: 1 Đạt, 4 Cần chú ý, 1 Chưa đạt).",
        "Thay đổi lớn nhất so với kỳ trước: Tỷ lệ hồ sơ sử dụng lại dữ liệu +30,0 điểm % (Chưa đạt → Cần chú ý); "
        "Tỷ lệ CSDL được chia sẻ qua API +15,0 điểm % (Cần chú ý → Đạt); "
        "Tỷ lệ giao dịch thành công -2,5 điểm % (Đạt → Cần chú ý); Tỷ lệ thông tin được điền sẵn -40,0 điểm %.",
        "Chuyển sang mức “Chưa đạt”: Tỷ lệ cơ quan đã kết nối 50,0%.",
        "Mốc bị trễ trong kỳ: Mốc A (Ban X, hạn 04/03/2026); Mốc B (chưa có đơn vị phụ trách, đang vướng mắc).",
        "Tỉnh, thành phố chậm nhất trên bảng so sánh: Tỉnh 4 (3 chỉ số chưa đạt, dữ liệu về muộn); "
        "Tỉnh 2 (1 chỉ số chưa đạt, 3 cần chú ý); Tỉnh 1 (1 chỉ số chưa đạt, 2 cần chú ý).",
        "Mới chuyển sang “Chậm tiến độ” so với mục tiêu: "
        "Tỷ lệ giao dịch thành công 97,0%, mục tiêu 99,5% trước 31/12/2026; "
        "Tỷ lệ cơ quan đã kết nối 50,0%, mục tiêu 90,0% trước 31/12/2028; "
        "Tỷ lệ thông tin được điền sẵn 50,0%, mục tiêu 92,0% trước 31/12/2030; và 1 mục khác.",
    ]


def test_never_more_than_six_sentences_and_only_those_with_content():
    inputs = Inputs(kpi_frame(FULL_WEEK), MILESTONES, PROVINCES, PACE_NOW, PACE_BEFORE)
    assert len(sentences(inputs, "en")) == summary.MAX_SENTENCES == 6
    # no milestone, no province, no target: the headline, the moves and the turned red only
    assert [s.split(":")[0] for s in sentences(Inputs(kpi_frame(FULL_WEEK)), "en")] == [
        "This period",
        "Biggest changes against the previous period",
        "Turned “Off track”",
    ]


def test_a_quality_criterion_says_it_is_one():
    # quality_clean 0.70 (red, < 0.75) from 0.80 (amber): turned red
    inputs = Inputs(kpi_frame({"quality_clean": (0.70, 0.80)}))
    assert sentences(inputs, "en")[-1] == "Turned “Off track”: Quality criterion “Clean” 70.0%."
    assert sentences(inputs, "vi")[-1] == "Chuyển sang mức “Chưa đạt”: Tiêu chí chất lượng “Sạch” 70,0%."


def test_the_first_week_has_nothing_to_compare_with():
    # prefill 0.45: amber (>= 0.42); no previous value anywhere (the first week of data, or no stored snapshot)
    for frame in (kpi_frame({"prefill_rate": (0.45, None)}), kpi_frame({"prefill_rate": (0.45, None)}, False)):
        assert sentences(Inputs(frame), "en") == [
            "This period, indicators: 0 On track, 1 Needs attention, 0 Off track.",
            "There are no figures for the previous period to compare with.",
        ]
    assert sentences(Inputs(kpi_frame({"prefill_rate": (0.45, None)})), "vi") == [
        "Kỳ này, các chỉ số: 0 Đạt, 1 Cần chú ý, 0 Chưa đạt.",
        "Chưa có số liệu của kỳ trước để so sánh.",
    ]


def test_the_lead_in_is_what_comes_before_the_first_colon():
    assert summary.lead("Turned “Off track”: Agencies connected 50.0%.") == (
        "Turned “Off track”:",
        "Agencies connected 50.0%.",
    )
    assert summary.lead("There are no figures for the previous period to compare with.") == (
        "",
        "There are no figures for the previous period to compare with.",
    )


def test_an_empty_week_still_has_a_headline():
    assert sentences(Inputs(kpi_frame({})), "vi") == ["Kỳ này chưa có số liệu cho phạm vi đã chọn."]
    assert sentences(Inputs(kpi_frame({})), "en") == ["There are no figures for this period in the chosen scope yet."]
    # a change that the cards show as +0,0 is no move: 0.50 -> 0.5004 is +0.04 points
    quiet = Inputs(kpi_frame({"prefill_rate": (0.5004, 0.50)}))
    assert sentences(quiet, "en") == [
        "This period, indicators: 0 On track, 1 Needs attention, 0 Off track."  # headline KPIs all missing
    ]


# ---- the tiny fixture's week, from the data -----------------------------------------------------------------------

# Headline (tests/test_kpis.py's hand sums): sharing_coverage D1, D2 shared with API of D1..D5 operating = 2/5;
# dossier_reuse_rate (10 + 22 + 6) / (10 + 30 + 30) = 38/70 = 54.3%; quality_index mean of correct 390/430,
# sufficient 260/310, clean 150/210, live 109/110 = (0.90698 + 0.83871 + 0.71429 + 0.99091) / 4 = 0.86272;
# roadmap_progress (RM1a 2 x 50 % + RM2 3 x 0 + RM3 1 x 100 % + RM4 1 x 100 % + RM6 1 x 10 %) / 10 = 4.3/10.
# Statuses: green correct 0.907, live 0.991 (2); red sharing_coverage 0.40, success 196/210 = 0.933, clean 0.714,
# ownership 4/6, metadata 4/6, SPI 4.3/6.18, milestones on time 1/3 (7); the other 10 with a threshold amber.
# Moves (previous period 02-23 .. 03-01: E6 and K4 only; quality checks as of 03-01: D2/R1 45/50 only):
#   status changed: datasets_ready 0/1 (D2) -> 2/4 (D1, D4) = +50.0, red -> amber; connected_agencies 2/6 (C1, P1X)
#   -> 4/6 (C1, P1C, P2C, P1X) = +33.3, red -> amber; dossier_reuse 5/20 -> 38/70 = +29.3; shared_data_utilization
#   1/4 -> 2/4 = +25.0; reuse_breadth 0/4 -> 1/4 = +25.0 (all red -> amber); quality_index 0.90 (correct only)
#   -> 0.86272 = -3.7, green -> amber. Unchanged status: cross_level_share 30/30 -> 166/196 = -15.3, ...
#   Two largest rises: datasets_ready, connected_agencies; falls: quality_index (changed), cross_level_share.
#   Turned red: none (every red KPI was red before, or quality_clean had no value).
# Slipped: RM5 (C2), due 03-01, in progress as of 03-08: overdue now, not yet on 03-01 (due is not before it).
# Provinces (the scorecard's seven KPIs): P1 connected 2/2 green, success (98+18+30)/(100+20+30) = 0.973 amber,
# reuse 32/40 = 0.80 green, prefill 370/400 = 0.925 green, quality (D2: 0.90, 0.75) = 0.825 amber, ownership 2/2
# green, SPI (RM3 1.0 + RM2 0) / (1 + 3 x 7/30) = 0.588 red -> 1 red, 2 amber. P2 connected 1/2 red, success 80/80
# green, reuse 6/30 red, prefill 60/200 red, quality (D4: 1, 1, 1, 0.9) green, ownership 0/1 red, SPI 1.1/1 green
# -> 4 red. P2 first. Both "late data" (freshness as of 03-08, late after 2 days for daily facts): P1's last
# dossier row is K2 on 03-05 (3 days), P2's is K3 on 03-04 (4 days). No kpi_targets: no pace sentence.
TINY_HEADLINE = {
    "vi": "Kỳ này: Tỷ lệ CSDL được chia sẻ qua API 40,0%; Tỷ lệ hồ sơ sử dụng lại dữ liệu 54,3%; "
    "Chỉ số chất lượng dữ liệu 86,3%; Tiến độ lộ trình 43,0% (các chỉ số: 2 Đạt, 10 Cần chú ý, 7 Chưa đạt).",
    "en": "This period: Datasets shared through APIs 40.0%; Dossiers reusing data 54.3%; Data quality index 86.3%; "
    "Roadmap progress 43.0% (indicators: 2 On track, 10 Needs attention, 7 Off track).",
}
TINY_MOVES = {
    "vi": "Thay đổi lớn nhất so với kỳ trước: "
    "Tỷ lệ CSDL đạt «đúng, đủ, sạch, sống» +50,0 điểm % (Chưa đạt → Cần chú ý); "
    "Tỷ lệ cơ quan đã kết nối +33,3 điểm % (Chưa đạt → Cần chú ý); "
    "Chỉ số chất lượng dữ liệu -3,7 điểm % (Đạt → Cần chú ý); Tỷ lệ trao đổi giữa các cấp -15,3 điểm %.",
    "en": "Biggest changes against the previous period: "
    "Datasets meeting all four +50.0 pts (Off track → Needs attention); "
    "Agencies connected +33.3 pts (Off track → Needs attention); "
    "Data quality index -3.7 pts (On track → Needs attention); Exchanges across levels -15.3 pts.",
}
TINY_REST = {
    "vi": [
        "Mốc bị trễ trong kỳ: Nhiệm vụ RM5 (Cơ quan C2, hạn 01/03/2026).",
        "Tỉnh, thành phố chậm nhất trên bảng so sánh: Tỉnh P2 (4 chỉ số chưa đạt, dữ liệu về muộn); "
        "Tỉnh P1 (1 chỉ số chưa đạt, 2 cần chú ý, dữ liệu về muộn).",
    ],
    "en": [
        "Milestones that slipped in the period: Item RM5 (Agency C2, due 1 Mar 2026).",
        "Provinces furthest behind on the scorecard: Province P2 (4 off track, late data); "
        "Province P1 (1 off track, 2 needing attention, late data).",
    ],
}
NO_COMPARISON = {
    "vi": "Chưa có số liệu của kỳ trước để so sánh.",
    "en": "There are no figures for the previous period to compare with.",
}


def tiny_week(lang: str) -> list[str]:
    return [TINY_HEADLINE[lang], TINY_MOVES[lang], *TINY_REST[lang]]


def test_the_tiny_week_from_the_data_in_both_languages(tiny_base):
    found = summary.week_summary(tiny_base, WEEK, Scope())
    assert found.to_dict() == {"vi": tiny_week("vi"), "en": tiny_week("en")}


def test_a_province_scope_has_no_province_sentence_and_its_own_milestones(tiny_base):
    # P1 (P1C, P1X): RM5 is C2's, so nothing slipped in P1; the scorecard sentence is for `all` only
    found = summary.week_summary(tiny_base, WEEK, Scope("province", "P1"), langs=("en",)).sentences["en"]
    assert not any(s.startswith(("Milestones", "Provinces")) for s in found)
    assert found[0].startswith("This period: Datasets shared through APIs")


def test_slipped_means_due_date_passed_in_the_period_or_newly_blocked(tiny_base, tmp_path):
    from dashboard.engine.query import run_query

    # RM5 due 03-01: in the week 03-02 .. 03-08 it slips (overdue as of 03-08, not as of 03-01); in the week after,
    # it was already overdue on 03-08 (and is done on 03-09): nothing slips
    week = run_query(tiny_base, Scope(), "summary_slipped_milestones", {**WEEK.params(), **Scope().params()})
    assert week.select("item_id", "reason").rows() == [("RM5", "overdue")]
    after = Period(dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert run_query(
        tiny_base, Scope(), "summary_slipped_milestones", {**after.params(), **Scope().params()}
    ).is_empty()
    # RM6 (P2C, due 05-31) reported blocked in the week of 03-02: it slips as "blocked" although not yet due
    base = fresh_base(tiny_base, tmp_path)
    updates = pl.read_parquet(base / "curated" / "roadmap_updates.parquet")
    blocked = updates.filter(pl.col("item_id") == "RM6").with_columns(pl.lit("blocked").alias("status"))
    write_table(base, "roadmap_updates", pl.concat([updates.filter(pl.col("item_id") != "RM6"), blocked]))
    found = run_query(base, Scope(), "summary_slipped_milestones", {**WEEK.params(), **Scope().params()})
    assert found.select("item_id", "reason", "owner_name_en").rows() == [
        ("RM5", "overdue", "Agency C2"),
        ("RM6", "blocked", "Agency P2C"),
    ]


# ---- a target newly off pace, from the data (tests/pace_fixture.py) -------------------------------------------


def test_a_target_newly_off_pace(tmp_path):
    from pace_fixture import END, TARGETS, write_pace_fixture

    write_pace_fixture(tmp_path)
    # An extra national target for prefill_rate: 0.55 by 2026-03-25. As of END - 7 = 03-22 it is the earliest
    # target on or after the date, and week 10's value is (500 + 5 x 10) / 1000 = 0.55: reached. As of END = 03-29
    # it has passed; PF-1 applies (0.92 by 06-28): v = 0.555 (week 11), slope 0.005 a week (every point on the
    # line), w = 91 / 7 = 13 weeks, projected 0.555 + 0.065 = 0.62 < 0.92: off pace, and newly so.
    # The others: dossier reuse on pace both weeks (RE-1 0.80: 0.62 + 0.02 x 13 = 0.88 and 0.60 + 0.02 x 14 = 0.88),
    # success 0.99 reached, quality_correct under 4 weekly values (no trend), sharing coverage no target.
    from dashboard.data.contract import polars_schema

    rows = [
        (tid, kpi, st, sid, dt.date.fromisoformat(day), value, phase, f"Căn cứ {tid}", f"Basis {tid}")
        for tid, kpi, st, sid, day, value, phase in [
            *TARGETS,
            ("PF-0", "prefill_rate", "all", None, "2026-03-25", 0.55, "2025-2026"),
        ]
    ]
    write_table(tmp_path, "kpi_targets", pl.DataFrame(rows, schema=polars_schema("kpi_targets"), orient="row"))
    period = Period(END - dt.timedelta(days=6), END)
    found = summary.week_summary(tmp_path, period, Scope())
    assert found.sentences["en"][-1] == (
        "Newly “Off pace” against the target: Fields pre-filled 55.5%, target 92.0% by 28 Jun 2026."
    )
    assert found.sentences["vi"][-1] == (
        "Mới chuyển sang “Chậm tiến độ” so với mục tiêu: "
        "Tỷ lệ thông tin được điền sẵn 55,5%, mục tiêu 92,0% trước 28/06/2026."
    )
    # without the extra target prefill_rate was off pace a week before too: no such sentence
    write_table(tmp_path, "kpi_targets", pl.DataFrame(rows[:-1], schema=polars_schema("kpi_targets"), orient="row"))
    assert not any(s.startswith("Newly") for s in summary.week_summary(tmp_path, period, Scope()).sentences["en"])


# ---- on the overview ---------------------------------------------------------------------------------------------


def bold_lead(sentence: str) -> str:
    """A list line of the box: the words before the first ': ' in bold (the tiny week's text has no markdown
    character to escape)."""
    head, rest = sentence.split(": ", 1)
    return f"- **{head}:** {rest}"


def box_text(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("- "))


def test_the_overview_shows_the_summary_at_the_top(app):
    at = app.run()
    assert not at.exception
    assert "**Tóm tắt tuần**" in [m.value for m in at.markdown]
    assert box_text(at) == "\n".join(bold_lead(s) for s in tiny_week("vi"))
    assert any("02/03/2026 – 08/03/2026 · Phạm vi: Toàn hệ thống" in c.value for c in at.caption)
    at.radio(key="f_lang").set_value("en").run()
    assert not at.exception
    assert "**This week in brief**" in [m.value for m in at.markdown]
    assert box_text(at) == "\n".join(bold_lead(s) for s in tiny_week("en"))


def test_the_overview_still_renders_when_the_summary_fails(app, monkeypatch):
    def broken(frame):
        raise RuntimeError("boom")

    monkeypatch.setattr(summary, "milestones_from", broken)
    at = app.run()
    assert not at.exception
    assert any("Tóm tắt tuần" in e.value for e in at.error)  # the part's own error, the rest is shown
    assert "Chỉ số chính" in [s.value for s in at.subheader]


# ---- as the weekly report's first section ------------------------------------------------------------------------


def chromium() -> str | None:
    from dashboard.weekly.report.html import CHROMIUM_CANDIDATES

    return next((p for p in map(shutil.which, CHROMIUM_CANDIDATES) if p), None)


@pytest.fixture(scope="module")
def report_folder(tiny_base, tmp_path_factory) -> Path:
    """One snapshot of 2026-W10 with every format (the PDF when Chromium is here), without a stored week before."""
    from dashboard.weekly import snapshot

    where = tmp_path_factory.mktemp("summary_report")
    base = fresh_base(tiny_base, where)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DASHBOARD_TODAY", TODAY)
        mp.setenv("DASHBOARD_PAGES_DIR", str(write_pages(where / "pages")))
        mp.setenv("DASHBOARD_CHROMIUM", chromium() or str(where / "no-chromium"))
        out, err = io.StringIO(), io.StringIO()
        code = snapshot.run(base, out=out, err=err)
    assert code == 0, err.getvalue()
    return base / "snapshots" / "2026-W10"


# No stored snapshot of 2026-W09: the report shows no changes, and neither does its summary.
REPORT_SENTENCES = {lang: [TINY_HEADLINE[lang], NO_COMPARISON[lang], *TINY_REST[lang]] for lang in ("vi", "en")}


def test_the_xlsx_cover_starts_with_the_summary(report_folder):
    cover = pl.read_excel(report_folder / "report.xlsx", sheet_name="Bìa", has_header=False)
    rows = [r for r in cover.rows() if any(v is not None for v in r)]
    assert rows[0][0] == "Báo cáo tuần 2026-W10"  # the title
    assert rows[1] == ("Tóm tắt tuần", "\n".join(REPORT_SENTENCES["vi"]))


def test_the_html_starts_with_the_summary(report_folder):
    page = (report_folder / "report.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="summary" class="summary">(.*?)</section>', page, re.S)
    assert section is not None
    items = re.findall(r"<li>(.*?)</li>", section.group(1), re.S)
    assert [html.unescape(re.sub(r"<[^>]+>", "", i)) for i in items] == REPORT_SENTENCES["vi"]
    # the lead-in in bold; a sentence without one ("Chưa có số liệu ...") is plain
    assert items[0].startswith("<strong>Kỳ này:</strong> Tỷ lệ CSDL") and not items[1].startswith("<strong>")
    # the first section: after the title and the period, before the metadata and the KPI cards
    assert page.index("<h1>") < section.start() < page.index('<dl class="meta">') < page.index('id="kpis"')


def test_the_pdf_starts_with_the_summary(report_folder):
    if chromium() is None:
        pytest.skip("Chromium is not installed")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run([pdftotext, str(report_folder / "report.pdf"), "-"], capture_output=True, text=True).stdout
    words = " ".join(text.replace("•", " ").split())
    wanted = " ".join(["Tóm tắt tuần", *REPORT_SENTENCES["vi"]])
    # the title, the period and scope line, then the summary
    head = words[: words.index("Tóm tắt tuần")]
    assert head.startswith("Báo cáo tuần 2026-W10") and "02/03/2026 – 08/03/2026 · Toàn hệ thống" in head
    assert words[len(head) :].startswith(wanted)


def test_the_manifest_records_the_summary_in_both_languages(report_folder):
    import json

    manifest = json.loads((report_folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parts"]["report"]["summary"] == REPORT_SENTENCES


def test_a_summary_that_fails_leaves_the_report_partial_with_the_reason(tiny_base, tmp_path, monkeypatch):
    import json

    from dashboard.weekly import snapshot

    def broken(*args, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(summary, "week_summary", broken)
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY)
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(write_pages(tmp_path / "pages")))
    base = fresh_base(tiny_base, tmp_path)
    out, err = io.StringIO(), io.StringIO()
    # like a table that could not be made: the report is written, the run says "partial" (exit 3) and why
    assert snapshot.run(base, formats="parquet,xlsx,html", out=out, err=err) == snapshot.EXIT_PARTIAL == 3
    folder = base / "snapshots" / "2026-W10"
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Chưa viết được phần tóm tắt; các phần khác của trang vẫn hiển thị." in page
    assert 'id="kpis"' in page  # the rest of the report is there
    report = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["parts"]["report"]
    assert report["status"] == "partial" and report["summary"] == {"error": "RuntimeError: boom"}
    assert report["errors"] == ["summary: RuntimeError: boom"]
