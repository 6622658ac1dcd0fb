"""The Snapshots page in Chromium: the chosen week's PDF is really seen in the page (pictures of its pages drawn by
pdftoppm on the server, not a PDF frame Chromium could block), on a copy of the tiny fixture with a stored W09 whose
report.pdf is hand-written (tests/snapshot_helpers.write_pdf: 2 A4 pages, each a dark-blue rectangle, RGB
(26, 51, 153), inside a white margin). The page shows no command. Screenshots in artifacts/e2e/."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from e2e_browser import CLEARED_ENV, main_text, open_page

from dashboard.devtools.loadtest import Server

SHELL = ("python -m", "make ", "$ ", "--data-dir", "--week")


@pytest.fixture(scope="module")
def pdf_server(tiny_base, tmp_path_factory):
    from snapshot_helpers import fresh_base, store_week, write_pdf

    from dashboard.weekly.snapshot import Week

    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    base = fresh_base(tiny_base, tmp_path_factory.mktemp("snapshots_pdf_e2e"))
    write_pdf(store_week(base, Week(2026, 9), {}) / "report.pdf", pages=2)
    store_week(base, Week(2026, 7), {})
    env = {"DASHBOARD_AUTH": "none", "DASHBOARD_ALLOW_NO_AUTH": "1"}  # the demo user: an administrator
    unset = tuple(v for v in CLEARED_ENV if v != "DASHBOARD_AUTH")
    with Server(base, today=dt.date(2026, 3, 10), env=env, unset=unset) as srv:
        yield srv


@pytest.mark.parametrize(("width", "lang"), [(1400, "vi"), (900, "en")])
def test_the_pdf_of_a_week_is_seen_in_the_page(pdf_server, browser, artifacts, width, lang):
    from PIL import Image

    context = browser.new_context(viewport={"width": width, "height": 1000}, locale="vi-VN")
    context.set_default_timeout(60_000)
    try:
        visit = open_page(context, pdf_server.url, "snapshots", f"week=2026-W09&lang={lang}")
        assert not visit.problems(), visit.problems()
        page = visit.page
        viewer = page.locator(".st-key-snapshot_pdf")
        pictures = viewer.locator("[data-testid=stImage] img")
        assert pictures.count() == 2
        first = pictures.nth(0)
        first.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=first.element_handle())
        # A4 drawn at 130 dpi: 1075 x 1521 px (pdftoppm rounds up 1074.8 and 1520.1)
        assert first.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [1075, 1521]
        box, frame = first.bounding_box(), viewer.bounding_box()
        assert box["width"] >= 0.9 * frame["width"] - 40  # as wide as the viewer, within its padding and scrollbar
        assert frame["x"] >= 0 and frame["x"] + frame["width"] <= width
        # What Chromium painted: the middle of the page picture is the PDF's dark-blue rectangle, not a blank frame
        shot = Image.open(io.BytesIO(first.screenshot())).convert("RGB")
        r, g, b = shot.getpixel((shot.width // 2, min(shot.height - 1, 300)))
        assert abs(r - 26) <= 6 and abs(g - 51) <= 6 and abs(b - 153) <= 6, (r, g, b)
        text = main_text(page)
        assert not [s for s in SHELL if s in text]
        page.screenshot(path=str(artifacts / f"snapshots_pdf_{lang}_{width}.png"))
    finally:
        context.close()


def test_an_administrator_opens_the_run_page_on_the_missing_week(pdf_server, context):
    from e2e_browser import settle, url_path

    visit = open_page(context, pdf_server.url, "snapshots", "lang=vi")
    page = visit.page
    page.get_by_role("button", name="Tạo bù tuần 2026-W08").click()  # stored: W07, W09; today 2026-03-10
    page.wait_for_url("**/snapshot-run**")
    settle(page)
    assert url_path(page) == "snapshot-run"
    assert page.get_by_label("Tuần (YYYY-Www)").input_value() == "2026-W08"
    assert not visit.problems(), visit.problems()
