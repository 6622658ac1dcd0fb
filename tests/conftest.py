"""Shared fixtures: the tiny hand-made data set and a short demo data set, each built once per run; the AppTest
`app` of a page test module and `broken_query` (what the page tests read off a page: tests/apptest_helpers.py)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
for _p in (str(ROOT), str(ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

DEMO_UNTIL = dt.date(2025, 9, 30)


def _displayed(self):
    """What a table shows: the Styler's display values where the app gives them (every ui.table: numbers stay
    values for sorting and are written as the cards write them), else the data; with the shares' bar columns
    (dashboard/web/tables.py: headers of zero-width spaces, their cells drawn by the browser as bars)."""
    from streamlit import dataframe_util

    display = self.proto.arrow_data.styler.display_values
    if not display:
        return self.raw_value
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(display)
    shown.columns = self.raw_value.columns
    return shown


def _shown_table(self):
    """What a table shows (`displayed`) without the shares' bar columns (tests/test_tables.py checks those): the
    page tests compare the values as the cards write them. `raw_value` keeps the data."""
    from dashboard.web.tables import is_bar_column

    shown = self.displayed
    return shown[[c for c in shown.columns if not is_bar_column(str(c))]]


def _patch_apptest_tables() -> None:
    from streamlit.testing.v1.element_tree import Dataframe

    if not hasattr(Dataframe, "raw_value"):
        Dataframe.raw_value = Dataframe.value
        Dataframe.displayed = property(_displayed)
        Dataframe.value = property(_shown_table)


_patch_apptest_tables()


def pytest_addoption(parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run the tests marked slow (CI=true runs them)")


def pytest_collection_modifyitems(config, items) -> None:
    from session_data import longest_first, skip_slow

    skip_slow(config, items)
    longest_first(items)


# The browser tests' figures (tests/e2e/conftest.py) that xdist workers sent back, printed at the end of the run.
WORKER_FIGURES: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    WORKER_FIGURES.extend(getattr(node, "workeroutput", {}).get("e2e_summary", []))


def pytest_terminal_summary(terminalreporter) -> None:
    if WORKER_FIGURES:
        terminalreporter.section("end-to-end figures (recorded, not asserted)")
        for line in WORKER_FIGURES:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session) -> None:
    from session_data import ARTIFACTS, remove_if_empty, xdist_worker

    if xdist_worker() is None:  # the main process, once every worker is done
        remove_if_empty(ARTIFACTS)


@pytest.fixture(autouse=True)
def _no_login_on_test_data(monkeypatch):
    """The tests' fixtures are test data served without a login (mode none); tests/test_security.py takes this
    away to test the login itself."""
    monkeypatch.setenv("DASHBOARD_ALLOW_NO_AUTH", "1")
    monkeypatch.delenv("DASHBOARD_AUTH", raising=False)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    from tiny_fixture import write_tiny

    base = tmp_path_factory.mktemp("tiny")
    write_tiny(base)
    return base


@pytest.fixture(scope="session")
def demo_base(tmp_path_factory) -> Path:
    """The short demo (seed 7, until DEMO_UNTIL): generated once per run, a copy per xdist worker."""
    from session_data import built_once

    from dashboard.data.demo import generate

    return built_once(
        tmp_path_factory, "demo", lambda base: generate(base, seed=7, scale=1, until=DEMO_UNTIL, progress=False)
    )


@pytest.fixture
def app_data(tiny_base) -> Path:
    """The data directory the `app` fixture serves: the tiny fixture, unless a test module overrides this fixture."""
    return tiny_base


@pytest.fixture
def app(request, app_data, monkeypatch):
    """app.py under AppTest on `app_data`, today 2026-03-10, period 2026-03-02..03-08, switched to the test module's
    `PAGE` (not run yet: open it with apptest_helpers.open_page or `app.run()`)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(app_data))
    monkeypatch.setenv("DASHBOARD_TODAY", "2026-03-10")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"period": "custom", "start": "2026-03-02", "end": "2026-03-08"})
    at.switch_page(request.module.PAGE)
    return at


@pytest.fixture
def broken_query(monkeypatch):
    """broken_query(which, message): from now on the pages' query `which` (dashboard.web.ui.query) raises
    RuntimeError(message); every other query runs as before."""
    import dashboard.web.ui

    def breaking(which: str, message: str) -> None:
        real = dashboard.web.ui.query

        def broken(name, **extra):
            if name == which:
                raise RuntimeError(message)
            return real(name, **extra)

        monkeypatch.setattr(dashboard.web.ui, "query", broken)

    return breaking
