"""Every page the navigation offers opens in Chromium from its own address, in Vietnamese (English: test_pages_en.py),
without an exception or error box, console error or failed request, also once the window is 900 px wide;
Vietnamese pages show their diacritics (composed). Screenshots of each page at 1400 and 900 px wide go to
artifacts/e2e/screenshots/ under CI=true or with DASHBOARD_SCREENSHOTS=1 (they cost `make test` about 12 s)."""

from __future__ import annotations

import os
import re

from e2e_browser import (
    SUMMARY,
    first_screen,
    full_screenshot,
    is_nfc,
    main_text,
    open_page,
    painted,
    sidebar_text,
    vietnamese_letters,
)
from session_data import in_ci

from dashboard.i18n import t

SCREENSHOTS = in_ci() or os.environ.get("DASHBOARD_SCREENSHOTS", "") == "1"

# What Streamlit writes by itself in English unless a page says otherwise (placeholders, empty lists, uploads).
STREAMLIT_ENGLISH = (
    "Choose an option",
    "Choose options",
    "No options to select",
    "No results",
    "Drag and drop",
    "Browse files",
    "Page not found",
    "Select all",
    "View less",  # the navigation's own buttons when it is collapsed (app.py lists every page instead)
)


def english_defaults(page) -> list[str]:
    """Streamlit's English defaults seen on the page: in its text and in the inputs' placeholders."""
    shown = page.locator("[data-testid=stApp]").inner_text()
    shown += " ".join(
        page.eval_on_selector_all("input[placeholder], textarea[placeholder]", "els => els.map(e => e.placeholder)")
    )
    found = [w for w in STREAMLIT_ENGLISH if w.lower() in shown.lower()]
    return found + re.findall(r"View \d+ more", shown)


def _name(path: str) -> str:
    return path or "root"


def test_the_navigation_offers_every_leader_and_sql_page(nav_pages):
    """The pages found in the app's own navigation include every leader page file and every analyst SQL page, so
    the tests below (which visit what the navigation offers) cannot miss one."""
    from dashboard.config import PAGES_DIR
    from dashboard.sqlpages import header as sqlpages

    offered = {p.url_path for p in nav_pages["vi"]}
    leader_files = {p.stem for p in (PAGES_DIR / "leaders").glob("*.py")}
    sql_pages = {e.url_path for e in sqlpages.discover()}
    assert leader_files <= offered, f"leader pages missing from the navigation: {leader_files - offered}"
    assert sql_pages <= offered, f"SQL pages missing from the navigation: {sql_pages - offered}"
    assert "overview" in offered and "workbench" in offered


def test_every_page_in_vietnamese(context, server, page_paths, artifacts, subtests):
    shots = artifacts / "screenshots"
    if SCREENSHOTS:
        shots.mkdir(exist_ok=True)
    external: set[str] = set()
    language = t("filter.language", "vi")  # "Ngôn ngữ": the catalogue's own spelling, diacritics and all
    tab = None  # one tab for the pass (e2e_browser.open_page): each page still loads from its own address
    for path in page_paths:
        with subtests.test(page=_name(path)):
            tab = visit = open_page(context, server.url, path, "lang=vi", tab)
            page = visit.page
            assert visit.problems() == []
            text = main_text(page)
            assert vietnamese_letters(text) >= 5, f"no Vietnamese diacritics on {_name(path)}: {text[:200]!r}"
            assert is_nfc(text), f"decomposed diacritics on {_name(path)}"
            assert language in sidebar_text(page)
            assert english_defaults(page) == [], f"Streamlit's English on the Vietnamese {_name(path)}"
            for width in (1400, 900):  # a desktop, and a tablet (the sidebar open)
                if SCREENSHOTS:
                    full = shots / f"{_name(path)}_vi_{width}_full.png"
                    full_screenshot(page, full, width)
                    first_screen(full, shots / f"{_name(path)}_vi_{width}x1000.png")
                else:
                    page.set_viewport_size({"width": width, "height": 1000})
                    painted(page)
            page.set_viewport_size({"width": 1400, "height": 1000})
            assert visit.problems() == []  # nothing broke while the layout changed
            external.update(visit.external)
    if SCREENSHOTS:
        SUMMARY.append(f"screenshots: {shots}")
    if external:
        SUMMARY.append(f"requests outside the app (they fail offline): {', '.join(sorted(external))}")
