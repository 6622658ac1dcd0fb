"""Offline and deep links, in Chromium.

- Every page works with the network cut off at the app's own address: a request anywhere else is aborted by the
  browser context, and the test fails if any page made one, if any request failed, or if the icons (the bundled
  Material Symbols font, the tab icon) are missing.
- A deep link opened as the very first request to a freshly started server (a leader's e-mailed link after the
  weekly restart) shows its page, not Streamlit's "Page not found" dialog: for a leader page and an analyst page.
"""

from __future__ import annotations

import pytest
from e2e_browser import CLEARED_ENV, TODAY, main_text, settle, watch

from dashboard.devtools.loadtest import Server
from dashboard.i18n import t

ICON_FONT = "Material Symbols Rounded"


def _offline_context(browser, base_url: str, blocked: list[str]):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    ctx.set_default_timeout(60_000)

    def only_the_app(route) -> None:
        url = route.request.url
        if url.startswith((base_url, "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("internetdisconnected")

    ctx.route("**/*", only_the_app)
    return ctx


@pytest.mark.slow  # every page again with outside addresses blocked (about 1 min): run under CI=true (and --run-slow), not by a local make test
def test_every_page_works_offline_with_its_icons(browser, server, page_paths, subtests):
    blocked: list[str] = []
    ctx = _offline_context(browser, server.url, blocked)
    try:
        for path in page_paths:
            with subtests.test(page=path or "root"):
                page = ctx.new_page()
                visit = watch(page, server.url)
                page.goto(f"{server.url}/{path}?lang=vi", wait_until="domcontentloaded")
                settle(page)
                try:
                    assert blocked == [], f"{path or 'root'} asked for addresses outside the app: {blocked}"
                    assert visit.problems() == []
                    # the navigation's icons are drawn with the Material Symbols font Streamlit bundles
                    icons = page.locator("[data-testid=stSidebarNav] [data-testid=stIconMaterial]")
                    assert icons.count() >= 5
                    assert page.evaluate(f"document.fonts.check('24px \"{ICON_FONT}\"', 'insights')")
                    assert page.evaluate(
                        "[...document.fonts].some(f => f.family.includes('Material Symbols') && f.status === 'loaded')"
                    ), "the icon font was not loaded"
                    # the tab icon is the project's own image, served by the app
                    href = page.evaluate("document.querySelector('link[rel~=icon]')?.href || ''")
                    assert href.startswith(server.url), f"tab icon from {href!r}"
                    assert page.request.get(href).status == 200
                finally:
                    page.close()
    finally:
        ctx.close()


def _first_visit(browser, e2e_base, tmp_path, path: str, query: str) -> tuple[str, str, list[str]]:
    """Start a fresh server, open `path` as its very first request; (main text, dialog text, problems)."""
    with Server(e2e_base, today=TODAY, log=tmp_path / f"{path}.log", unset=CLEARED_ENV) as srv:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        ctx.set_default_timeout(60_000)
        try:
            page = ctx.new_page()
            visit = watch(page, srv.url)
            page.goto(f"{srv.url}/{path}?{query}", wait_until="domcontentloaded")
            settle(page)
            page.wait_for_timeout(1000)  # the dialog, when it comes, comes with the first script run
            dialogs = page.locator("[role=dialog]").all_inner_texts()
            return main_text(page), " | ".join(dialogs), visit.problems()
        finally:
            ctx.close()


def test_a_leader_page_deep_link_on_a_fresh_server(browser, e2e_base, tmp_path):
    text, dialog, problems = _first_visit(browser, e2e_base, tmp_path, "quality", "lang=en")
    assert "Page not found" not in dialog and dialog == "", dialog
    assert problems == []
    assert t("quality.title", "en") in text


def test_an_analyst_page_deep_link_on_a_fresh_server(browser, e2e_base, tmp_path):
    from dashboard.sqlpages import header as sqlpages

    entry = next(e for e in sqlpages.discover() if e.path.stem == "du_lieu_chia_se_chua_khai_thac")
    text, dialog, problems = _first_visit(
        browser, e2e_base, tmp_path, "phan_tich-du_lieu_chia_se_chua_khai_thac", "lang=vi"
    )
    assert dialog == "", dialog
    assert problems == []
    assert entry.page.header.title("vi") in text
