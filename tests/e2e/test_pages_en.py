"""Every page the navigation offers opens in English in a fresh Chromium tab, without an exception, error box,
console error or failed request, with English titles. A file of its own (the Vietnamese pass is tests/e2e/
test_pages.py) so that `make test`'s two processes run the two passes side by side."""

from __future__ import annotations

import re

from e2e_browser import open_page, sidebar_text
from test_pages import _name

from dashboard.i18n import t


def test_every_page_in_english(context, server, page_paths, nav_pages, subtests):
    titles = {p.url_path: p.title for p in nav_pages["en"]}
    viet_title = re.compile(r"[" + "".join(sorted({"ă", "ơ", "ư", "đ", "ạ", "ả", "ấ", "ộ", "ế", "ợ", "ữ"})) + "]")
    tab = None  # one tab for the pass (e2e_browser.open_page): each page still loads from its own address
    for path in page_paths:
        with subtests.test(page=_name(path)):
            tab = visit = open_page(context, server.url, path, "lang=en", tab)
            page = visit.page
            assert visit.problems() == []
            assert t("filter.language", "en") in sidebar_text(page)
            heading = page.locator("[data-testid=stMain] h1").first.inner_text()
            assert not viet_title.search(heading.lower()), f"{_name(path)}: the English title is {heading!r}"
            if path:  # the navigation names the page in English too
                assert not viet_title.search(titles[path].lower()), titles[path]
