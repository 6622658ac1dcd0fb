"""Curation of raw extracts (dashboard/data/curate.py) on the samples of tests/curate_fixtures/source/.

The samples sit on top of the tiny data set (tests/tiny_fixture.py): every expected count below is
read off the row comments of tests/curate_fixtures/make_fixtures.py, one row per kind of input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from test_scope_databases import assert_same_kpis_in_own_database
from tiny_fixture import write_tiny

import dashboard.data.curate as curate_mod
from dashboard.config import table_files
from dashboard.data.check import check_data_dir
from dashboard.data.curate import CurateError, curate, format_report
from dashboard.data.extracts import sniff_separator
from dashboard.data.scope_files import scope_files_state
from dashboard.data.shrink import Limits
from dashboard.period import Period
from dashboard.scope import Scope

# The samples quarantine many rows on purpose (9 of 17 exchanges): their runs accept it explicitly.
ACCEPT = Limits(accept=True)

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "curate_fixtures" / "source"
A, B = "exchanges_daily/a.csv", "exchanges_daily/b.csv"

# (source file, data row, reason) of every quarantined row, per table, in file order.
QUARANTINE = {
    "agencies": [
        ("agencies.csv", 9, "enum: level 'district' is not one of central, provincial, commune, external"),
        ("agencies.csv", 10, "fk: parent_agency_id 'Q1' is not a known agencies"),
        ("agencies.csv", 11, "rule central_has_no_province: a central or external body must not have a province_code"),
        ("agencies.csv", 12, "fk: province_code 'P9' is not a known provinces"),
    ],
    "exchanges_daily": [
        (A, 5, "fk: provider_agency_id 'ZZZ' is not a known agencies"),
        (A, 6, "fk: dataset_id 'D99' is not a known datasets"),
        (A, 7, "rule calls_ok_le_calls: calls_ok > calls"),
        (A, 8, "type: calls 'abc' is not a whole number"),
        (A, 9, "missing: dataset_id is required"),
        (A, 10, "enum: channel 'fax' is not one of api, file, manual"),
        (A, 13, "rule latency_only_for_api: p95_latency_ms is set for a non-API channel"),
        (A, 14, "type: exchange_date '31/02/2026' is not a date (dd/mm/yyyy or yyyy-mm-dd)"),
        (A, 15, "rule consumer_not_provider: consumer_agency_id equals provider_agency_id"),
    ],
    "dossiers_daily": [
        ("dossiers_daily.csv", 2, "rule reusing_le_dossiers: dossiers_reusing > dossiers"),
        ("dossiers_daily.csv", 3, "range: dossiers '-3' must be >= 0; missing: dossiers_reusing is required"),
        ("dossiers_daily.csv", 5, "type: dossiers '7,5' is not a whole number"),
        ("dossiers_daily.csv", 6, "fk: agency_id 'NOPE' is not a known agencies"),
    ],
    "quality_checks": [
        ("quality_checks.xlsx", 3, "fk: rule_id 'R9' is not a known quality_rules"),
        ("quality_checks.xlsx", 4, "rule passed_le_checked: records_passed > records_checked"),
        ("quality_checks.xlsx", 5, "type: check_date '2026-13-45' is not a date (dd/mm/yyyy or yyyy-mm-dd)"),
        ("quality_checks.xlsx", 6, "range: records_checked '0' must be > 0"),
    ],
    "roadmap_updates": [
        ("roadmap_updates.parquet", 2, "rule week_start_is_monday: week_start is not a Monday"),
        ("roadmap_updates.parquet", 3, "range: pct_complete '150' must be >= 0 and <= 100"),
        ("roadmap_updates.parquet", 4, "rule completed_only_when_done: completed_on is set but status is not done"),
    ],
}

# (read, loaded, quarantined, duplicates dropped) in replace mode.
REPLACE_COUNTS = {
    "agencies": (12, 7, 4, 1),  # 12 rows: 6 tiny bodies + P1Y twice (the first superseded) + 4 bad
    "exchanges_daily": (17, 6, 9, 2),  # a.csv 15 rows + b.csv 2; a.csv rows 2 and 11 superseded
    "dossiers_daily": (6, 2, 4, 0),  # rows 1 and 4 valid; row 5 shares row 4's key but is invalid
    "quality_checks": (6, 2, 4, 0),
    "roadmap_updates": (4, 1, 3, 0),
}


def _tiny(tmp_path: Path) -> Path:
    base = tmp_path / "data"
    write_tiny(base)
    return base


def _curated_hashes(base: Path) -> dict[str, str]:
    cur = base / "curated"
    return {str(p.relative_to(cur)): hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(cur.rglob("*.parquet"))}


def _rows(base: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(table_files(base, table))


def test_replace_counts_reasons_and_identity(tmp_path):
    base = _tiny(tmp_path)
    report = curate(base, SOURCE, "replace", run_id="r1", limits=ACCEPT)
    assert report.status == "ok"
    for table, (read, loaded, quarantined, dropped) in REPLACE_COUNTS.items():
        t = report.tables[table]
        assert (t.read, t.loaded, t.quarantined, t.duplicates_dropped) == (read, loaded, quarantined, dropped), table
        assert t.read == t.loaded + t.quarantined + t.duplicates_dropped
        assert t.rows_after == loaded  # replace: the table is exactly this run's rows
    for table in ("provinces", "datasets", "dictionary_terms", "data_elements", "quality_rules", "roadmap_items"):
        assert report.tables[table].action == "kept"
    assert report.ignored_files == ["README.md"]

    qdir = base / "quarantine" / "r1"
    for table, expected in QUARANTINE.items():
        q = pl.read_parquet(qdir / f"{table}.parquet")
        assert list(zip(q["source_file"], q["source_row"], q["reason"])) == expected, table
    assert not (qdir / "provinces.parquet").exists()
    # Reasons counted by kind (a row with two reasons counts under both).
    assert report.tables["dossiers_daily"].reasons == {
        "fk: agency_id": 1,
        "missing: dossiers_reusing": 1,
        "range: dossiers": 1,
        "rule reusing_le_dossiers": 1,
        "type: dossiers": 1,
    }
    dups = pl.read_parquet(qdir / "exchanges_daily__dropped_duplicates.parquet")
    assert list(zip(dups["source_file"], dups["source_row"], dups["reason"])) == [
        (A, 2, f"duplicate key: superseded by {B} row 1"),  # the later file wins
        (A, 11, f"duplicate key: superseded by {A} row 12"),  # the later row wins
    ]
    saved = json.loads((qdir / "report.json").read_text(encoding="utf-8"))
    assert saved["status"] == "ok"
    assert saved["tables"]["exchanges_daily"]["read"] == 17
    assert all(t["balanced"] for t in saved["tables"].values())
    # The quarantine keeps the rows as they were read (text), so they can be fixed and sent again.
    q = pl.read_parquet(qdir / "exchanges_daily.parquet")
    assert q.filter(pl.col("source_row") == 8)["calls"].to_list() == ["abc"]
    assert check_data_dir(base) == []
    # The scope files were rewritten in the same swap, from the new tables (dashboard/data/scope_files.py).
    assert scope_files_state(base)[0] == "fresh"
    for code in ("P1", "P2"):
        assert_same_kpis_in_own_database(
            base, Scope("province", code), Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
        )


def test_values_are_parsed_the_vietnamese_way(tmp_path):
    base = _tiny(tmp_path)
    curate(base, SOURCE, "replace", run_id="r1", limits=ACCEPT)
    ex = _rows(base, "exchanges_daily").sort("exchange_date", "consumer_agency_id")
    first = ex.row(1, named=True)  # a.csv row 1: 10/03/2026 C1 -> P1C, records 1.000, p95 120,5
    assert str(first["exchange_date"]) == "2026-03-10"
    assert (first["consumer_agency_id"], first["records"], first["p95_latency_ms"]) == ("P1C", 1000, 120.5)
    winner = ex.filter((pl.col("consumer_agency_id") == "P2C") & (pl.col("provider_agency_id") == "C1")).row(
        0, named=True
    )
    assert (winner["calls"], winner["p95_latency_ms"]) == (45, 101.5)  # b.csv row 1 wins over a.csv row 2
    doss = _rows(base, "dossiers_daily").sort("dossier_date")
    assert doss["fields_total"].to_list() == [1234, 70]  # "1.234" is 1234; row 4's "7,0" is 7
    assert doss["dossiers"].to_list() == [12, 7]
    agencies = _rows(base, "agencies")
    p1y = agencies.filter(pl.col("agency_id") == "P1Y").row(0, named=True)
    assert p1y["name_vi"] == "Đảng ủy xã P1Y" and unicodedata.is_normalized("NFC", p1y["name_vi"])
    assert dict(zip(agencies["agency_id"], agencies["is_pilot"]))["P1C"] is True  # "có"
    checks = _rows(base, "quality_checks").sort("dataset_id")
    assert [str(d) for d in checks["check_date"]] == ["2026-03-12", "2026-03-12"]  # a date cell and 12/03/2026
    assert _rows(base, "roadmap_updates")["pct_complete"].to_list() == [55.5]  # "55,5"


def test_append_adds_new_days_and_is_idempotent(tmp_path):
    base = _tiny(tmp_path)
    tiny_exchanges = _rows(base, "exchanges_daily").height  # 7 rows, E7 = 2026-03-09 P2C -> P2X D4 api
    first = curate(base, SOURCE, "append", run_id="a1", limits=ACCEPT).tables["exchanges_daily"]
    # 6 valid winners, one of which (a.csv row 4) has E7's key: already curated, not loaded again.
    assert (first.read, first.loaded, first.quarantined, first.duplicates_dropped) == (17, 5, 9, 3)
    assert (first.duplicates_in_source, first.already_curated) == (2, 1)
    assert first.rows_after == tiny_exchanges + 5
    after_first = _curated_hashes(base)
    e7 = _rows(base, "exchanges_daily").filter(pl.col("consumer_agency_id") == "P2X")
    assert e7["calls"].to_list() == [10]  # the curated E7, unchanged

    second = curate(base, SOURCE, "append", run_id="a2", limits=ACCEPT)
    ex = second.tables["exchanges_daily"]
    assert (ex.read, ex.loaded, ex.quarantined, ex.duplicates_dropped) == (17, 0, 9, 8)
    assert (ex.duplicates_in_source, ex.already_curated) == (2, 6)
    assert ex.rows_after == tiny_exchanges + 5
    for table in ("dossiers_daily", "quality_checks", "roadmap_updates"):
        t = second.tables[table]
        assert t.loaded == 0 and t.read == t.quarantined + t.duplicates_dropped, table
    # Dimensions merge by key (the source's row wins): P1Y added once, tiny's C1 renamed by the source.
    agencies = _rows(base, "agencies")
    assert agencies.height == 7 and agencies.filter(pl.col("agency_id") == "P1Y").height == 1
    facts = ("exchanges_daily", "dossiers_daily", "quality_checks", "roadmap_updates")
    assert {k: v for k, v in _curated_hashes(base).items() if k.split("/")[0].split(".")[0] in facts} == {
        k: v for k, v in after_first.items() if k.split("/")[0].split(".")[0] in facts
    }
    assert check_data_dir(base) == []


def test_failure_mid_run_leaves_previous_data_intact(tmp_path, monkeypatch):
    base = _tiny(tmp_path)
    curate(
        base, SOURCE, "append", run_id="ok1", limits=ACCEPT
    )  # previous curated data: tiny + the samples, with rollups
    before = _curated_hashes(base)
    real = curate_mod._write_table
    calls = []

    def failing_writer(con, select_sql, target):
        if calls:
            raise OSError("disk full (injected)")
        calls.append(target)
        real(con, select_sql, target)

    monkeypatch.setattr(curate_mod, "_write_table", failing_writer)
    with pytest.raises(OSError, match="injected"):
        curate(base, SOURCE, "replace", run_id="bad1", limits=ACCEPT)
    assert len(calls) == 1  # the first table was written (in the stage), then the writer failed
    assert _curated_hashes(base) == before
    assert not list(base.glob(".curate-*")) and not list(base.glob(".curated-previous-*"))
    saved = json.loads((base / "quarantine" / "bad1" / "report.json").read_text(encoding="utf-8"))
    assert saved["status"] == "failed" and "injected" in saved["error"]
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "check", "--data-dir", str(base)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_unreadable_file_stops_the_run(tmp_path):
    base = _tiny(tmp_path)
    before = _curated_hashes(base)
    source = tmp_path / "src"
    source.mkdir()
    # Windows-1258 (legacy Vietnamese code page): combining marks, bytes that are not UTF-8.
    (source / "agencies.csv").write_bytes(
        unicodedata.normalize("NFD", "agency_id;name_vi\nX;Tỉnh ủy\n").encode("cp1258")
    )
    with pytest.raises(CurateError, match="neither UTF-8 nor UTF-16"):
        curate(base, source, "replace", run_id="enc")
    assert _curated_hashes(base) == before


def test_replacing_a_dimension_must_not_orphan_kept_rows(tmp_path):
    base = _tiny(tmp_path)
    before = _curated_hashes(base)
    source = tmp_path / "src"
    source.mkdir()
    (source / "agencies.csv").write_text(
        "agency_id,name_vi,name_en,level,parent_agency_id,province_code,is_pilot\nC1,A,A,central,,,true\n",
        encoding="utf-8",
    )
    with pytest.raises(CurateError, match="would orphan"):
        curate(base, source, "replace", run_id="orphan")
    assert _curated_hashes(base) == before


def test_a_dimension_curated_alone_rebuilds_the_rollups_that_join_it(tmp_path):
    """agencies.csv alone moves P2X to province P1: exchange_flows_weekly (it joins agencies) is rebuilt, the rollups of
    the unchanged facts are not, and every rollup is fresh after; P1 then has E7 (P2C -> P2X, 10/10) as its row."""
    from dashboard.data.rollups import ROLLUPS, build_rollups, rollup_state
    from dashboard.engine.db import DATABASES
    from dashboard.engine.kpis import compute_kpis

    base = _tiny(tmp_path)
    build_rollups(base)  # every rollup there, fresh
    source = tmp_path / "src"
    source.mkdir()
    (source / "agencies.csv").write_text(
        "agency_id,name_vi,name_en,level,parent_agency_id,province_code,is_pilot\n"
        "P2X,Xã P2X,Commune P2X,commune,P2C,P1,false\n",
        encoding="utf-8",
    )
    report = curate(base, source, "append", run_id="r1")
    assert sorted(report.rollups) == ["exchange_flows_weekly"]
    assert {r.name: rollup_state(base, r) for r in ROLLUPS.values()} == dict.fromkeys(ROLLUPS, "fresh")
    DATABASES.clear()
    week = Period(dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    rate = compute_kpis(base, week, Scope("province", "P1")).filter(pl.col("kpi_id") == "exchange_success_rate")
    assert (rate["numerator"][0], rate["denominator"][0]) == (10, 10)


def test_cli_prints_the_identity(tmp_path):
    base = _tiny(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "curate",
            "--source",
            str(SOURCE),
            "--data-dir",
            str(base),
            "--accept-shrink",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "read =    loaded + quarantined + duplicates dropped" in done.stdout
    line = next(x for x in done.stdout.splitlines() if x.startswith("exchanges_daily "))
    assert line.split()[1:8] == ["17", "=", "6", "+", "9", "+", "2"]
    # Progress on stderr, a pipe here as in a log (cron, systemd): one plain line per file with the rows read from
    # it, then the table's outcome (REPLACE_COUNTS), then the rollups. Rows per file, read off the samples: a.csv has
    # 15 data rows (its 17th line has every cell empty: not a row), b.csv 2, agencies.csv 12, dossiers_daily.csv 6,
    # quality_checks.xlsx 6, roadmap_updates.parquet 4. exchanges_daily: a.csv is file 1 of 2 (50 %).
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    assert done.stderr.splitlines()[:11] == [
        "agencies          100%  agencies.csv: 12 rows read",
        "agencies          100%  1 file, 12 rows read: 7 loaded, 4 quarantined, 1 duplicates dropped",
        "exchanges_daily    50%  exchanges_daily/a.csv: 15 rows read",
        "exchanges_daily   100%  exchanges_daily/b.csv: 2 rows read",
        "exchanges_daily   100%  2 files, 17 rows read: 6 loaded, 9 quarantined, 2 duplicates dropped",
        "dossiers_daily    100%  dossiers_daily.csv: 6 rows read",
        "dossiers_daily    100%  1 file, 6 rows read: 2 loaded, 4 quarantined, 0 duplicates dropped",
        "quality_checks    100%  quality_checks.xlsx: 6 rows read",
        "quality_checks    100%  1 file, 6 rows read: 2 loaded, 4 quarantined, 0 duplicates dropped",
        "roadmap_updates   100%  roadmap_updates.parquet: 4 rows read",
        "roadmap_updates   100%  1 file, 4 rows read: 1 loaded, 3 quarantined, 0 duplicates dropped",
    ]
    rollups = done.stderr.splitlines()[11]
    assert rollups.startswith("rollups           100%  ") and "exchanges_weekly" in rollups
    assert len(done.stderr.splitlines()) == 12


def test_progress_on_a_terminal_is_one_redrawn_line_per_table(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    report = curate(_tiny(tmp_path), SOURCE, "replace", limits=ACCEPT, progress=True, stream=tty)
    assert report.status == "ok"
    lines = tty.getvalue().split("\n")
    # one line per table in the source (5) and the rollups, each ended once, each redrawn with \r
    assert len(lines) == 7 and lines[-1] == ""
    assert [x.rsplit("\r", 1)[1].split()[0] for x in lines[:6]] == [
        "agencies",
        "exchanges_daily",
        "dossiers_daily",
        "quality_checks",
        "roadmap_updates",
        "rollups",
    ]
    exchanges = lines[1].split("\r")
    # drawn at 0 %, after a.csv (1 of 2 files: 50 %), after b.csv, while checking, and at the end
    assert any("[##########----------]  50% exchanges_daily/a.csv: 15 rows read" in x for x in exchanges)
    assert "checking 17 rows" in lines[1]
    assert "2 files, 17 rows read: 6 loaded, 9 quarantined, 2 duplicates dropped" in exchanges[-1]


def test_no_progress_unless_asked(tmp_path, capsys):
    curate(_tiny(tmp_path), SOURCE, "replace", limits=ACCEPT)
    assert capsys.readouterr().err == ""


def test_report_text_flags_an_imbalance():
    from dashboard.data.curate import RunReport, TableReport

    report = RunReport("x", "replace", "src", "data", "now")
    report.tables["agencies"] = TableReport("agencies", "replaced", read=3, loaded=1, quarantined=1, rows_after=1)
    assert "DOES NOT ADD UP" in format_report(report)


@pytest.mark.parametrize(
    ("header", "sep"),
    [("a;b;c", ";"), ("a,b,c", ","), ("a\tb\tc", "\t"), ('"x;y",b,c', ","), ("a", ",")],
)
def test_sniff_separator(header, sep):
    assert sniff_separator(header) == sep


def test_kpi_targets_scope_fk_by_type_and_unique_target(tmp_path):
    """kpi_targets: scope_id must be a province for province targets and a body for agency targets; two targets
    for the same (kpi, scope, date) are both quarantined (which one is meant cannot be guessed); a repeated
    target_id is a correction (the last wins) and no conflict with itself."""
    base = _tiny(tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    (src / "kpi_targets.csv").write_text(
        "target_id,kpi_id,scope_type,scope_id,target_date,target_value,phase,basis_vi,basis_en\n"
        "T1,dossier_reuse_rate,all,,2026-12-31,0.8,2025-2026,Dự thảo,Draft\n"  # row 1: clashes with row 5
        "T2,dossier_reuse_rate,province,P1,2026-12-31,0.9,2025-2026,Tỉnh,Province\n"  # row 2: superseded by 7
        "T3,prefill_rate,province,P9,2026-12-31,0.5,2025-2026,Tỉnh,Province\n"  # row 3: no province P9
        "T4,prefill_rate,agency,P1,2026-12-31,0.5,2025-2026,Cơ quan,Body\n"  # row 4: P1 is no body
        "T5,dossier_reuse_rate,all,,2026-12-31,0.7,2025-2026,Khác,Other\n"  # row 5: same kpi/scope/date as T1
        "T6,exchange_success_rate,agency,P1C,2030-12-31,0.99,2028-2030,Cơ quan,Body\n"  # row 6: valid
        "T2,dossier_reuse_rate,province,P1,2026-12-31,0.85,2025-2026,Tỉnh,Province\n",  # row 7: corrects row 2
        encoding="utf-8",
    )
    report = curate(base, src, limits=ACCEPT)
    t = report.tables["kpi_targets"]
    # 7 read = 2 loaded (T2 as corrected, T6) + 4 quarantined (T1, T3, T4, T5) + 1 superseded (row 2)
    assert (t.read, t.loaded, t.quarantined, t.duplicates_dropped) == (7, 2, 4, 1)
    q = pl.read_parquet(base / "quarantine" / report.run_id / "kpi_targets.parquet")
    unique = "unique: (kpi_id, scope_type, scope_id, target_date) is shared with another row"
    assert list(zip(q["source_row"], q["reason"])) == [
        (1, unique),
        (3, "fk: scope_id 'P9' is not a known provinces"),
        (4, "fk: scope_id 'P1' is not a known agencies"),
        (5, unique),
    ]
    rows = _rows(base, "kpi_targets").sort("target_id")
    assert rows["target_id"].to_list() == ["T2", "T6"]
    assert rows["target_value"].to_list() == [0.85, 0.99]
    assert check_data_dir(base) == []


def test_kpi_targets_absent_is_kept_absent(tmp_path):
    base = _tiny(tmp_path)
    assert not table_files(base, "kpi_targets")
    report = curate(base, SOURCE, limits=ACCEPT)
    assert report.tables["kpi_targets"].action == "kept"
    assert any("optional" in n for n in report.tables["kpi_targets"].notes)
    assert check_data_dir(base) == []
