"""Fixtures of the browser tests: demo data, the app served from it on a free port, the pages its navigation
offers, and Debian's Chromium driven by Playwright.

Without Chromium (or Playwright) the browser tests skip, except under CI=true, where they fail: CI must prove the
app in a browser. Screenshots and the render figures go to artifacts/e2e/ (ignored by git).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_browser import CHROMIUM, CHROMIUM_ARGS, CLEARED_ENV, ROOT, SUMMARY, TODAY, server_env
from session_data import ARTIFACTS, built_once, remove_if_empty, xdist_worker

from dashboard.devtools.loadtest import Server, app_pages, open_pages


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end test against a served app (deselect with -m 'not e2e')")


def pytest_collection_modifyitems(items) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter) -> None:
    if SUMMARY:
        terminalreporter.section("end-to-end figures (recorded, not asserted)")
        for line in SUMMARY:
            terminalreporter.write_line(line)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-core)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _demo_command(base: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "dashboard", "demo", "--data-dir", str(base), "--until", TODAY.isoformat()]
        + ["--weeks", "2", "--quiet"],
        cwd=ROOT,
        env=server_env(),
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def e2e_base(tmp_path_factory) -> Path:
    """Small demo data, made by the command a user would run, with the snapshots of its last 2 weeks (the Snapshots
    page has a week and the one it is compared with; the 8 `make run` stores cost 30 s more): once per run, a copy
    per xdist worker (tests/session_data.py)."""
    return built_once(tmp_path_factory, "e2e_demo", _demo_command)


@pytest.fixture(scope="session")
def server(e2e_base, tmp_path_factory):
    """`python -m dashboard serve` on the demo data and a free port; stopped at the end of the run."""
    log = tmp_path_factory.mktemp("e2e_logs") / "server.log"
    with Server(e2e_base, today=TODAY, log=log, unset=CLEARED_ENV) as srv:
        yield srv


@pytest.fixture(scope="session")
def nav_pages(server) -> dict[str, list]:
    """The pages the app's navigation offers, per language (from the app itself, so new pages are covered)."""
    return {lang: app_pages(server.ws_url, f"lang={lang}") for lang in ("vi", "en")}


@pytest.fixture(scope="session")
def page_paths(nav_pages) -> list[str]:
    """Every address to visit: the root ("") and each page of the navigation (the hidden root alias aside)."""
    return ["", *(p.url_path for p in nav_pages["vi"] if not p.hidden)]


@pytest.fixture(scope="session")
def warm_server(server, page_paths):
    """Every page run once over the protocol, so the browser tests time drawing, not the first queries."""
    runs = open_pages(server.ws_url, [p for p in page_paths if p])
    return {r.page: r for r in runs}


@pytest.fixture(scope="session")
def browser(warm_server):
    problem = missing_browser()
    if problem:
        if in_ci():
            pytest.fail(f"browser tests cannot run in CI: {problem}")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (no cookies, no cache) at 1400x1000, closed after the test."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="vi-VN")
    ctx.set_default_timeout(60_000)
    yield ctx
    ctx.close()


def pytest_sessionfinish(session) -> None:
    # Under xdist the main process loads only tests/conftest.py: a worker hands its figures back to it (printed and
    # the empty artifacts folder removed there, once every worker is done).
    if xdist_worker() is not None:
        session.config.workeroutput["e2e_summary"] = list(SUMMARY)
        return
    remove_if_empty(ARTIFACTS)
