"""The demo data generator: deterministic, inside the contract, and telling the intended story."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.config import table_files
from dashboard.data.contract import LOAD_ORDER, TABLES
from dashboard.data.demo import (
    LAGGING_PROVINCES,
    PILOT_PROVINCES,
    QUALITY_DIP_DATASET,
    QUALITY_DIP_DAYS,
    generate,
)
from dashboard.data.rollups import ROLLUPS

SHORT_UNTIL = dt.date(2025, 6, 30)
STORY_UNTIL = dt.date(2026, 6, 30)


def _files(base: Path) -> dict[str, bytes]:
    cur = base / "curated"
    return {str(p.relative_to(cur)): p.read_bytes() for p in sorted(cur.rglob("*.parquet"))}


def _connect(base: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in TABLES:
        files = [str(f) for f in table_files(base, table)]
        assert files, f"no files for {table}"
        rel = con.read_parquet(files)
        con.register(f"src_{table}", rel)
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM src_{table}")
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchall()[0][0]


@pytest.fixture(scope="module")
def short_run(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    base = tmp_path_factory.mktemp("demo_short")
    counts = generate(base, seed=11, scale=1, until=SHORT_UNTIL, progress=False)
    return base, counts


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("demo_story")
    generate(base, seed=42, scale=1, until=STORY_UNTIL, progress=False)
    return base


@pytest.fixture(scope="module")
def story_con(story) -> duckdb.DuckDBPyConnection:
    return _connect(story)


# --------------------------------------------------------------------------- determinism


def test_same_seed_and_until_give_byte_identical_files(short_run, tmp_path):
    base, counts = short_run
    again = tmp_path / "again"
    assert generate(again, seed=11, scale=1, until=SHORT_UNTIL, progress=False) == counts
    first, second = _files(base), _files(again)
    tables = sorted(f for f in first if not f.startswith("scopes/"))  # scope files: dashboard/data/scope_files.py
    assert tables == sorted(f"{t}.parquet" for t in (*TABLES, *ROLLUPS))  # rollups: dashboard/data/rollups.py
    assert "scopes/exchanges_daily/scope_type=province/scope_id=HNI/data_0.parquet" in first
    assert first == second


def test_a_different_seed_gives_different_exchanges(short_run, tmp_path):
    base, _ = short_run
    other = tmp_path / "other"
    generate(other, seed=12, scale=1, until=SHORT_UNTIL, progress=False)
    a = pl.read_parquet(base / "curated" / "exchanges_daily.parquet")
    b = pl.read_parquet(other / "curated" / "exchanges_daily.parquet")
    assert not a.equals(b)
    # the reference content does not depend on the seed
    for table in ("provinces", "dictionary_terms", "quality_rules", "roadmap_items"):
        assert pl.read_parquet(base / "curated" / f"{table}.parquet").equals(
            pl.read_parquet(other / "curated" / f"{table}.parquet")
        )


def test_split_facts_are_deterministic_and_hold_the_same_rows(short_run, tmp_path):
    base, counts = short_run
    one, two = tmp_path / "one", tmp_path / "two"
    assert generate(one, seed=11, scale=1, until=SHORT_UNTIL, progress=False, split_facts=True) == counts
    generate(two, seed=11, scale=1, until=SHORT_UNTIL, progress=False, split_facts=True)
    files = _files(one)
    assert files == _files(two)
    parts = sorted(f for f in files if f.startswith("exchanges_daily/"))
    assert parts == [f"exchanges_daily/part-{i:05d}.parquet" for i in range(6)]  # one part per month
    for table in ("exchanges_daily", "dossiers_daily"):
        single = pl.read_parquet(base / "curated" / f"{table}.parquet")
        split = pl.concat([pl.read_parquet(p) for p in table_files(one, table)])
        assert single.equals(split)


def test_stale_outputs_of_the_other_form_are_removed(tmp_path):
    cur = tmp_path / "curated"
    (cur / "exchanges_daily").mkdir(parents=True)
    (cur / "exchanges_daily" / "part-00099.parquet").write_bytes(b"stale")
    (cur / "dossiers_daily.parquet").write_bytes(b"stale")
    (cur / "notes.txt").write_text("not ours")
    generate(tmp_path, seed=1, scale=1, until=dt.date(2025, 2, 10), progress=False, split_facts=False)
    assert not (cur / "exchanges_daily").exists()
    assert (cur / "exchanges_daily.parquet").is_file()
    assert (cur / "notes.txt").read_text() == "not ours"
    generate(tmp_path, seed=1, scale=1, until=dt.date(2025, 2, 10), progress=False, split_facts=True)
    assert not (cur / "exchanges_daily.parquet").exists()
    assert not (cur / "dossiers_daily.parquet").exists()
    assert sorted(p.name for p in (cur / "exchanges_daily").iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    assert not [p for p in cur.iterdir() if p.name.startswith(".")]  # no temporary leftovers


def test_scale_grows_the_communes_and_splits_the_facts(short_run, tmp_path):
    base, counts = short_run
    big = tmp_path / "big"
    big_counts = generate(big, seed=11, scale=2, until=dt.date(2025, 3, 31), progress=False)
    assert (big / "curated" / "exchanges_daily").is_dir()
    assert (big / "curated" / "dossiers_daily").is_dir()
    con = _connect(big)
    assert _one(con, "SELECT count(*) FROM agencies WHERE level = 'commune'") == 6 * 34
    small = _one(_connect(base), "SELECT count(*) FROM agencies WHERE level = 'commune'")
    assert small == 3 * 34
    assert big_counts["datasets"] == counts["datasets"]


def test_progress_bar_goes_to_stderr(tmp_path, capsys):
    generate(tmp_path, seed=1, scale=1, until=dt.date(2025, 1, 31), progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    # captured stderr is not a terminal: plain lines, no carriage return (tests/test_progress.py has the terminal)
    assert "exchanges_daily" in err and "100%" in err and "\r" not in err
    generate(tmp_path, seed=1, scale=1, until=dt.date(2025, 1, 31), progress=False)
    assert capsys.readouterr() == ("", "")


def test_until_before_the_start_is_refused(tmp_path):
    with pytest.raises(ValueError, match="until"):
        generate(tmp_path, until=dt.date(2024, 12, 31), progress=False)
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path, scale=0, until=SHORT_UNTIL, progress=False)


# --------------------------------------------------------------------------- contract


def test_the_checker_finds_no_violation(short_run, story):
    from dashboard.data.check import check_data_dir

    for base in (short_run[0], story):
        violations = check_data_dir(base)
        assert violations == [], "\n".join(f"{v.table}.{v.column}: {v.kind}: {v.message}" for v in violations)


def test_keys_are_unique_and_foreign_keys_resolve(short_run, story_con):
    base, counts = short_run
    for con in (_connect(base), story_con):
        for name in LOAD_ORDER:
            table = TABLES[name]
            keys = ", ".join(table.key)
            total = _one(con, f"SELECT count(*) FROM {name}")
            assert total > 0, name
            assert _one(con, f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {name})") == total, name
            for col in table.columns:
                if not col.nullable:
                    assert _one(con, f"SELECT count(*) FROM {name} WHERE {col.name} IS NULL") == 0, (name, col.name)
                if col.enum:
                    bad = _one(
                        con,
                        f"SELECT count(*) FROM {name} WHERE NOT list_contains($allowed, {col.name})",
                        {"allowed": list(col.enum)},
                    )
                    assert bad == 0, (name, col.name)
                if col.fk:
                    ref_table, ref_col = col.fk.split(".")
                    dangling = _one(
                        con,
                        f"SELECT count(*) FROM {name} t WHERE t.{col.name} IS NOT NULL "
                        f"AND t.{col.name} NOT IN (SELECT {ref_col} FROM {ref_table})",
                    )
                    assert dangling == 0, (name, col.name)
            for rule in table.rules:
                assert _one(con, f"SELECT count(*) FROM {name} WHERE NOT coalesce(({rule.expr}), true)") == 0, (
                    name,
                    rule.name,
                )
    assert counts == {t: counts[t] for t in LOAD_ORDER}


def test_rows_are_sorted_by_the_natural_key_and_typed_as_the_contract(short_run):
    from dashboard.data.contract import polars_schema

    base, _ = short_run
    for name in LOAD_ORDER:
        df = pl.read_parquet(base / "curated" / f"{name}.parquet")
        assert dict(df.schema) == polars_schema(name), name
        assert df.equals(df.sort(list(TABLES[name].key))), name


def test_daily_facts_span_the_period_and_weekly_facts_are_mondays(short_run):
    con = _connect(short_run[0])
    assert _one(con, "SELECT min(exchange_date) FROM exchanges_daily") == dt.date(2025, 1, 1)
    assert _one(con, "SELECT max(exchange_date) FROM exchanges_daily") == SHORT_UNTIL
    assert _one(con, "SELECT max(dossier_date) FROM dossiers_daily") == SHORT_UNTIL
    assert _one(con, "SELECT max(check_date) FROM quality_checks") == dt.date(2025, 6, 30)
    assert _one(con, "SELECT count(*) FROM quality_checks WHERE isodow(check_date) <> 1") == 0
    assert _one(con, "SELECT min(week_start) FROM roadmap_updates") == dt.date(2025, 1, 6)
    assert _one(con, "SELECT count(*) FROM roadmap_updates WHERE status = 'done' AND completed_on IS NULL") == 0


# --------------------------------------------------------------------------- content and story


def test_agencies_and_pilots(story_con):
    con = story_con
    assert len(PILOT_PROVINCES) == 11 and len(set(PILOT_PROVINCES)) == 11
    assert _one(con, "SELECT name_vi FROM agencies WHERE agency_id = 'TU-HNI'") == "Thành ủy Hà Nội"
    assert (
        _one(con, "SELECT name_en FROM agencies WHERE agency_id = 'TU-THA'") == "Thanh Hoa Provincial Party Committee"
    )
    assert _one(con, "SELECT name_vi FROM agencies WHERE agency_id = 'BTC-NAN'") == "Ban Tổ chức Tỉnh ủy Nghệ An"
    # The population database's ministry is a State body outside the Party's organisation (issue 13, section 5).
    assert _one(con, "SELECT level FROM agencies WHERE agency_id = 'BCA'") == "external"
    assert _one(con, "SELECT count(*) FROM agencies WHERE level = 'central'") == 14
    pilots = con.execute("SELECT DISTINCT province_code FROM agencies WHERE is_pilot ORDER BY 1").fetchall()
    assert [p[0] for p in pilots] == sorted(PILOT_PROVINCES)
    mixed = _one(
        con,
        "SELECT count(*) FROM (SELECT province_code FROM agencies WHERE province_code IS NOT NULL "
        "GROUP BY 1 HAVING count(DISTINCT is_pilot) > 1)",
    )
    assert mixed == 0
    assert _one(con, "SELECT count(*) FROM agencies WHERE level = 'commune' AND parent_agency_id NOT LIKE 'TU-%'") == 0


def test_pilots_reuse_more_data_in_the_last_eight_weeks(story_con):
    rows = story_con.execute(
        """
        SELECT a.is_pilot, sum(d.dossiers_reusing) / sum(d.dossiers)
        FROM dossiers_daily d JOIN agencies a USING (agency_id)
        WHERE d.dossier_date > $until - INTERVAL 56 DAY AND a.province_code IS NOT NULL
        GROUP BY 1
        """,
        {"until": STORY_UNTIL},
    ).fetchall()
    rate = dict(rows)
    assert rate[True] > rate[False] + 0.1


def test_lagging_provinces_have_the_lowest_exchange_volume_per_agency(story_con):
    rows = story_con.execute(
        """
        WITH local AS (SELECT agency_id, province_code FROM agencies WHERE province_code IS NOT NULL),
        volume AS (
            SELECT l.province_code, sum(e.calls) AS calls
            FROM exchanges_daily e JOIN local l ON l.agency_id IN (e.provider_agency_id, e.consumer_agency_id)
            GROUP BY 1
        ),
        bodies AS (SELECT province_code, count(*) AS n FROM local GROUP BY 1)
        SELECT b.province_code, coalesce(v.calls, 0) / b.n AS per_agency
        FROM bodies b LEFT JOIN volume v USING (province_code)
        ORDER BY per_agency, province_code
        """
    ).fetchall()
    assert len(rows) == 34
    assert {r[0] for r in rows[:3]} == set(LAGGING_PROVINCES)
    assert rows[2][1] < rows[3][1]


def test_sharing_rises_from_the_first_quarter(story_con):
    weekly = story_con.execute(
        """
        SELECT sum(calls_ok) FILTER (WHERE exchange_date >= $until - INTERVAL 3 MONTH) / 13.0,
               sum(calls_ok) FILTER (WHERE exchange_date < DATE '2025-04-01') / (90 / 7.0)
        FROM exchanges_daily
        """,
        {"until": STORY_UNTIL},
    ).fetchall()[0]
    last_quarter, first_quarter = weekly
    assert first_quarter > 0
    assert last_quarter > 2 * first_quarter


def test_lagging_provinces_succeed_less(story_con):
    rows = dict(
        story_con.execute(
            """
            SELECT a.province_code IN (SELECT unnest($lagging)), sum(calls_ok) / sum(calls)
            FROM exchanges_daily e JOIN agencies a ON a.agency_id = e.consumer_agency_id
            WHERE a.province_code IS NOT NULL
            GROUP BY 1
            """,
            {"lagging": list(LAGGING_PROVINCES)},
        ).fetchall()
    )
    assert rows[True] < rows[False]
    assert 0.95 < rows[False] < 0.9999


def test_governance_gaps_exist(story_con):
    con = story_con
    assert _one(con, "SELECT count(*) FROM datasets WHERE owner_agency_id IS NULL") >= 1
    assert _one(con, "SELECT count(*) FROM datasets WHERE steward IS NULL") >= 1
    assert _one(con, "SELECT count(*) FROM data_elements WHERE term_id IS NULL") >= 1
    stages = {r[0] for r in con.execute("SELECT DISTINCT lifecycle_stage FROM datasets").fetchall()}
    assert stages == {"planned", "building", "operating", "archived", "retired"}
    assert _one(con, "SELECT owner_agency_id FROM datasets WHERE dataset_id = 'BCA-DANCU'") == "BCA"
    n = _one(con, "SELECT count(*) FROM datasets")
    assert 40 <= n <= 70


def test_a_milestone_is_overdue(story_con, short_run):
    sql = """
        WITH latest AS (
            SELECT item_id, arg_max(status, week_start) AS status, arg_max(completed_on, week_start) AS completed_on
            FROM roadmap_updates WHERE week_start <= $until GROUP BY 1
        )
        SELECT count(*) FROM roadmap_items r LEFT JOIN latest l USING (item_id)
        WHERE r.is_milestone AND r.planned_due < $until
          AND (l.status IS DISTINCT FROM 'done' OR l.completed_on > r.planned_due)
    """
    assert _one(story_con, sql, {"until": STORY_UNTIL}) >= 1
    assert _one(_connect(short_run[0]), sql, {"until": SHORT_UNTIL}) >= 1
    assert _one(story_con, "SELECT count(DISTINCT item_id) FROM roadmap_updates WHERE status = 'cancelled'") == 1


def test_the_quality_dip_shows_in_the_latest_checks(story_con):
    rows = story_con.execute(
        """
        WITH c AS (
            SELECT q.check_date, r.criterion, sum(r.weight * q.records_passed) / sum(r.weight * q.records_checked) AS v
            FROM quality_checks q JOIN quality_rules r USING (rule_id)
            WHERE q.dataset_id = $ds GROUP BY 1, 2
        )
        SELECT criterion,
               arg_max(v, check_date) AS latest,
               avg(v) FILTER (WHERE check_date BETWEEN $first AND $last) AS before
        FROM c GROUP BY 1
        """,
        {
            "ds": QUALITY_DIP_DATASET,
            "first": STORY_UNTIL - dt.timedelta(days=90),
            "last": STORY_UNTIL - dt.timedelta(days=QUALITY_DIP_DAYS + 7),
        },
    ).fetchall()
    by = {r[0]: (r[1], r[2]) for r in rows}
    assert set(by) == {"correct", "sufficient", "clean", "live"}
    for criterion in ("correct", "live"):
        latest, before = by[criterion]
        assert before > 0.85 and latest < before - 0.2
    assert by["sufficient"][0] > 0.85


def test_most_datasets_end_in_good_quality(story_con):
    rows = story_con.execute(
        """
        WITH latest AS (
            SELECT dataset_id, rule_id, arg_max(records_passed, check_date) AS p, arg_max(records_checked, check_date) AS c
            FROM quality_checks GROUP BY 1, 2
        )
        SELECT dataset_id, r.criterion, sum(r.weight * p) / sum(r.weight * c)
        FROM latest JOIN quality_rules r USING (rule_id) GROUP BY 1, 2
        """
    ).fetchall()
    values = [r[2] for r in rows]
    assert sum(v >= 0.9 for v in values) > 0.5 * len(values)
    assert any(0.75 <= v < 0.9 for v in values)
    assert any(v < 0.75 for v in values)
