"""Python callbacks of Polars (map_elements) run on the thread that asks, never on Polars' worker threads.

Found by the load test: with 10 concurrent sessions the server froze for good. Polars' `DataFrame.to_pandas`
(called by st.dataframe) waits for Polars' worker threads while it holds the GIL; a `with_columns` of two or more
map_elements expressions in another session runs the callbacks on those worker threads, which wait for the GIL:
neither moves again, and no other thread of the server runs either. A context with a single expression evaluates
it on the calling thread, so the callbacks of the server's code stay there. (No browser needed.)"""

from __future__ import annotations

import threading
from types import SimpleNamespace

import polars as pl

from dashboard.engine import kpi_text, kpis
from dashboard.period import Period
from dashboard.web import tables


def _recording(monkeypatch, module, name: str) -> set[int]:
    seen: set[int] = set()
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        seen.add(threading.get_native_id())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)
    return seen


def test_coded_translates_on_the_calling_thread(monkeypatch):
    seen = _recording(monkeypatch, kpi_text, "t")
    monkeypatch.setattr(tables, "filters", lambda: SimpleNamespace(lang="vi"))
    df = pl.DataFrame({"from_level": ["central", "provincial"] * 500, "to_level": ["provincial", "central"] * 500})
    out = tables.coded(df, ["from_level", "to_level"], "sharing.level")
    assert out["from_level"][0] == kpi_text.t("sharing.level.central", "vi")
    assert seen == {threading.get_native_id()}


def test_kpi_status_is_judged_on_the_calling_thread(monkeypatch, tiny_base):
    import datetime as dt

    from dashboard.scope import Scope

    seen = _recording(monkeypatch, kpis, "status_for")
    table = kpis.kpi_table(tiny_base, Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)), Scope.parse("all"))
    assert table.height == len(kpis.KPIS)
    assert seen == {threading.get_native_id()}


def test_table_formats_and_statuses_on_the_calling_thread(monkeypatch):
    seen_t = _recording(monkeypatch, kpi_text, "t")
    seen_status = _recording(monkeypatch, kpi_text, "status_for")
    df = pl.DataFrame(
        {
            "sharing_coverage": [0.1, 0.95, None] * 300,
            "exchange_success_rate": [0.99, 0.5, 0.97] * 300,
            "phase": ["2025-2026", "2026-2028", None] * 300,
        }
    )
    shown = kpi_text.formatted(
        df, {"sharing_coverage": "percent", "exchange_success_rate": "number", "phase": "phase"}, "vi"
    )
    # 0.1 as a percent with one decimal and a decimal comma; a missing value reads "–"
    assert shown["sharing_coverage"].to_list()[:3] == ["10,0%", "95,0%", "–"]
    assert shown["phase"][2] is None
    kpi_by_column = {"sharing_coverage": "sharing_coverage", "exchange_success_rate": "exchange_success_rate"}
    ranked = kpi_text.with_worst_status(df, kpi_by_column, "vi")
    kept = kpi_text.with_worst_status(df, kpi_by_column, "vi", order=False)
    assert ranked.height == kept.height == df.height
    assert kept["status"][0].endswith(kpi_text.t("status.red", "vi"))  # 10% shared: red whatever the other column
    assert seen_t | seen_status == {threading.get_native_id()}


def test_report_sections_are_made_on_the_calling_thread(monkeypatch, tiny_base):
    import datetime as dt

    from dashboard.engine import kpi_text
    from dashboard.scope import Scope
    from dashboard.weekly import report

    seen = [_recording(monkeypatch, module, name) for module in (kpi_text, report) for name in ("t", "status_for")]
    week = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    tables = {tb.name: tb for s in report.gather_sections(tiny_base, week, Scope.parse("all"), "vi") for tb in s.tables}
    assert [tb.error for tb in tables.values() if tb.error] == []
    provinces = tables["sharing_provinces"].frame
    assert provinces.height > 0 and provinces["status"].null_count() == 0  # worst status first, in words
    assert set().union(*seen) == {threading.get_native_id()}
