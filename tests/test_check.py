"""Tests for dashboard.data.check: a tiny valid data dir, then one mutation per kind of violation."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # runnable from any directory, with or without conftest.py
    sys.path.insert(0, str(REPO_ROOT))

from dashboard.config import curated_dir
from dashboard.data.check import check_data_dir, check_data_dir_detailed, format_report, run_check
from dashboard.data.contract import TABLES
from dashboard.data.io import write_table

D = dt.date
VALID: dict[str, dict[str, list]] = {
    "provinces": {
        "province_code": ["HNI", "HCM"],
        "name_vi": ["Hà Nội", "Hồ Chí Minh"],
        "name_en": ["Ha Noi", "Ho Chi Minh City"],
        "region": ["Red River Delta", "Southeast"],
    },
    "agencies": {
        "agency_id": ["VPTW", "HNI_TU", "HCM_TU"],
        "name_vi": ["Văn phòng Trung ương Đảng", "Thành ủy Hà Nội", "Thành ủy TP.HCM"],
        "name_en": ["Central Party Office", "Ha Noi Party Committee", "HCMC Party Committee"],
        "level": ["central", "provincial", "provincial"],
        "parent_agency_id": [None, "VPTW", "VPTW"],
        "province_code": [None, "HNI", "HCM"],
        "is_pilot": [False, True, False],
    },
    "datasets": {
        "dataset_id": ["DS1", "DS2"],
        "name_vi": ["CSDL đảng viên", "Danh mục tổ chức"],
        "name_en": ["Party members", "Organisations"],
        "owner_agency_id": ["VPTW", None],
        "steward": ["Cục CNTT", None],
        "data_layer": ["master", "reference"],
        "sharing_class": ["shared", "restricted"],
        "is_key_database": [True, False],
        "lifecycle_stage": ["operating", "building"],
        "api_enabled": [True, False],
        "metadata_complete": [True, False],
        "update_interval_hours": [24, 168],
    },
    "dictionary_terms": {
        "term_id": ["T1", "T2"],
        "name_vi": ["Họ tên", "Ngày sinh"],
        "name_en": ["Full name", "Date of birth"],
        "definition_vi": ["Họ và tên", "Ngày sinh"],
        "definition_en": ["Full name", "Date of birth"],
        "data_type": ["text", "date"],
        "code_table": [None, None],
    },
    "data_elements": {
        "element_id": ["E1", "E2"],
        "dataset_id": ["DS1", "DS2"],
        "field_name": ["ho_ten", "ma_to_chuc"],
        "term_id": ["T1", None],
        "is_mandatory": [True, False],
        "is_identifier": [False, True],
    },
    "quality_rules": {
        "rule_id": ["R1", "R2"],
        "criterion": ["correct", "live"],
        "dimension": ["accuracy", "timeliness"],
        "description_vi": ["Đúng định dạng", "Cập nhật kịp thời"],
        "description_en": ["Valid format", "Updated on time"],
        "weight": [1.0, 0.5],
    },
    "roadmap_items": {
        "item_id": ["I1", "I2"],
        "parent_item_id": [None, "I1"],
        "pillar": ["strategy", "dictionary"],
        "phase": ["2025-2026", "2026-2028"],
        "title_vi": ["Ban hành chiến lược", "Từ điển dữ liệu"],
        "title_en": ["Adopt the strategy", "Data dictionary"],
        "owner_agency_id": ["VPTW", "HNI_TU"],
        "is_milestone": [True, False],
        "weight": [1.0, 0.4],
        "planned_start": [D(2025, 9, 1), D(2026, 1, 1)],
        "planned_due": [D(2025, 12, 31), D(2026, 6, 30)],
    },
    "exchanges_daily": {
        "exchange_date": [D(2026, 1, 5), D(2026, 1, 5)],
        "provider_agency_id": ["VPTW", "HNI_TU"],
        "consumer_agency_id": ["HNI_TU", "HCM_TU"],
        "dataset_id": ["DS1", "DS2"],
        "channel": ["api", "file"],
        "calls": [100, 10],
        "calls_ok": [95, 10],
        "records": [1000, 50],
        "p95_latency_ms": [120.5, None],
    },
    "dossiers_daily": {
        "dossier_date": [D(2026, 1, 5), D(2026, 1, 6)],
        "agency_id": ["HNI_TU", "HCM_TU"],
        "procedure_code": ["CHUYEN_SH", "KET_NAP"],
        "procedure_name_vi": ["Chuyển sinh hoạt đảng", "Kết nạp đảng viên"],
        "procedure_name_en": ["Party member transfer", "Admission"],
        "dossiers": [20, 5],
        "dossiers_reusing": [12, 0],
        "fields_total": [400, 100],
        "fields_prefilled": [250, 0],
    },
    "quality_checks": {
        "check_date": [D(2026, 1, 5), D(2026, 1, 5)],
        "dataset_id": ["DS1", "DS2"],
        "rule_id": ["R1", "R2"],
        "records_checked": [1000, 10],
        "records_passed": [990, 10],
    },
    "roadmap_updates": {
        "week_start": [D(2026, 1, 5), D(2026, 1, 5)],  # a Monday
        "item_id": ["I1", "I2"],
        "pct_complete": [100.0, 40.0],
        "status": ["done", "in_progress"],
        "completed_on": [D(2025, 12, 20), None],
        "note_vi": ["Đã ban hành", None],
    },
    "kpi_targets": {  # optional table: one national target, one of a province, one of a body
        "target_id": ["TG1", "TG2", "TG3"],
        "kpi_id": ["dossier_reuse_rate", "dossier_reuse_rate", "prefill_rate"],
        "scope_type": ["all", "province", "agency"],
        "scope_id": [None, "HNI", "HCM_TU"],
        "target_date": [D(2026, 12, 31), D(2026, 12, 31), D(2028, 12, 31)],
        "target_value": [0.8, 0.9, 0.5],
        "phase": ["2025-2026", "2025-2026", "2026-2028"],
        "basis_vi": ["Dự thảo chiến lược", "Kế hoạch của tỉnh", "Kế hoạch của cơ quan"],
        "basis_en": ["Draft strategy", "Province plan", "Body plan"],
    },
}


def _write_valid(base: Path) -> None:
    assert set(VALID) == set(TABLES), "the fixture must cover every contract table"
    for table, data in VALID.items():
        write_table(base, table, pl.DataFrame(data, strict=False))


@pytest.fixture
def base(tmp_path: Path) -> Path:
    _write_valid(tmp_path)
    return tmp_path


def path_of(base: Path, table: str) -> Path:
    return curated_dir(base) / f"{table}.parquet"


def read(base: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(path_of(base, table))


def write_raw(base: Path, table: str, df: pl.DataFrame) -> None:
    """Write a table as given, without conforming it to the contract."""
    df.write_parquet(path_of(base, table))


def only(violations, kind=None):
    assert len(violations) == 1, violations
    v = violations[0]
    if kind:
        assert v.kind == kind, v
    return v


# --------------------------------------------------------------------------- valid data


def test_valid_fixture_has_no_violations(base, capsys):
    assert check_data_dir(base) == []
    assert run_check(base) == 0
    out = capsys.readouterr().out
    assert "All 12 tables satisfy the contract" in out
    assert "exchanges_daily" in out and "OK" in out


def test_folder_of_files_is_read_as_one_table(base):
    df = read(base, "exchanges_daily")
    path_of(base, "exchanges_daily").unlink()
    folder = curated_dir(base) / "exchanges_daily"
    (folder / "year=2026").mkdir(parents=True)
    df.head(1).write_parquet(folder / "year=2026" / "part-0.parquet")
    df.tail(1).write_parquet(folder / "part-1.parquet")
    violations, status = check_data_dir_detailed(base)
    assert violations == []
    assert status["exchanges_daily"].files == 2
    assert status["exchanges_daily"].rows == 2


def test_extra_column_is_a_note_not_a_violation(base):
    write_raw(base, "provinces", read(base, "provinces").with_columns(pl.lit("x").alias("comment")))
    violations, status = check_data_dir_detailed(base)
    assert violations == []
    assert any("comment" in n for n in status["provinces"].notes)


def test_narrower_integer_is_accepted(base):
    df = read(base, "exchanges_daily").with_columns(pl.col("calls").cast(pl.Int32), pl.col("records").cast(pl.Int16))
    write_raw(base, "exchanges_daily", df)
    assert check_data_dir(base) == []


# --------------------------------------------------------------------------- one test per kind


def test_missing_table(base):
    path_of(base, "provinces").unlink()
    violations, status = check_data_dir_detailed(base)
    v = only(violations, "missing_table")
    assert (v.table, v.column, v.rows) == ("provinces", None, 0)
    assert "provinces.parquet" in v.message
    # agencies.province_code -> provinces is skipped, not reported as dangling.
    assert any("province_code" in n and "not checked" in n for n in status["agencies"].notes)


def test_missing_column(base):
    write_raw(base, "exchanges_daily", read(base, "exchanges_daily").drop("records"))
    v = only(check_data_dir(base), "missing_column")
    assert (v.table, v.column, v.rows) == ("exchanges_daily", "records", 2)
    assert "missing" in v.message


def test_wrong_type_varchar_for_bigint(base):
    df = read(base, "exchanges_daily").with_columns(pl.col("calls").cast(pl.String))
    write_raw(base, "exchanges_daily", df)
    violations, status = check_data_dir_detailed(base)
    # The calls_ok <= calls rule is skipped (not evaluated on text), so wrong_type is the only violation.
    v = only(violations, "wrong_type")
    assert (v.table, v.column, v.rows) == ("exchanges_daily", "calls", 2)
    assert "expected BIGINT, found VARCHAR" in v.message
    assert any("calls_ok_le_calls" in n and "skipped" in n for n in status["exchanges_daily"].notes)


def test_wrong_type_timestamp_for_date(base):
    df = read(base, "roadmap_updates").with_columns(pl.col("week_start").cast(pl.Datetime("us")))
    write_raw(base, "roadmap_updates", df)
    v = only(check_data_dir(base), "wrong_type")
    assert (v.table, v.column) == ("roadmap_updates", "week_start")
    assert "expected DATE, found TIMESTAMP" in v.message


def test_wrong_type_float_for_double(base):
    df = read(base, "quality_rules").with_columns(pl.col("weight").cast(pl.Float32))
    write_raw(base, "quality_rules", df)
    v = only(check_data_dir(base), "wrong_type")
    assert (v.table, v.column) == ("quality_rules", "weight")
    assert "expected DOUBLE, found FLOAT" in v.message


def test_unknown_enum_value(base):
    df = read(base, "exchanges_daily").with_columns(
        pl.when(pl.col("channel") == "file").then(pl.lit("fax")).otherwise(pl.col("channel")).alias("channel")
    )
    write_raw(base, "exchanges_daily", df)
    v = only(check_data_dir(base), "enum")
    assert (v.table, v.column, v.rows) == ("exchanges_daily", "channel", 1)
    assert "'fax'" in v.message and "allowed: api, file, manual" in v.message
    assert v.examples and "provider_agency_id='HNI_TU'" in v.examples[0]


def test_duplicate_key(base):
    df = read(base, "exchanges_daily")
    write_raw(base, "exchanges_daily", pl.concat([df, df.head(1)]))
    v = only(check_data_dir(base), "duplicate_key")
    assert (v.table, v.column, v.rows) == ("exchanges_daily", None, 2)
    assert "1 key value appears more than once" in v.message
    assert "not unique" in v.message
    assert v.examples and "provider_agency_id='VPTW'" in v.examples[0]


def test_dangling_fk(base):
    df = read(base, "exchanges_daily").with_columns(
        pl.when(pl.col("dataset_id") == "DS2").then(pl.lit("NOPE")).otherwise(pl.col("dataset_id")).alias("dataset_id")
    )
    write_raw(base, "exchanges_daily", df)
    v = only(check_data_dir(base), "dangling_fk")
    assert (v.table, v.column, v.rows) == ("exchanges_daily", "dataset_id", 1)
    assert "datasets.dataset_id" in v.message and "'NOPE'" in v.message


def test_row_rule_calls_ok_gt_calls(base):
    df = read(base, "exchanges_daily").with_columns(
        pl.when(pl.col("channel") == "api").then(pl.lit(101)).otherwise(pl.col("calls_ok")).alias("calls_ok")
    )
    write_raw(base, "exchanges_daily", df)
    v = only(check_data_dir(base), "row_rule")
    assert (v.table, v.column, v.rows) == ("exchanges_daily", None, 1)
    assert "calls_ok > calls" in v.message
    assert "calls=100" in v.examples[0] and "calls_ok=101" in v.examples[0]


def test_unreadable_garbage_bytes(base):
    path_of(base, "quality_rules").write_bytes(b"this is not a parquet file" * 20)
    violations, status = check_data_dir_detailed(base)
    v = only(violations, "unreadable")
    assert (v.table, v.column) == ("quality_rules", None)
    assert "quality_rules.parquet" in v.message and "\n" not in v.message
    # quality_checks.rule_id -> quality_rules is skipped rather than reported as dangling.
    assert any("rule_id" in n and "not checked" in n for n in status["quality_checks"].notes)


def test_unreadable_truncated(base):
    p = path_of(base, "datasets")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    v = only(check_data_dir(base), "unreadable")
    assert v.table == "datasets" and "datasets.parquet" in v.message


def test_unreadable_corrupt_pages_in_one_file_of_a_folder(base):
    # A sound footer but corrupt data: only a full read finds it; the other file is still checked.
    df = pl.DataFrame(
        {
            "exchange_date": [D(2026, 1, 1) + dt.timedelta(days=i % 300) for i in range(20000)],
            "provider_agency_id": ["VPTW"] * 20000,
            "consumer_agency_id": ["HNI_TU"] * 20000,
            "dataset_id": ["DS1"] * 20000,
            "channel": [("api", "file", "manual")[i % 3] + "" for i in range(20000)],
            "calls": list(range(20000)),
            "calls_ok": list(range(20000)),
            "records": list(range(20000)),
            "p95_latency_ms": pl.Series([None] * 20000, dtype=pl.Float64),
        }
    )
    path_of(base, "exchanges_daily").unlink()
    folder = curated_dir(base) / "exchanges_daily"
    folder.mkdir()
    df.write_parquet(folder / "a.parquet", compression="zstd")
    raw = bytearray((folder / "a.parquet").read_bytes())
    for i in range(8, len(raw) // 2):
        raw[i] = 0x55
    (folder / "a.parquet").write_bytes(bytes(raw))
    pl.DataFrame(VALID["exchanges_daily"]).write_parquet(folder / "b.parquet")
    violations = check_data_dir(base)
    kinds = sorted((v.kind, v.table) for v in violations)
    assert ("unreadable", "exchanges_daily") in kinds
    unreadable = next(v for v in violations if v.kind == "unreadable")
    assert "a.parquet" in unreadable.message
    assert unreadable.message.split("a.parquet: ", 1)[1]  # DuckDB's reason follows the file name
    # Only a.parquet is reported; b.parquet (valid) is still checked and passes.
    assert violations == [unreadable]
    assert unreadable.rows == 20000


def test_null_in_non_nullable_column(base):
    df = read(base, "agencies").with_columns(
        pl.when(pl.col("agency_id") == "HCM_TU").then(None).otherwise(pl.col("name_en")).alias("name_en")
    )
    write_raw(base, "agencies", df)
    v = only(check_data_dir(base), "null")
    assert (v.table, v.column, v.rows) == ("agencies", "name_en", 1)
    assert "NULL" in v.message
    assert v.examples == ["agency_id='HCM_TU' -> name_en=NULL"]


def test_out_of_range_pct_complete(base):
    df = read(base, "roadmap_updates").with_columns(
        pl.when(pl.col("item_id") == "I2").then(120.0).otherwise(pl.col("pct_complete")).alias("pct_complete")
    )
    write_raw(base, "roadmap_updates", df)
    v = only(check_data_dir(base), "range")
    assert (v.table, v.column, v.rows) == ("roadmap_updates", "pct_complete", 1)
    assert ">= 0 and <= 100" in v.message and "120" in v.message


def test_out_of_range_exclusive_minimum(base):
    df = read(base, "quality_rules").with_columns(pl.lit(0.0).alias("weight"))
    write_raw(base, "quality_rules", df)
    v = only(check_data_dir(base), "range")
    assert (v.table, v.column, v.rows) == ("quality_rules", "weight", 2)
    assert "> 0" in v.message


def test_report_groups_and_summarises(base):
    write_raw(base, "exchanges_daily", read(base, "exchanges_daily").drop("records"))
    path_of(base, "provinces").unlink()
    violations, status = check_data_dir_detailed(base)
    report = format_report(violations, base, status)
    assert "12 tables checked, 2 violations in 2 tables" in report
    assert "records" in report and "missing_column" in report
    assert report.splitlines()[-1] == "12 tables checked, 2 violations in 2 tables"


# --------------------------------------------------------------------------- command line


def _cli(data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "check", "--data-dir", str(data_dir)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_exit_codes(base, tmp_path_factory):
    ok = _cli(base)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "All 12 tables satisfy the contract" in ok.stdout

    path_of(base, "quality_rules").write_bytes(b"garbage")
    bad = _cli(base)
    both = bad.stdout + bad.stderr
    assert bad.returncode == 1
    assert "Traceback" not in both
    assert "quality_rules" in both and "unreadable" in both

    empty = tmp_path_factory.mktemp("empty")
    none = _cli(empty)
    assert none.returncode == 1
    assert "Traceback" not in none.stdout + none.stderr
    assert "does not exist" in none.stderr


def test_nan_counts_as_out_of_range(base):
    df = read(base, "exchanges_daily").with_columns(
        pl.when(pl.col("channel") == "api")
        .then(float("nan"))
        .otherwise(pl.col("p95_latency_ms"))
        .alias("p95_latency_ms")
    )
    write_raw(base, "exchanges_daily", df)
    v = only(check_data_dir(base), "range")
    assert (v.table, v.column, v.rows) == ("exchanges_daily", "p95_latency_ms", 1)


def test_broken_key_column_skips_dependent_checks_without_crashing(base):
    # channel is part of the key, has an enum, and appears in a row rule: all of those are skipped.
    df = read(base, "exchanges_daily").drop("channel")
    write_raw(base, "exchanges_daily", pl.concat([df, df]))
    violations, status = check_data_dir_detailed(base)
    v = only(violations, "missing_column")
    assert (v.table, v.column, v.rows) == ("exchanges_daily", "channel", 4)
    notes = " | ".join(status["exchanges_daily"].notes)
    assert "key check skipped" in notes and "latency_only_for_api" in notes


# --------------------------------------------------------------------------- kpi_targets (optional, unique, conditional FK)


def test_optional_table_absent_is_no_violation(base, capsys):
    path_of(base, "kpi_targets").unlink()
    violations, status = check_data_dir_detailed(base)
    assert violations == []
    assert any("optional" in n for n in status["kpi_targets"].notes)
    assert run_check(base) == 0
    assert "absent (optional)" in capsys.readouterr().out


def test_target_unique_on_kpi_scope_and_date_with_null_scope_as_one_value(base):
    # TG4 repeats TG1's (dossier_reuse_rate, all, NULL, 2026-12-31) under another target_id.
    df = read(base, "kpi_targets")
    write_table(base, "kpi_targets", pl.concat([df, df.head(1).with_columns(pl.lit("TG4").alias("target_id"))]))
    v = only(check_data_dir(base), "duplicate_key")
    assert (v.table, v.rows) == ("kpi_targets", 2)
    assert "kpi_id, scope_type, scope_id, target_date" in v.message


def test_target_scope_id_must_exist_for_its_scope_type(base):
    # HCM_TU is an agency, not a province: dangling for scope_type province only; HNI as an agency id too.
    df = read(base, "kpi_targets").with_columns(
        pl.Series("scope_id", [None, "HCM_TU", "HNI"]), pl.Series("scope_type", ["all", "province", "agency"])
    )
    write_table(base, "kpi_targets", df)
    violations = check_data_dir(base)
    assert sorted((v.kind, v.column, v.rows) for v in violations) == [
        ("dangling_fk", "scope_id", 1),
        ("dangling_fk", "scope_id", 1),
    ]
    assert {"provinces.province_code" in v.message or "agencies.agency_id" in v.message for v in violations} == {True}


def test_target_rules_kpi_enum_value_range_and_scope_id(base):
    df = read(base, "kpi_targets").with_columns(
        pl.Series("kpi_id", ["records_exchanged", "dossier_reuse_rate", "prefill_rate"]),  # a count: no target
        pl.Series("target_value", [0.8, 1.5, 0.5]),  # above 1
        pl.Series("scope_id", ["HNI", "HNI", "HCM_TU"]),  # scope all with an id
    )
    write_table(base, "kpi_targets", df)
    kinds = sorted((v.kind, v.column) for v in check_data_dir(base))
    assert kinds == [("enum", "kpi_id"), ("range", "target_value"), ("row_rule", None)]
