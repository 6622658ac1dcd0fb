"""Named queries: loaded by name, parameters bound, never pasted; periods and scopes parsed strictly."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.engine.query import bind, load_sql, run_query
from dashboard.period import Period, preset_period
from dashboard.scope import Scope


def test_a_query_is_loaded_by_name_and_unknown_names_are_refused():
    assert "scope_dataset_ids" in load_sql("kpis_governance")
    with pytest.raises(FileNotFoundError):
        load_sql("no_such_query")
    with pytest.raises(ValueError):
        load_sql("../app")


def test_bind_keeps_only_what_the_sql_names_and_requires_all_of_it():
    assert bind("select $a, $b", {"a": 1, "b": 2, "c": 3}) == {"a": 1, "b": 2}
    with pytest.raises(KeyError):
        bind("select $a, $b", {"a": 1})


def test_parameters_are_bound_not_pasted(tiny_base):
    hostile = "P1' or '1'='1"
    with pytest.raises(ValueError):
        Scope("province", hostile)
    rows = run_query(tiny_base, Scope(), "scope_options", {"lang": "vi' or 1=1 --"})
    # the language is a bound value: an unknown language picks name_vi, and nothing else changes
    assert rows.height == run_query(tiny_base, Scope(), "scope_options", {"lang": "vi"}).height


def test_scope_parsing():
    assert Scope.parse("all") == Scope()
    assert Scope.parse("province:HNI") == Scope("province", "HNI")
    for bad in ("province", "city:HNI", "all:x", "province:"):
        with pytest.raises(ValueError):
            Scope.parse(bad)


def test_comparison_period_and_presets():
    assert Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)).previous() == Period(
        dt.date(2026, 2, 23), dt.date(2026, 3, 1)
    )
    wed = dt.date(2026, 11, 25)
    assert preset_period("last_week", wed) == Period(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert preset_period("last_4_weeks", wed) == Period(dt.date(2026, 10, 26), dt.date(2026, 11, 22))
    assert preset_period("last_quarter", wed) == Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert preset_period("last_quarter", dt.date(2026, 2, 1)) == Period(dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert preset_period("year_to_date", wed) == Period(dt.date(2026, 1, 1), wed)
    with pytest.raises(ValueError):
        Period(dt.date(2026, 3, 8), dt.date(2026, 3, 2))


def test_run_queries_returns_each_frame_in_call_order_and_raises_a_failing_query(tiny_base):
    from dashboard.engine.query import run_queries

    calls = [
        (Scope(), "scope_options", {"lang": "vi"}),
        (Scope(), "scope_options", {"lang": "en"}),
        (Scope("province", "P1"), "scope_options", {"lang": "vi"}),
    ]
    one_by_one = [run_query(tiny_base, *call) for call in calls]
    for threads in (1, 3):
        frames = run_queries(tiny_base, calls, threads=threads)
        assert len(frames) == 3
        for got, want in zip(frames, one_by_one, strict=True):
            assert got.equals(want)
    # the English names are not the Vietnamese ones: the order of the frames is the order of the calls
    assert not frames[0].equals(frames[1])
    with pytest.raises(FileNotFoundError):
        run_queries(tiny_base, [*calls, (Scope(), "no_such_query", {})], threads=3)


@pytest.mark.parametrize("scope", [Scope(), Scope("province", "P1")], ids=str)
def test_every_query_gives_the_frame_the_relation_gives(tiny_base, scope):
    """run_sql executes the statement and takes its rows as Arrow (one bind, not two): every query's frame is the
    one DuckDB's relation gives (`.pl()`, the former way), columns, types and rows, on the tiny fixture's
    reference period with the parameters of tests/stress_determinism.py; and no warning of that Arrow output
    reaches the caller."""
    import warnings

    import polars.testing
    from stress_determinism import query_names, query_params

    from dashboard.engine.db import database

    params = query_params(tiny_base, Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)), scope)
    with_rows = 0
    for name in query_names():
        sql = load_sql(name)
        with warnings.catch_warnings(record=True) as caught:
            ours = run_query(tiny_base, scope, name, params)
        assert not caught, [str(w.message) for w in caught]
        cur = database(tiny_base, scope).cursor()
        try:
            theirs = cur.sql(sql, params=bind(sql, params)).pl()
        finally:
            cur.close()
        polars.testing.assert_frame_equal(ours, theirs, check_dtypes=True, check_exact=True)
        with_rows += ours.height > 0
    assert with_rows >= 35  # of the 48 queries (38 in P1, more in `all`): the comparison is not of empty frames
