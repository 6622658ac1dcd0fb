"""Every page the navigation offers works in English: the first loaded from its address in English, every other
reached as a leader does, by its link in the sidebar (which keeps the language): no exception, error box, console
error or failed request, English titles, and the address still says `lang=en`. The Vietnamese pass
(tests/e2e/test_pages.py) loads every page from its own address; a file of its own so that `make test`'s two
processes run the two passes side by side."""

from __future__ import annotations

import re

from e2e_browser import open_page, settle, sidebar_text, url_params, url_path
from test_pages import _name

from dashboard.i18n import t


def test_every_page_in_english(context, server, page_paths, nav_pages, subtests):
    titles = {p.url_path: p.title for p in nav_pages["en"]}
    viet_title = re.compile(r"[" + "".join(sorted({"ă", "ơ", "ư", "đ", "ạ", "ả", "ấ", "ộ", "ế", "ợ", "ữ"})) + "]")
    visit = open_page(context, server.url, page_paths[0], "lang=en")
    page = visit.page
    for i, path in enumerate(page_paths):
        with subtests.test(page=_name(path)):
            if i:  # what went wrong is recorded per page
                visit.restart()
                page.locator(f"[data-testid=stSidebarNav] a[href$='/{path}']").click()
                page.wait_for_url(re.compile(rf"/{re.escape(path)}\?"))
                settle(page)
                assert url_path(page) == path
            assert visit.problems() == []
            assert url_params(page).get("lang") == "en"
            assert t("filter.language", "en") in sidebar_text(page)
            heading = page.locator("[data-testid=stMain] h1").first.inner_text()
            assert not viet_title.search(heading.lower()), f"{_name(path)}: the English title is {heading!r}"
            if path:  # the navigation names the page in English too
                assert not viet_title.search(titles[path].lower()), titles[path]
