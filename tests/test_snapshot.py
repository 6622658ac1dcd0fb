"""The weekly snapshot on the tiny data set (tests/tiny_fixture.py): the week, kpis.parquet as the contract says,
the manifest, the ledger, week over week from the stored snapshot, province reports, the XLSX.

Numbers are worked out by hand from the fixture's rows, as in tests/test_kpis.py (E1..E7 exchanges, K1..K5
dossiers). The week under test is 2026-W10 = 2026-03-02 .. 2026-03-08, the period of tests/test_kpis.py.
PDF and browser checks are in tests/test_snapshot_browser.py; kill, lock and bad input in
tests/test_snapshot_reliability.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
from snapshot_helpers import TODAY, WEEK, fresh_base, store_week, write_pages

from dashboard.period import Period
from dashboard.scope import Scope
from dashboard.weekly import archive, snapshot
from dashboard.weekly.snapshot import Week


@pytest.fixture(autouse=True)
def _today_and_pages(monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY)
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(write_pages(tmp_path / "pages")))
    monkeypatch.setenv("DASHBOARD_CHROMIUM", str(tmp_path / "no-chromium"))  # the PDF is tested elsewhere


@pytest.fixture
def base(tiny_base, tmp_path):
    return fresh_base(tiny_base, tmp_path)


def run(base, *args, **kw):
    out, err = io.StringIO(), io.StringIO()
    code = snapshot.run(base, *args, out=out, err=err, **kw)
    return code, out.getvalue(), err.getvalue()


# ---- the week ------------------------------------------------------------------------------------------------


def test_weeks_are_iso_weeks():
    assert (Week.parse("2026-W47").start, Week.parse("2026-W47").end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    # 2026 starts on a Thursday, so it has 53 ISO weeks; 2025 has 52.
    assert Week.parse("2026-W53").end == dt.date(2027, 1, 3)
    for bad in ("2025-W53", "2026-W00", "2026-47", "W47", "2026-W470", ""):
        with pytest.raises(ValueError):
            Week.parse(bad)
    assert Week(2026, 1).previous() == Week(2025, 52)


def test_the_default_week_is_the_last_complete_one():
    assert snapshot.last_complete_week(dt.date(2026, 3, 10)) == Week(2026, 10)  # Tuesday after W10
    assert snapshot.last_complete_week(dt.date(2026, 3, 9)) == Week(2026, 10)  # Monday after W10
    assert snapshot.last_complete_week(dt.date(2026, 3, 8)) == Week(2026, 9)  # W10's own Sunday: not over


def test_a_bad_or_unfinished_week_is_refused_clearly(base):
    code, _, err = run(base, "2026-47")
    assert code == snapshot.EXIT_USAGE and "YYYY-Www" in err
    code, _, err = run(base, "2026-W11")  # ends 2026-03-15, after today 2026-03-10
    assert code == snapshot.EXIT_USAGE and "not complete yet" in err and "2026-W10" in err
    assert not (base / "snapshots" / "2026-W11").exists()


# ---- kpis.parquet -------------------------------------------------------------------------------------------


def test_kpis_parquet_is_the_contract_for_every_scope(base):
    code, out, _ = run(base, formats="parquet")
    assert code == 0, out
    path = base / "snapshots" / "2026-W10" / "kpis.parquet"
    con = duckdb.connect()
    types = dict(con.sql(f"select column_name, column_type from (describe select * from '{path}')").fetchall())
    assert types == {
        "week": "VARCHAR",
        "period_start": "DATE",
        "period_end": "DATE",
        "kpi_id": "VARCHAR",
        "scope_type": "VARCHAR",
        "scope_id": "VARCHAR",
        "value": "DOUBLE",
        "numerator": "DOUBLE",
        "denominator": "DOUBLE",
        "status": "VARCHAR",
    }
    frame = pl.read_parquet(path)
    # all, the provinces P1 and P2, the central bodies C1 and C2 (not the provincial committees): 5 x 25 KPIs
    assert frame.height == 5 * 25
    scopes = frame.select("scope_type", "scope_id").unique(maintain_order=True).rows()
    assert scopes == [("all", None), ("province", "P1"), ("province", "P2"), ("agency", "C1"), ("agency", "C2")]
    assert set(frame["week"]) == {"2026-W10"}
    assert set(frame["period_start"]) == {dt.date(2026, 3, 2)} and set(frame["period_end"]) == {dt.date(2026, 3, 8)}

    def row(kpi, scope_type, scope_id=None):
        wanted = (pl.col("kpi_id") == kpi) & (pl.col("scope_type") == scope_type)
        wanted &= pl.col("scope_id").is_null() if scope_id is None else pl.col("scope_id") == scope_id
        return frame.filter(wanted).select("value", "numerator", "denominator", "status").row(0)

    # all: E1..E5 in the week: (98 + 50 + 18 + 30 + 0) / (100 + 50 + 20 + 30 + 10); 0.933 < 0.95: red
    assert row("exchange_success_rate", "all") == pytest.approx((196 / 210, 196, 210, "red"))
    # P1 (P1C, P1X at one end): E1 98/100, E3 18/20, E4 30/30 -> 146/150 = 0.973: amber (>= 0.95, < 0.99)
    assert row("exchange_success_rate", "province", "P1") == pytest.approx((146 / 150, 146, 150, "amber"))
    # P2 (P2C, P2X): E2 50/50, E4 30/30 (E7 is after the week) -> 80/80 = 1.0: green
    assert row("exchange_success_rate", "province", "P2") == pytest.approx((1.0, 80, 80, "green"))
    # C2: only E5, 0 of 10 calls served -> 0.0: red (a zero, not a null: the denominator is 10)
    assert row("exchange_success_rate", "agency", "C2") == pytest.approx((0.0, 0, 10, "red"))
    # dossiers of P1: K1 10/10 + K2 22/30 = 32/40 = 0.8: green (>= 0.80); of P2: K3 6/30 = 0.2: red
    assert row("dossier_reuse_rate", "province", "P1") == pytest.approx((0.8, 32, 40, "green"))
    assert row("dossier_reuse_rate", "province", "P2") == pytest.approx((0.2, 6, 30, "red"))
    # C1 processes no dossier: 0/0 is null, and so is its status
    assert row("dossier_reuse_rate", "agency", "C1") == (None, 0.0, 0.0, None)
    # a plain count has no numerator, denominator or status: records in the week 1000 + 500 + 200 + 300 + 0
    assert row("records_exchanged", "all") == (2000.0, None, None, None)


def test_every_scope_equals_its_own_database(base):
    """The snapshot computes every scope in the `all` database; a scope's own database must give the same table."""
    from dashboard.engine.kpis import compute_kpis

    assert run(base, formats="parquet")[0] == 0
    frame = pl.read_parquet(base / "snapshots" / "2026-W10" / "kpis.parquet")
    for key in ("all", "province:P1", "province:P2", "agency:C1", "agency:C2"):
        scope = Scope.parse(key)
        own = compute_kpis(base, WEEK.period, scope)  # in the scope's own database
        rows = archive.scope_rows(frame, scope).select(own.columns)
        assert rows.equals(own, null_equal=True), key


def test_two_runs_give_identical_kpis(base):
    assert run(base, formats="parquet")[0] == 0
    path = base / "snapshots" / "2026-W10" / "kpis.parquet"
    first, first_bytes = pl.read_parquet(path), path.read_bytes()
    assert run(base, formats="parquet", force=True)[0] == 0
    second = pl.read_parquet(path)
    assert first.equals(second, null_equal=True)
    assert path.read_bytes() == first_bytes  # the bytes too: the writer is deterministic


# ---- the manifest and the ledger --------------------------------------------------------------------------------


def test_manifest_records_inputs_versions_parameters_and_parts(base):
    code, out, err = run(base)
    assert code == 0, err
    folder = base / "snapshots" / "2026-W10"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    inputs = {i["table"]: i for i in manifest["inputs"]}
    # rows of tests/tiny_fixture.py: 2 provinces, 6 agencies, 7 datasets, 7 exchange rows, 5 dossier rows, 16 checks
    assert {t: inputs[t]["rows"] for t in ("provinces", "agencies", "datasets", "exchanges_daily")} == {
        "provinces": 2,
        "agencies": 6,
        "datasets": 7,
        "exchanges_daily": 7,
    }
    assert (inputs["dossiers_daily"]["rows"], inputs["quality_checks"]["rows"]) == (5, 16)
    agencies = base / inputs["agencies"]["file"]
    assert inputs["agencies"]["sha256"] == hashlib.sha256(agencies.read_bytes()).hexdigest()
    assert manifest["code_version"]["dashboard"]
    assert manifest["parameters"]["week"] == "2026-W10" and manifest["parameters"]["report_scope"] == "all"
    assert dt.datetime.fromisoformat(manifest["created_at"]).utcoffset() == dt.timedelta(hours=7)
    assert manifest["duration_s"] > 0
    parts = manifest["parts"]
    assert {n: parts[n]["status"] for n in ("kpis", "report", "xlsx", "html")} == dict.fromkeys(
        ("kpis", "report", "xlsx", "html"), "ok"
    )
    assert parts["kpis"]["rows"] == 125
    # no Chromium here (DASHBOARD_CHROMIUM points at nothing): the PDF is skipped, said so, and why
    assert parts["pdf"]["status"] == "skipped" and "no-chromium" in parts["pdf"]["reason"]
    assert "SKIPPED" in out and "no-chromium" in out and "PDF SKIPPED" in err
    assert sorted(p.name for p in folder.iterdir()) == [
        "kpis.parquet",
        "manifest.json",
        "report.html",
        "report.xlsx",
    ]
    assert (
        manifest["outputs"]["kpis.parquet"]["sha256"]
        == hashlib.sha256((folder / "kpis.parquet").read_bytes()).hexdigest()
    )
    assert f"written to {folder}" in out.strip().splitlines()[-1]


def test_every_run_is_a_line_in_the_ledger(base):
    run(base, formats="parquet")
    run(base, formats="parquet")  # refused: exists
    run(base, "2026-W99")  # refused: not a week
    entries = [json.loads(line) for line in (base / "snapshots" / "ledger.jsonl").read_text().splitlines()]
    assert [e["status"] for e in entries] == ["ok", "refused", "failed"]
    assert [e["week"] for e in entries] == ["2026-W10", "2026-W10", None]
    first = entries[0]
    assert first["output"] == str(base / "snapshots" / "2026-W10") and first["error"] is None
    assert dt.datetime.fromisoformat(first["start"]) <= dt.datetime.fromisoformat(first["end"])
    assert "--force" in entries[1]["error"] and entries[1]["output"] is None
    assert "2026-W99" in entries[2]["error"]


# ---- week over week, from the stored snapshot -----------------------------------------------------------------


def test_changes_come_from_the_stored_previous_snapshot(base):
    # Re-querying 2026-W09 would give E6 30/60 = 0.5; the stored snapshot says 0.995 (green): the change must use it.
    store_week(base, Week(2026, 9), {"exchange_success_rate": (0.995, "green"), "dossier_reuse_rate": (0.5, "amber")})
    code, _, err = run(base, formats="parquet,xlsx,html")
    assert code == 0, err
    assert "against the stored snapshot of 2026-W09" in err
    html = (base / "snapshots" / "2026-W10" / "report.html").read_text(encoding="utf-8")
    # 196/210 - 0.995 = -0.0617 -> "-6,2 điểm %"; red now, green before
    cards = {
        c[0]: re.sub(r"<[^>]+>", " ", c[1])
        for c in re.findall(r'data-kpi="(\w+)"(.*?)(?=data-kpi=|</section>)', html, re.S)
    }
    card = " ".join(cards["exchange_success_rate"].split())
    assert "-6,2 điểm % so với 2026-W09" in card and "tuần trước: Đạt" in card
    assert "Thay đổi được tính so với báo cáo tuần 2026-W09 đã lưu" in html
    # 38/70 - 0.5 = +0.0429 -> "+4,3 điểm %"
    assert "+4,3 điểm % so với 2026-W09" in " ".join(cards["dossier_reuse_rate"].split())
    kpis = pl.read_excel(base / "snapshots" / "2026-W10" / "report.xlsx", sheet_name="Chỉ số")
    success = kpis.filter(pl.col("Mã chỉ số") == "exchange_success_rate").row(0, named=True)
    assert success["Tuần 2026-W09 (đã lưu)"] == pytest.approx(0.995)
    assert success["Thay đổi"] == pytest.approx((196 / 210 - 0.995) * 100)  # points of a percentage
    assert success["Trạng thái"] == "Chưa đạt" and success["Trạng thái tuần 2026-W09"] == "Đạt"


def test_without_a_stored_previous_week_the_report_says_so(base):
    code, _, err = run(base, formats="parquet,html")
    assert code == 0 and "no stored snapshot of 2026-W09" in err
    html = (base / "snapshots" / "2026-W10" / "report.html").read_text(encoding="utf-8")
    assert "Chưa có báo cáo tuần 2026-W09 được lưu" in html
    assert "so với 2026-W09" not in html


def test_stored_comparison_only_for_exactly_one_iso_week(base):
    store_week(base, Week(2026, 9), {"exchange_success_rate": (0.995, "green")})
    stored = snapshot.stored_comparison(base, Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)), Scope())
    assert stored is not None and stored.week == Week(2026, 9)
    values = dict(stored.values.select("kpi_id", "previous_value").rows())
    assert values["exchange_success_rate"] == 0.995
    # Tuesday to Monday is seven days but not an ISO week; two weeks is not one week
    assert snapshot.stored_comparison(base, Period(dt.date(2026, 3, 3), dt.date(2026, 3, 9)), Scope()) is None
    assert snapshot.stored_comparison(base, Period(dt.date(2026, 2, 23), dt.date(2026, 3, 8)), Scope()) is None
    # the hand-made snapshot holds only `all`: a province has no stored row, so no stored comparison
    assert (
        snapshot.stored_comparison(base, Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)), Scope.parse("province:P1"))
        is None
    )


# ---- the report's formats and scopes ------------------------------------------------------------------------------


def test_xlsx_has_cover_kpis_scopes_sections_and_sql_pages(base):
    assert run(base, formats="xlsx")[0] == 0
    path = base / "snapshots" / "2026-W10" / "report.xlsx"
    sheets = pl.read_excel(path, sheet_id=0, has_header=False)
    assert list(sheets)[:3] == ["Bìa", "Chỉ số", "Theo phạm vi"]
    pages = {"Tổng quan", "Chia sẻ dữ liệu", "Tái sử dụng dữ liệu", "Chất lượng dữ liệu", "Lộ trình 2025-2030"}
    assert pages | {"Quản trị và từ điển dữ liệu"} <= set(sheets)
    # the page marked `snapshot: true` has its sheet (named by its menu title); the other page has none
    assert "Danh sách tỉnh" in sheets and not any("Không đưa vào" in s for s in sheets)
    provinces = sheets["Danh sách tỉnh"]
    assert provinces.row(2) == ("Mã tỉnh", "Tên tỉnh") and provinces.row(3) == ("P1", "Tỉnh P1")
    cover = dict(sheets["Bìa"].drop_nulls().rows())
    assert cover["Tuần"] == "2026-W10" and cover["Phạm vi"] == "Toàn hệ thống"
    assert cover["Phiên bản dữ liệu"] == snapshot.data_version(base)
    kpis = pl.read_excel(path, sheet_name="Chỉ số")
    success = kpis.filter(pl.col("Mã chỉ số") == "exchange_success_rate").row(0, named=True)
    assert success["Chỉ số"] == "Tỷ lệ giao dịch thành công"  # Vietnamese intact
    assert success["Giá trị"] == pytest.approx(196 / 210) and success["Trạng thái"] == "Chưa đạt"
    assert "÷" in success["Công thức"]
    assert pl.read_excel(path, sheet_name="Theo phạm vi").height == 125
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        frozen = [n for n in names if 'state="frozen"' in z.read(n).decode()]
        styles = z.read("xl/styles.xml").decode()
    assert len(frozen) == len(names) - 1  # every sheet but the cover keeps its header row in view
    assert 'formatCode="0.0%"' in styles and 'formatCode="dd/mm/yyyy"' in styles


def test_a_province_report_goes_to_its_own_folder(base):
    code, out, err = run(base, formats="parquet,html", report_scope="province:P1")
    assert code == 0, err
    folder = base / "snapshots" / "scopes" / "province-P1" / "2026-W10"
    assert f"written to {folder}" in out
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Tỉnh P1" in html
    assert ">97,3%<" in html  # P1's exchange success: 146/150
    assert not (base / "snapshots" / "2026-W10").exists()
    # a province's archive holds its own KPIs only (issue 12, finding 3): 25 KPIs of P1, no other scope's row
    stored = pl.read_parquet(folder / "kpis.parquet")
    assert stored.height == 25 and stored.select("scope_type", "scope_id").unique().rows() == [("province", "P1")]
    code, _, err = run(base, formats="parquet", report_scope="province:ZZ")
    assert code == snapshot.EXIT_USAGE and "province:ZZ" in err


def test_readme_and_deploy_files_describe_the_command():
    """The docs stay honest: every option of the command is in the README, and both schedules run it."""
    from dashboard.cli import _parser

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = _parser()._subparsers._group_actions[0].choices["snapshot"]
    options = {o for o in command._option_string_actions if o.startswith("--") and o != "--help"}
    assert options and all(o in readme for o in options), options
    assert "deploy/snapshot.cron" in readme and "deploy/dashboard-snapshot.timer" in readme
    for name in ("snapshot.cron", "dashboard-snapshot.service"):
        assert "-m dashboard snapshot" in (root / "deploy" / name).read_text(encoding="utf-8")
    timer = (root / "deploy" / "dashboard-snapshot.timer").read_text(encoding="utf-8")
    assert "OnCalendar=Mon" in timer and "Asia/Ho_Chi_Minh" in timer and "Persistent=true" in timer


def test_the_html_report_escapes_what_the_data_holds(tiny_base, tmp_path):
    """report.html comes from an autoescaped template: markup in a scope's name and in a table cell is shown as
    text, and the print footer's CSS string cannot close the <style> element."""
    from dashboard.weekly.report import Section, Table
    from dashboard.weekly.report.html import css_string, render_html

    base = fresh_base(tiny_base, tmp_path)
    names = snapshot.scope_names(base, "vi")
    kpis = snapshot.snapshot_kpis(base, WEEK, [Scope()])
    report, _ = snapshot.make_report(base, WEEK, Scope(), kpis, names, "vi", snapshot.now(), "v", "c")
    evil = '"</style><script>alert(1)</script>'
    report.scope_name = evil
    frame = pl.DataFrame({"name": ["<b>Đậm</b> & co"], "n": [1234], "outcome": ["◆ Quá hạn"]})
    report.sections.append(
        Section(
            key="x",
            title="<i>T</i>",
            tables=[Table("t", "Bảng <x>", frame, {"name": "Tên", "n": "Số", "outcome": "Kết quả"})],
        )
    )
    html = render_html(report)
    body = html.split("</style>", 1)[1]
    assert "<script>alert(1)" not in html and "<b>Đậm" not in html and "<i>T</i>" not in html
    assert "&lt;b&gt;Đậm&lt;/b&gt; &amp; co" in body and "&#34;&lt;/style&gt;&lt;script&gt;" in body
    assert "Bảng &lt;x&gt;" in body and ">1.234<" in body
    assert html.count("</style>") == 1  # the footer's string did not end the style element
    assert css_string('a"<') == '"a\\22 \\3c "'
    # a status mark is coloured by its shape (no colour emoji font needed on the server that prints the PDF)
    assert '<td style="color: #dc3b42">◆ Quá hạn</td>' in body
