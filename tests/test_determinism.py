"""The KPIs are the same on every run, exactly, with the databases' 2 threads (dashboard.engine.db.THREADS).

With more than one thread DuckDB adds the rows of a sum in whatever order its threads happen to give, so a sum of
DOUBLE values could change in its last digits from one run to the next, and between a scope's own database and the
`all` database (whose snapshot must equal the scope's own table, tests/test_snapshot.py). The queries sum their
fractional values as DECIMAL (queries/_macros.sql: weighted_records, exact_decimal), add the four quality criteria
in one fixed order (sum_of_four) and break every tie of an ORDER BY or an arg_min. Each round here builds fresh
databases (the cache cleared) and compares with the first round with `equals`, not approximately.

tests/stress_determinism.py is the longer version (more rounds, every query, a report of what varies).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from tiny_fixture import write_tiny

from dashboard.engine.db import DATABASES, THREADS, database
from dashboard.engine.kpis import KPI_QUERIES, NOT_READY_THRESHOLD, READY_THRESHOLD, compute_kpis
from dashboard.engine.query import run_query
from dashboard.period import Period
from dashboard.scope import Scope

ROUNDS = 20  # rounds of fresh databases on the tiny data set; half as many on the demo data
TINY_WEEK = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
TINY_SCOPES = ("all", "province:P1", "agency:C1")
DEMO_QUARTER = Period(dt.date(2025, 7, 1), dt.date(2025, 9, 30))  # conftest's demo data ends 2025-09-30
# besides the KPIs: the queries that sum fractional values or rank rows that can tie
DEMO_QUERIES = ("attention_datasets", "quality_datasets", "quality_criteria_weekly", "roadmap_by_phase",
                "roadmap_progress_by_group", "sharing_datasets", *KPI_QUERIES)  # fmt: skip


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A data dir of its own (its databases are built again and again here)."""
    base = tmp_path_factory.mktemp("tiny_determinism")
    write_tiny(base)
    return base


@pytest.fixture(scope="module")
def demo_scopes(demo_base) -> tuple[str, ...]:
    """`all`, the first province and the first central body of the scope picker."""
    keys = run_query(demo_base, Scope(), "scope_options", {"lang": "vi"})["scope_key"].to_list()
    return ("all", next(k for k in keys if k.startswith("province:")), next(k for k in keys if k.startswith("agency:")))


def fresh_databases(base: Path) -> None:
    """Drop every cached database: the next query builds its scope's database anew, with 2 threads."""
    DATABASES.clear()
    assert database(base, Scope()).sql("select current_setting('threads')").fetchall()[0][0] == THREADS == 2


def kpis_here_and_in_all(base: Path, period: Period, scope_keys) -> dict:
    """Every scope's KPI table computed in its own database and in the `all` database."""
    out = {}
    for key in scope_keys:
        scope = Scope.parse(key)
        out[key, "own"] = compute_kpis(base, period, scope)
        out[key, "all"] = compute_kpis(base, period, scope, database_scope=Scope())
    return out


def differences(got: pl.DataFrame, expected: pl.DataFrame) -> str:
    """The cells that differ, as `row column: got != expected` (floats with all their digits)."""
    if got.columns != expected.columns or got.height != expected.height:
        return f"{got.columns} x {got.height} != {expected.columns} x {expected.height}"
    lines = [
        f"row {i} {col}: {a!r} != {b!r}"
        for col in got.columns
        for i, (a, b) in enumerate(zip(got[col].to_list(), expected[col].to_list(), strict=True))
        if a != b
    ]
    return "; ".join(lines)


def assert_same(got: pl.DataFrame, expected: pl.DataFrame, what: str) -> None:
    assert got.equals(expected, null_equal=True), f"{what}: {differences(got, expected)}"


def assert_identical_runs(base: Path, period: Period, scope_keys, rounds: int, queries=(), params=None) -> None:
    """`rounds` times in fresh databases: the KPI tables (own database and `all` database alike) and the
    `queries` in each scope's database give exactly the first round's frames."""
    first: dict = {}
    for n in range(rounds):
        fresh_databases(base)
        results = kpis_here_and_in_all(base, period, scope_keys)
        for key in scope_keys:
            assert_same(results[key, "own"], results[key, "all"], f"round {n + 1}, {key}: own database vs all")
            scope = Scope.parse(key)
            for name in queries:
                results[key, name] = run_query(base, scope, name, {**params, **scope.params()})
        for name, frame in results.items():
            assert_same(frame, first.setdefault(name, frame), f"round {n + 1} vs round 1, {name}")


@pytest.mark.slow
def test_tiny_kpis_are_identical_on_every_run_and_in_every_database(tiny):
    assert_identical_runs(tiny, TINY_WEEK, TINY_SCOPES, ROUNDS)


@pytest.mark.slow
def test_demo_kpis_and_queries_are_identical_on_every_run_and_in_every_database(demo_base, demo_scopes):
    params = {
        **DEMO_QUARTER.params(),
        "lang": "vi",
        "limit": 10,
        "minutes_per_dossier": 15.0,
        "ready_threshold": READY_THRESHOLD,
        "not_ready_threshold": NOT_READY_THRESHOLD,
        "trend_start": DEMO_QUARTER.start,
    }
    assert_identical_runs(demo_base, DEMO_QUARTER, demo_scopes, ROUNDS // 2, DEMO_QUERIES, params)


def test_a_tie_for_the_weakest_criterion_goes_to_the_first_in_the_criteria_order(tiny):
    """D1 of the tiny fixture: correct (2*95+80)/(2*100+100) = 0.9 and clean 90/100 = 0.9 tie as its weakest;
    the tie goes to `correct` (order correct, sufficient, clean, live) on every run. Quality index
    (0.9+1+0.9+1)/4 = 0.95; D4: 1, 1, 1, 0.9 -> live, 0.975; D2: correct 45/50 = 0.9, sufficient 150/200 = 0.75
    -> sufficient, 0.825; D3 (scope all only): clean 50/100 = 0.5 -> clean, 0.5."""
    params = {**TINY_WEEK.params(), **Scope().params(), "lang": "en", "limit": 10}
    for _ in range(ROUNDS // 4):
        fresh_databases(tiny)
        rows = run_query(tiny, Scope(), "attention_datasets", params)
        assert rows.select("dataset_id", "weakest_criterion", "weakest_score", "quality_index").rows() == [
            ("D3", "clean", 0.5, 0.5),
            ("D2", "sufficient", 0.75, 0.825),
            ("D1", "correct", 0.9, 0.95),
            ("D4", "live", 0.9, 0.975),
        ]
