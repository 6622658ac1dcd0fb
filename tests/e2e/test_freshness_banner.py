"""The late-data banner in Chromium at 1400 and 900 px, on the copy of the tiny fixture of tests/test_freshness.py
whose province P2 has no exchange after 03-03 (period 2026-03-02..03-08, today 2026-03-10): it names P2 and only
P2, in both languages, fits the page's width, and the page has no error. Screenshots in artifacts/e2e/."""

from __future__ import annotations

import datetime as dt

import pytest
from e2e_browser import CLEARED_ENV, main_text, open_page

from dashboard.devtools.loadtest import Server

PERIOD = "period=custom&start=2026-03-02&end=2026-03-08"


@pytest.fixture(scope="module")
def late_server(tmp_path_factory):
    from test_freshness import write_late

    base = tmp_path_factory.mktemp("late_e2e")
    write_late(base)
    env = {"DASHBOARD_AUTH": "none", "DASHBOARD_ALLOW_NO_AUTH": "1"}
    unset = tuple(v for v in CLEARED_ENV if v != "DASHBOARD_AUTH")
    with Server(base, today=dt.date(2026, 3, 10), env=env, unset=unset) as srv:
        yield srv


@pytest.fixture
def chromium(browser):
    """The session's Chromium (tests/e2e/conftest.py): a second Playwright in the same process would fail."""
    return browser


@pytest.mark.parametrize(("width", "lang", "page", "named"), [
    (1400, "vi", "overview", "Tỉnh P2 (chậm 5 ngày)"),
    (900, "vi", "overview", "Tỉnh P2 (chậm 5 ngày)"),
    (900, "en", "sharing", "Province P2 (5 days behind)"),
])  # fmt: skip
def test_the_banner_names_the_late_province_and_fits(late_server, chromium, artifacts, width, lang, page, named):
    context = chromium.new_context(viewport={"width": width, "height": 1000}, locale="vi-VN")
    context.set_default_timeout(60_000)
    try:
        visit = open_page(context, late_server.url, page, f"{PERIOD}&lang={lang}")
        assert not visit.problems(), visit.problems()
        banner = visit.page.locator("[data-testid=stAlertContentWarning]").filter(has_text=named)
        assert banner.count() == 1
        text = banner.inner_text()
        assert "P1" not in text  # P1's exchanges reach 03-08
        box, main = banner.bounding_box(), visit.page.locator("[data-testid=stMain]").bounding_box()
        assert box["x"] >= main["x"] and box["x"] + box["width"] <= main["x"] + main["width"]  # inside the page
        assert "P2" in main_text(visit.page)
        visit.page.screenshot(path=str(artifacts / f"freshness_banner_{page}_{lang}_{width}.png"))
    finally:
        context.close()
