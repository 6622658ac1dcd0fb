"""The weekly report in a real browser: report.html opens offline (no request leaves file://) and report.pdf is
A4, with page numbers, right diacritics and charts inside the page. One snapshot run (with Chromium) for all.

Needs Chromium (and Playwright for the HTML check): skipped where they are missing, except in CI (CI=true),
where a missing browser is a failure (.ci/run installs it).
"""

from __future__ import annotations

import concurrent.futures
import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
from snapshot_helpers import TODAY, WEEK, fresh_base, write_pages

from dashboard.weekly import snapshot
from dashboard.weekly.report.html import CHROMIUM_CANDIDATES

MM = 72 / 25.4  # PDF points per millimetre
A4 = (210 * MM, 297 * MM)
MARGIN_MM = 12  # left and right margins of the report's @page rule (dashboard/weekly/report/report.css)


def chromium() -> str:
    found = os.environ.get("DASHBOARD_CHROMIUM") or next((p for p in map(shutil.which, CHROMIUM_CANDIDATES) if p), None)
    if found and Path(found).is_file():
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is missing in CI: .ci/run installs it (apt-get install chromium fonts-noto-core)")
    pytest.skip("Chromium is not installed")


@pytest.fixture(scope="module")
def folder(tiny_base, tmp_path_factory) -> Path:
    browser = chromium()
    where = tmp_path_factory.mktemp("browser")
    base = fresh_base(tiny_base, where)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DASHBOARD_TODAY", TODAY)
        mp.setenv("DASHBOARD_PAGES_DIR", str(write_pages(where / "pages")))
        mp.setenv("DASHBOARD_CHROMIUM", browser)
        out, err = io.StringIO(), io.StringIO()
        code = snapshot.run(base, out=out, err=err)
    assert code == 0, err.getvalue()
    return base / "snapshots" / "2026-W10"


def poppler(tool: str) -> str:
    """pdftotext or pdfinfo (poppler-utils): skipped where missing, a failure in CI."""
    found = shutil.which(tool)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{tool} is missing in CI: .ci/run installs poppler-utils")
    pytest.skip(f"{tool} (poppler-utils) is not installed")


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def test_all_five_files_are_written(folder):
    assert sorted(p.name for p in folder.iterdir()) == [
        "kpis.parquet",
        "manifest.json",
        "report.html",
        "report.pdf",
        "report.xlsx",
    ]


def test_pdf_is_a4_with_page_numbers_and_vietnamese_text(folder):
    info = subprocess.run(
        [poppler("pdfinfo"), str(folder / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (width, height) == pytest.approx(A4, abs=2)
    pages = pdf_pages(folder / "report.pdf")
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert len(pages) == count > 1
    for number, page in enumerate(pages, start=1):
        assert f"{number} / {count}" in page  # the page number in the footer
    text = "\n".join(pages)
    for words in ("Báo cáo tuần 2026-W10", "Tỷ lệ giao dịch thành công", "Đúng", "Sạch", "Sống", "Chưa đạt"):
        assert words in text
    assert "93,3%" in text  # 196/210


def test_pdf_holds_the_charts_as_drawn_not_their_empty_frames(folder):
    """The charts are in the PDF as plotly.js drew them: their date axes' ticks ("20/02", "04/03") are worked out by
    plotly.js in the browser (the page holds ISO dates), and nothing else in the report writes a day without its
    year. The tiny fixture's report has three charts over weeks (successful calls, reuse and pre-filling, the four
    criteria)."""
    ticks = [
        line for line in "\n".join(pdf_pages(folder / "report.pdf")).splitlines() if re.search(DAY_MONTH_TICK, line)
    ]
    assert len(ticks) >= 3, ticks
    assert not re.search(DAY_MONTH_TICK, (folder / "report.html").read_text(encoding="utf-8"))


DAY_MONTH_TICK = r"(?<![/\d])\d\d/\d\d(?![/\d])"


def test_pdf_margins_are_the_ones_the_charts_are_sized_for(folder):
    """The footer starts at the left margin the print layout assumes (12 mm); the layout test below sizes the charts
    for the width between the margins."""
    done = subprocess.run(
        [poppler("pdftotext"), "-bbox", str(folder / "report.pdf"), "-"], capture_output=True, text=True, check=True
    )
    boxes = [tuple(map(float, b)) for b in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"', done.stdout)]
    footer = [x0 for x0, y0 in boxes if y0 > A4[1] - 16 * MM]
    assert footer and min(footer) == pytest.approx(MARGIN_MM * MM, abs=1)


def sync_api():
    """Playwright's sync API; in CI a missing Playwright is a failure, elsewhere a skip."""
    if os.environ.get("CI") == "true":
        import playwright.sync_api as api

        return api
    return pytest.importorskip("playwright.sync_api")


def in_own_thread(func):
    """Run `func` in a thread of its own: Playwright's sync API refuses a thread whose asyncio loop is running,
    which is the case when other tests (tests/e2e) keep a Playwright open for the session."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func).result()


def open_page(p, width: int, print_media: bool = False):
    browser = p.chromium.launch(
        executable_path=chromium(),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    )
    page = browser.new_page(viewport={"width": width, "height": 1200})
    if print_media:
        page.emulate_media(media="print")
    return browser, page


def test_printed_charts_fit_the_width_of_a4(tiny_base, tmp_path, monkeypatch):
    """The page printed to PDF, laid out at A4's width between the margins (186 mm = 703 CSS px): no chart, table or
    card is wider, so Chromium neither cuts a chart nor shrinks the page."""
    from dashboard.scope import Scope
    from dashboard.weekly.report.html import render_html

    api = sync_api()
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(write_pages(tmp_path / "pages")))
    base = fresh_base(tiny_base, tmp_path)
    names = snapshot.scope_names(base, "vi")
    kpis = snapshot.snapshot_kpis(base, WEEK, [Scope.parse(k) for k in names])
    report, _ = snapshot.make_report(base, WEEK, Scope(), kpis, names, "vi", snapshot.now(), "v", "c")
    printable = tmp_path / "print.html"
    printable.write_text(render_html(report, for_print=True), encoding="utf-8")
    width = round((210 - 2 * MARGIN_MM) / 25.4 * 96)

    def measure():
        with api.sync_playwright() as p:
            browser, page = open_page(p, width, print_media=True)
            page.goto(printable.as_uri(), wait_until="load")
            page.wait_for_selector(".js-plotly-plot .main-svg")
            svgs = page.eval_on_selector_all(
                ".js-plotly-plot .main-svg", "els => els.map(e => e.getBoundingClientRect().right)"
            )
            overflow = page.evaluate("document.documentElement.scrollWidth")
            avoid = page.eval_on_selector_all(".chart", "els => els.map(e => getComputedStyle(e).breakInside)")
            browser.close()
        return svgs, overflow, avoid

    svgs, overflow, avoid = in_own_thread(measure)
    assert len(svgs) >= 10 and max(svgs) <= width
    assert overflow <= width
    assert set(avoid) == {"avoid"}  # a chart is never split across two pages


def test_html_opens_offline_without_any_request(folder):
    api = sync_api()
    html = (folder / "report.html").read_text(encoding="utf-8")
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # plotly.js itself names URLs it never loads
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup)  # nothing to fetch in the markup
    requests, errors = [], []

    def visit():
        with api.sync_playwright() as p:
            browser, page = open_page(p, 1200)
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((folder / "report.html").as_uri(), wait_until="load")
            page.wait_for_selector(".js-plotly-plot .main-svg")
            page.wait_for_timeout(500)
            counts = page.locator(".js-plotly-plot").count(), page.locator(".card").count()
            browser.close()
        return counts

    charts, cards = in_own_thread(visit)
    assert requests and {urlparse(u).scheme for u in requests} <= {"file", "data", "blob", "about"}, requests
    assert errors == []
    # the dashboard's charts: weekly sharing, roadmap phases (overview); level flows; reuse trend and breadth;
    # criteria trend and heatmap; roadmap by phase and by pillar; lifecycle funnel. And one card per KPI.
    assert charts == 10 and cards == 25
