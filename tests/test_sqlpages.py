"""Analyst SQL pages: the header model and its errors, the checker, discovery, scope, and the three
example pages with numbers worked out by hand on the tiny fixture (tests/tiny_fixture.py).

Row names refer to tiny_fixture.py (E1.. exchanges, K1.. dossiers, D1.. datasets); the rows named Y1..Y4
are added here, a year before the reference period 2026-03-02 .. 2026-03-08:
  Y1 2025-03-04 C1->P1C D1 api 80/73      (in the year-before window 2025-03-02 .. 2025-03-08, consumer in P1)
  Y2 2025-03-05 C1->P2X D1 api 100/100    (in the window, consumer in P2)
  Y3 2025-03-09 C1->P1C D1 api 50/50      (one day after the window: must not count)
  Y4 2025-03-01 C1->P2C D1 api 40/40      (one day before the window: must not count)
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from tiny_fixture import tables

from dashboard.config import ROOT
from dashboard.data.contract import polars_schema
from dashboard.data.io import write_table
from dashboard.engine import sandbox
from dashboard.engine.db import database
from dashboard.period import Period
from dashboard.scope import Scope
from dashboard.sqlpages.check import check_page, check_pages
from dashboard.sqlpages.header import (
    CHART_TYPES,
    PageError,
    discover,
    load_page,
    page_files,
    parse_page,
    section_title,
    url_path,
)
from dashboard.sqlpages.run import default_values, page_template, run_page

FIXTURES = ROOT / "tests" / "sqlpage_fixtures"
EXAMPLES = ROOT / "pages" / "phan_tich"
YOY = EXAMPLES / "tang_truong_khai_thac_theo_tinh.sql"
UNUSED = EXAMPLES / "du_lieu_chia_se_chua_khai_thac.sql"
REDECLARED = EXAMPLES / "thu_tuc_khai_bao_lai_theo_tinh.sql"
WEEK = (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
PERIOD = Period(*WEEK)

YEAR_BEFORE = [
    ("2025-03-04", "C1", "P1C", "D1", "api", 80, 73, 800, 100.0),  # Y1
    ("2025-03-05", "C1", "P2X", "D1", "api", 100, 100, 900, 100.0),  # Y2
    ("2025-03-09", "C1", "P1C", "D1", "api", 50, 50, 500, 100.0),  # Y3
    ("2025-03-01", "C1", "P2C", "D1", "api", 40, 40, 400, 100.0),  # Y4
]

DOSSIERS_BY_AGENCY = """/* ---
title: {vi: Hồ sơ theo cơ quan, en: Dossiers by body}
section: {vi: Kiểm thử, en: Testing}
charts:
  - {type: bar, x: agency_id, y: count_dossiers, title: {vi: Hồ sơ theo cơ quan, en: Dossiers by body}}
  - {type: table}
tests:
  - {min_rows: 1}
--- */
select agency_id, sum(dossiers) as count_dossiers
from dossiers_daily
where dossier_date between $start and $end
group by agency_id
order by agency_id
"""


def write_tiny_plus(base: Path) -> Path:
    """The tiny fixture plus the year-before exchange rows Y1..Y4."""
    frames = tables()
    extra = pl.DataFrame(
        [(dt.date.fromisoformat(d), *rest) for d, *rest in YEAR_BEFORE],
        schema=polars_schema("exchanges_daily"),
        orient="row",
    )
    frames["exchanges_daily"] = pl.concat([frames["exchanges_daily"], extra])
    for name, df in frames.items():
        write_table(base, name, df)
    return base


@pytest.fixture(scope="module")
def plus_base(tmp_path_factory) -> Path:
    return write_tiny_plus(tmp_path_factory.mktemp("tiny_plus"))


def page_text(header: str, sql: str = "select level, count(*) as count_bodies from agencies group by level") -> str:
    return f"/* ---\n{header.strip()}\n--- */\n{sql}\n"


def errors(text: str) -> list[str]:
    with pytest.raises(PageError) as caught:
        parse_page(Path("pages/x/p.sql"), text)
    return [str(p) for p in caught.value.problems]


ALL = Scope()


def run(base, page_path, values, scope=ALL, lang="vi") -> pl.DataFrame:
    page = load_page(page_path)
    defaults = default_values(page, WEEK[1], {}, PERIOD)
    return run_page(base, scope, page, {**defaults, **values}, PERIOD, lang).frame


# ---- the header model and where its errors point ------------------------------------------------------------


def test_a_valid_header_is_read_with_its_sql_and_lines():
    page = parse_page(Path("pages/x/p.sql"), page_text("title: {vi: Cơ quan, en: Bodies}\ncharts:\n  - {type: table}"))
    assert page.header.title("vi") == "Cơ quan" and page.header.title("en") == "Bodies"
    assert page.header.charts[0].type == "table"
    assert page.sql.startswith("select level")
    # line 1 `/* ---`, 2-4 the YAML, 5 `--- */`, 6 the SQL
    assert page.sql_first_line == 6 and page.yaml_first_line == 2


def test_an_unknown_chart_type_names_the_line_and_the_allowed_types():
    text = page_text(
        "title: {vi: A, en: A}\ncharts:\n  - {type: table}\n  - type: pie\n    x: level\n    title: {vi: B, en: B}"
    )
    # line 5 of the file is "  - type: pie" (line 1 is `/* ---`)
    assert errors(text) == [
        "pages/x/p.sql, line 5: charts[1].type: unknown chart type 'pie'; allowed: "
        "kpi, line, bar, area, table, heatmap, sankey"
    ]
    assert CHART_TYPES == ("kpi", "line", "bar", "area", "table", "heatmap", "sankey")


def test_a_missing_title_and_an_unknown_field_are_named_with_what_is_allowed():
    found = errors(page_text("charts:\n  - {type: table, colour: red}"))
    assert "pages/x/p.sql, line 2: title: this field is required" in found
    assert any(
        e.startswith("pages/x/p.sql, line 3: charts[0].colour: unknown field 'colour'; allowed here: type, title")
        for e in found
    )


def test_a_title_needs_both_languages():
    assert errors(page_text("title: {vi: Cơ quan}\ncharts:\n  - {type: table}")) == [
        "pages/x/p.sql, line 2: title.en: this field is required"
    ]


def test_a_blank_title_is_refused():
    assert errors(page_text('title: {vi: "  ", en: Bodies}\ncharts:\n  - {type: table}')) == [
        "pages/x/p.sql, line 2: title.vi: must not be empty"
    ]


def test_a_parameter_default_must_be_an_allowed_value():
    text = page_text(
        "title: {vi: A, en: A}\nparams:\n  p:\n    type: date_range\n    default: last_year\ncharts:\n  - {type: table}"
    )
    (message,) = errors(text)
    assert message.startswith("pages/x/p.sql, line 6: params.p.default: 'last_year' is not allowed; allowed: global,")
    assert "last_12_weeks" in message


def test_a_parameter_name_taken_by_the_global_filters_is_refused():
    text = page_text("title: {vi: A, en: A}\nparams:\n  start: {type: text}\ncharts:\n  - {type: table}")
    (message,) = errors(text)
    assert "line 3: params: parameter name 'start' is taken by the global filters" in message


def test_a_page_without_its_header_or_with_an_open_header_says_so():
    assert errors("select 1") == [
        "pages/x/p.sql, line 1: a page must start with a header: a line `/* ---`, YAML, then `--- */`"
    ]
    assert errors("/* ---\ntitle: {vi: A, en: A}\nselect 1") == [
        "pages/x/p.sql, line 1: the header opened here is never closed with a line `--- */`"
    ]


# ---- the checker on the broken fixtures: each fails with a precise message ------------------------------------

BROKEN = {
    "bad_yaml.sql": "bad_yaml.sql, line 5: the header is not valid YAML, column 6: expected ',' or '}', but got ':' "
    "(while parsing a flow mapping that starts on line 4)",
    "unknown_chart_type.sql": "unknown_chart_type.sql, line 5: charts[1].type: unknown chart type 'pie'; "
    "allowed: kpi, line, bar, area, table, heatmap, sankey",
    "unknown_column.sql": "unknown_column.sql, line 6: charts[0] (bar): column 'count_agencies' is not in the "
    "result; the result has: level, count_bodies",
    "sql_does_not_parse.sql": 'sql_does_not_parse.sql, line 8: the SQL does not parse: syntax error at or near "level"',
    "param_declared_unused.sql": "param_declared_unused.sql, line 4: parameter 'level' is declared but the SQL "
    "never uses $level",
    "param_used_undeclared.sql": "param_used_undeclared.sql, line 8: the SQL uses $level, which the header does not "
    "declare under params:; declared: none; always available: $start, $end, $scope_type, $scope_id, $lang",
    "reads_a_file.sql": "reads_a_file.sql, line 7: the SQL reads files (read_csv); a page reads only the contract's "
    "tables",
    "two_statements.sql": "two_statements.sql, line 6: the SQL holds 2 statements; a page runs exactly one SELECT "
    "(remove the `;` between them)",
    "no_header.sql": "no_header.sql, line 1: a page must start with a header: a line `/* ---`, YAML, then `--- */`",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_fixture_fails_with_a_precise_message(name, demo_base):
    con = database(demo_base, Scope()).cursor()
    try:
        problems, _ = check_page(FIXTURES / name, con, dt.date(2025, 9, 29))
    finally:
        con.close()
    assert [str(p) for p in problems] == [f"tests/sqlpage_fixtures/{BROKEN[name]}"]


def test_a_failing_expect_names_the_test_the_count_and_an_example_row(tiny_base):
    # failing_expect.sql: success_rate > 1 per channel in the period 2026-02-09 .. 2026-03-08 (the 4 weeks before
    # 2026-03-09): api E1 98/100, E2 50/50, E4 30/30, E6 30/60; file E3 18/20; manual E5 0/10 -> 3 channels, all <= 1
    con = database(tiny_base, Scope()).cursor()
    try:
        problems, rows = check_page(FIXTURES / "failing_expect.sql", con, dt.date(2026, 3, 9))
    finally:
        con.close()
    assert rows == 3
    (problem,) = problems
    assert str(problem).startswith(
        "tests/sqlpage_fixtures/failing_expect.sql, line 7: tests[1]: expect 'success_rate > 1' fails on 3 of 3 rows, "
        "e.g. {'channel': "
    )


def test_a_bad_default_reports_both_mistakes_on_their_lines():
    problems, _ = check_page(FIXTURES / "bad_default.sql", None, dt.date(2026, 3, 9))
    assert [str(p) for p in problems] == [
        "tests/sqlpage_fixtures/bad_default.sql, line 4: params.level: default 'national' is not one of the options: "
        "central, provincial, commune",
        "tests/sqlpage_fixtures/bad_default.sql, line 8: params.period.default: 'last_year' is not allowed; allowed: "
        "global, last_week, last_4_weeks, last_12_weeks, last_quarter or year_to_date",
    ]


def test_pages_check_passes_on_the_examples_and_fails_on_the_fixtures(demo_base, capsys):
    assert check_pages(page_files(ROOT / "pages"), demo_base) == 0
    report = capsys.readouterr().out
    assert "3 page(s): 3 ok, 0 failed." in report
    assert check_pages(sorted(FIXTURES.glob("*.sql")), demo_base) == 1
    report = capsys.readouterr().out
    assert f"{len(list(FIXTURES.glob('*.sql')))} page(s): 0 ok," in report
    assert "FAIL  tests/sqlpage_fixtures/unknown_column.sql" in report


def test_the_command_exits_non_zero_on_a_broken_page_and_zero_on_the_examples(demo_base):
    cmd = [sys.executable, "-m", "dashboard", "pages", "check", "--data-dir", str(demo_base)]
    ok = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([*cmd, str(FIXTURES / "unknown_chart_type.sql")], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1
    assert "unknown chart type 'pie'" in bad.stdout


def test_the_command_checks_against_fresh_demo_data_when_the_data_dir_is_empty(tmp_path):
    cmd = [sys.executable, "-m", "dashboard", "pages", "check", "--data-dir", str(tmp_path), str(UNUSED)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "freshly generated demo data" in done.stdout
    assert not (tmp_path / "curated").exists()


# ---- discovery --------------------------------------------------------------------------------------------------


def test_discovery_finds_sections_skips_drafts_and_the_leader_folder(tmp_path):
    (tmp_path / "leaders").mkdir()
    (tmp_path / "leaders" / "x.sql").write_text(DOSSIERS_BY_AGENCY)
    (tmp_path / "kiem_thu").mkdir()
    (tmp_path / "kiem_thu" / "_draft.sql").write_text(DOSSIERS_BY_AGENCY)
    assert discover(tmp_path) == []
    (tmp_path / "kiem_thu" / "ho_so.sql").write_text(DOSSIERS_BY_AGENCY)
    (tmp_path / "kiem_thu" / "hong.sql").write_text("select 1")
    entries = discover(tmp_path)
    assert [(e.section, e.path.name, e.page is not None) for e in entries] == [
        ("kiem_thu", "ho_so.sql", True),
        ("kiem_thu", "hong.sql", False),  # broken pages are listed (last), so analysts can open them
    ]
    assert section_title(entries, "kiem_thu", "vi") == "Kiểm thử"
    assert section_title(entries, "kiem_thu", "en") == "Testing"
    assert url_path(entries[0].path) == "kiem_thu-ho_so"


def test_a_changed_file_is_read_again(tmp_path):
    (tmp_path / "a").mkdir()
    path = tmp_path / "a" / "p.sql"
    path.write_text(DOSSIERS_BY_AGENCY)
    assert load_page(path).header.title("en") == "Dossiers by body"
    path.write_text(DOSSIERS_BY_AGENCY.replace("Dossiers by body}", "Dossiers per body}", 1))
    assert load_page(path).header.title("en") == "Dossiers per body"


def test_the_examples_are_in_the_weekly_snapshot_where_their_header_says_so():
    from dashboard.sqlpages.header import snapshot_pages

    assert sorted(p.path.name for p in snapshot_pages(ROOT / "pages")) == [
        "du_lieu_chia_se_chua_khai_thac.sql",
        "tang_truong_khai_thac_theo_tinh.sql",
    ]


# ---- scope: a page runs in the current scope's database -------------------------------------------------------


def test_a_page_under_a_province_scope_sees_only_that_provinces_rows(tiny_base, tmp_path):
    (tmp_path / "kiem_thu").mkdir()
    path = tmp_path / "kiem_thu" / "ho_so.sql"
    path.write_text(DOSSIERS_BY_AGENCY)
    page = load_page(path)
    # in the period: K1 P1C 10, K2 P1X 30, K3 P2C 30 (K4 before, K5 after)
    everyone = run_page(tiny_base, Scope(), page, {}, PERIOD, "vi").frame
    assert everyone.rows() == [("P1C", 10), ("P1X", 30), ("P2C", 30)]
    p1 = run_page(tiny_base, Scope("province", "P1"), page, {}, PERIOD, "vi").frame
    assert p1.rows() == [("P1C", 10), ("P1X", 30)]


# ---- the three example pages, by hand -------------------------------------------------------------------------


def test_yoy_ranks_provinces_by_change_on_the_same_week_a_year_before(plus_base):
    df = run(plus_base, YOY, {"period": WEEK, "region": None, "min_base": 50})
    # consumers' provinces in the week: P1 = E1 98 + E3 18 + E4 30 = 146; P2 = E2 50 (E5's consumer C1 is central)
    # a year before (2025-03-02 .. 03-08): P1 = Y1 73; P2 = Y2 100 (Y3 and Y4 fall outside the window)
    assert df.select("rank_change", "province_code", "count_calls_ok", "count_calls_ok_year_before").rows() == [
        (1, "P1", 146, 73),
        (2, "P2", 50, 100),
    ]
    assert df["change_vs_year_before"].to_list() == pytest.approx([(146 - 73) / 73, (50 - 100) / 100])
    assert df["province_name"].to_list() == ["Tỉnh P1", "Tỉnh P2"]


def test_yoy_leaves_a_small_base_unranked_and_filters_by_region(plus_base):
    df = run(plus_base, YOY, {"period": WEEK, "region": None, "min_base": 80})
    # P1's base 73 < 80: no change, no rank, listed last; P2's base 100 >= 80: -50 %
    assert df.select("rank_change", "province_code", "change_vs_year_before").rows() == [
        (1, "P2", -0.5),
        (None, "P1", None),
    ]
    mekong = run(plus_base, YOY, {"period": WEEK, "region": "Mekong River Delta", "min_base": 50})
    assert mekong["province_code"].to_list() == ["P2"]  # P1 is in the Red River Delta


def test_yoy_under_a_province_scope_shows_that_province_only(plus_base):
    df = run(plus_base, YOY, {"period": WEEK, "region": None, "min_base": 50}, scope=Scope("province", "P1"))
    assert df.select("province_code", "count_calls_ok", "count_calls_ok_year_before").rows() == [("P1", 146, 73)]


def test_unused_shared_datasets_in_the_week(plus_base):
    df = run(plus_base, UNUSED, {"period": WEEK, "sharing_class": ["shared", "open"]})
    # operating shared/open: D1, D2, D3, D4. Used by a body other than the owner with calls_ok > 0 in the week:
    # D1 (E1, E2), D4 (E4). D2 is used only by its owner P1C (E3); D3 only in E5 with calls_ok = 0.
    assert df.select("dataset_id", "owner_name", "last_used_on", "is_api_enabled").rows() == [
        ("D2", "Cơ quan P1C", None, True),
        ("D3", "(chưa có chủ quản)", None, False),
    ]
    only_open = run(plus_base, UNUSED, {"period": WEEK, "sharing_class": ["open"]})
    assert only_open["dataset_id"].to_list() == ["D3"]
    in_p1 = run(plus_base, UNUSED, {"period": WEEK, "sharing_class": ["shared", "open"]}, scope=Scope("province", "P1"))
    assert in_p1["dataset_id"].to_list() == ["D2"]  # P1 owns D2, D5 (restricted), D7 (retired)


def test_unused_shared_datasets_tell_idle_from_never_used(plus_base):
    late = (dt.date(2026, 3, 5), dt.date(2026, 3, 8))
    df = run(plus_base, UNUSED, {"period": late, "sharing_class": ["shared", "open"]}, lang="en")
    # D1's uses (not by owner C1): E6 03-01, E1 03-03, E2 03-04 (and a year before): none from 03-05 on, so it is
    # idle since 03-04, 4 days before 03-08. D4 is used by P1C on 03-06 (E4), inside the window.
    assert df.select("dataset_id", "last_used_on", "days_since_last_use").rows() == [
        ("D2", None, None),
        ("D3", None, None),
        ("D1", dt.date(2026, 3, 4), 4),
    ]
    assert df["owner_name"].to_list() == ["Agency P1C", "(no owner)", "Agency C1"]


def test_procedures_most_declared_again_by_province(plus_base):
    df = run(plus_base, REDECLARED, {"period": WEEK, "province": None, "top": 3})
    # K1 P1C TRANSFER fields 100 - 100 = 0; K2 P1X ADMIT 300 - 270 = 30; K3 P2C TRANSFER 200 - 60 = 140
    # provinces by their total declared again: P2 140, then P1 30 (ADMIT 30 first, TRANSFER 0 second)
    assert df.select(
        "province_name", "rank_in_province", "procedure_name", "count_dossiers", "count_fields_redeclared"
    ).rows() == [
        ("Tỉnh P2", 1, "Thủ tục TRANSFER", 30, 140),
        ("Tỉnh P1", 1, "Thủ tục ADMIT", 30, 30),
        ("Tỉnh P1", 2, "Thủ tục TRANSFER", 10, 0),
    ]
    assert df["prefill_rate"].to_list() == pytest.approx([60 / 200, 270 / 300, 100 / 100])
    assert df["fields_redeclared_per_dossier"].to_list() == pytest.approx([140 / 30, 30 / 30, 0 / 10])
    top_one = run(plus_base, REDECLARED, {"period": WEEK, "province": None, "top": 1}, lang="en")
    assert top_one.select("province_name", "procedure_name").rows() == [
        ("Province P2", "Procedure TRANSFER"),
        ("Province P1", "Procedure ADMIT"),
    ]
    p1 = run(plus_base, REDECLARED, {"period": WEEK, "province": "P1", "top": 3})
    assert p1["procedure_name"].to_list() == ["Thủ tục ADMIT", "Thủ tục TRANSFER"]


def test_each_example_passes_its_own_tests_on_the_tiny_fixture_week(plus_base):
    con = database(plus_base, Scope()).cursor()
    try:
        for path in (YOY, UNUSED, REDECLARED):
            problems, rows = check_page(path, con, dt.date(2026, 3, 9))
            assert problems == [], path
            assert rows >= 1
    finally:
        con.close()


# ---- "Save as page file" -----------------------------------------------------------------------------------------


def test_a_saved_workbench_query_is_a_page_that_passes_the_checker(tiny_base, tmp_path):
    sql = (
        "select agency_id, sum(dossiers) as count_dossiers, sum(fields_prefilled)::double / sum(fields_total)"
        " as prefill_rate from dossiers_daily where dossier_date between $start and $end group by agency_id;"
    )
    result = sandbox.run_workbench(tiny_base, Scope(), sql, {"start": WEEK[0], "end": WEEK[1]})
    text = page_template(sql, result.frame)
    (tmp_path / "moi").mkdir()
    path = tmp_path / "moi" / "trang_moi.sql"
    path.write_text(text, encoding="utf-8")
    page = load_page(path)
    assert list(page.header.columns) == ["agency_id", "count_dossiers", "prefill_rate"]
    assert page.header.columns["prefill_rate"].format == "percent"
    assert [c.type for c in page.header.charts] == ["bar", "table"]
    con = database(tiny_base, Scope()).cursor()
    try:
        problems, rows = check_page(path, con, dt.date(2026, 3, 9))
    finally:
        con.close()
    assert problems == []
    assert rows == 3  # P1C, P1X, P2C processed dossiers in the 4 weeks before 2026-03-09
