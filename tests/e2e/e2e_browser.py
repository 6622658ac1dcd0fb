"""Helpers for the browser tests: open a page in a fresh tab, wait until Streamlit has drawn it, collect what went
wrong (exception and error boxes, console errors, failed requests), read KPI cards, take screenshots."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from dashboard.i18n import t

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2025, 9, 30)  # the demo data's last day: the default period (last 4 weeks) has data
# The app's settings a developer may have in the environment; the tests serve demo data in the default mode.
CLEARED_ENV = ("DASHBOARD_AUTH", "DASHBOARD_ROLE", "DASHBOARD_SCOPE", "DASHBOARD_USERS_FILE", "DASHBOARD_DATA_DIR")
SUMMARY: list[str] = []  # lines for the end of the pytest run (figures recorded, not asserted)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Letters that only Vietnamese text has (lower and upper case): a page in vi must show some.
VIETNAMESE = set(
    "ăâđêôơưàằầèềìòồờùừỳáắấéếíóốớúứýảẳẩẻểỉỏổởủửỷãẵẫẽễĩõỗỡũữỹạặậẹệịọộợụựỵ"
    "ĂÂĐÊÔƠƯÀẰẦÈỀÌÒỒỜÙỪỲÁẮẤÉẾÍÓỐỚÚỨÝẢẲẨẺỂỈỎỔỞỦỬỶÃẴẪẼỄĨÕỖỠŨỮỸẠẶẬẸỆỊỌỘỢỤỰỴ"
)
# Requests a page may make that fail on purpose or offline, and why they are harmless.
HARMLESS_REQUESTS = (
    # The frontend looks for the server's base path under the page's own path first: /<page>/_stcore/health,
    # /<page>/_stcore/host-config answer 404, then / answers.
    re.compile(r"^http://127\.0\.0\.1:\d+/[^?]+/_stcore/(health|host-config)$"),
)


def server_env() -> dict[str, str]:
    """This process's environment without the app's settings of CLEARED_ENV."""
    return {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}


_SETTLED = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.dataset.testConnectionState !== 'CONNECTED' || app.dataset.testScriptState !== 'notRunning')
    return false;
  const main = document.querySelector('[data-testid=stMain]');
  if (!main || !main.querySelector('h1, [data-testid=stException]')) return false;
  if (document.querySelector('[data-testid=stSkeleton]')) return false;
  if (main.querySelector('[data-stale=true]')) return false;
  for (const chart of main.querySelectorAll('[data-testid=stPlotlyChart]'))
    if (!chart.querySelector('.main-svg')) return false;
  return true;
}"""


@dataclass
class Visit:
    """A page opened in a tab, and what went wrong while it loaded."""

    page: object  # playwright Page
    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def restart(self) -> None:
        """Forget what was recorded: the tab goes on to another page."""
        self.console.clear()
        self.failed.clear()
        self.external.clear()

    def problems(self) -> list[str]:
        p = self.page
        out = [f"exception box: {e}" for e in p.locator("[data-testid=stException]").all_inner_texts()]
        out += [f"error box: {e}" for e in p.locator("[data-testid=stAlertContentError]").all_inner_texts()]
        out += [f"console: {c}" for c in self.console]
        out += [f"request failed: {f}" for f in self.failed]
        return out


def watch(page, base_url: str) -> Visit:
    """Start recording console errors and failed requests of `page`."""
    visit = Visit(page)

    def on_console(msg) -> None:
        # "Failed to load resource" repeats a failed request, which on_response/on_failed judge with its URL
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            visit.console.append(msg.text)

    def harmless(url: str) -> bool:
        return any(p.match(url) for p in HARMLESS_REQUESTS)

    def on_response(response) -> None:
        if response.status >= 400 and not harmless(response.url):
            visit.failed.append(f"HTTP {response.status} {response.url}")

    def on_failed(request) -> None:
        if not harmless(request.url):
            visit.failed.append(f"{request.failure} {request.url}")

    def on_request(request) -> None:
        if not request.url.startswith((base_url, "data:", "blob:")):
            visit.external.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: visit.console.append(f"uncaught: {exc}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.on("request", on_request)
    return visit


_PAINTED = """async () => {
  await document.fonts.ready;
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""


def painted(page) -> None:
    """Until the fonts are loaded and two frames have been drawn (what was laid out is painted, canvases too)."""
    page.evaluate(_PAINTED)


def settle(page, timeout_s: float = 90.0) -> float:
    """Wait until the script finished, nothing is stale or loading and every chart is drawn; return the seconds."""
    started = time.monotonic()
    page.wait_for_function(_SETTLED, timeout=timeout_s * 1000, polling=100)
    # Still settled 250 ms later: after a click the rerun it asks for starts only once the server answers, and
    # fonts and canvases (tables) finish drawing. (Two painted frames alone were too short: a language switch was
    # read before its rerun in one run of 2026-12-03.)
    page.wait_for_timeout(250)
    page.wait_for_function(_SETTLED, timeout=timeout_s * 1000, polling=100)
    painted(page)
    return time.monotonic() - started


def open_page(context, base_url: str, path: str, query: str = "", tab: Visit | None = None) -> Visit:
    """`path` (e.g. "overview") loaded from its address and settled: in a fresh tab, or in `tab`, whose record of
    what went wrong starts again. A pass over many pages goes through one tab: a load in a tab that is already open
    costs Chromium half the CPU of a new tab (17 pages: 23 s against 42 s), and it is still the page's own address
    loaded from scratch (a new document and a new Streamlit session)."""
    if tab is None:
        tab = watch(context.new_page(), base_url)
    else:
        tab.restart()
    tab.page.goto(f"{base_url}/{path}" + (f"?{query}" if query else ""), wait_until="domcontentloaded")
    settle(tab.page)
    return tab


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def sidebar_text(page) -> str:
    return page.locator("[data-testid=stSidebar]").inner_text()


def vietnamese_letters(text: str) -> int:
    return sum(ch in VIETNAMESE for ch in text)


def is_nfc(text: str) -> bool:
    """Composed diacritics (one code point per letter): decomposed ones render badly in some fonts."""
    return unicodedata.normalize("NFC", text) == text


def url_params(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def url_path(page) -> str:
    return urlparse(page.url).path.strip("/")


def kpi_cards(page) -> dict[str, str]:
    """The KPI cards shown: name -> value as written on the card (the metric's hidden label is the name)."""
    names = page.locator("[data-testid=stMain] [data-testid=stMetricLabel]").all_inner_texts()
    values = page.locator("[data-testid=stMain] [data-testid=stMetricValue]").all_inner_texts()
    return {n.strip(): v.strip() for n, v in zip(names, values, strict=True)}


def kpi_ids_by_name(lang: str, ids) -> dict[str, str]:
    return {t(f"kpi.{kpi_id}.name", lang): kpi_id for kpi_id in ids}


def _combobox(page, label: str):
    return page.locator("[data-testid=stSidebar]").get_by_role("combobox", name=label, exact=True)


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the sidebar selectbox labelled `label`, then wait for the rerun."""
    box = _combobox(page, label)
    box.click()
    # typed first, as a user does in a long list: the list draws only the options that fit its popup, which is
    # short when the sidebar's full menu pushes the filters down
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(300)
    settle(page)


def selected(page, label: str) -> str:
    """The option shown in the sidebar selectbox labelled `label`."""
    return _combobox(page, label).input_value().strip()


def parse_number(text: str, lang: str) -> tuple[float, float]:
    """A number as a card writes it ('91,4%', '2.574 giờ', '19.630.476', '99.0%'), and half a unit of its last
    digit: the value is right if it is within that of the exact one."""
    thousands, decimal = (".", ",") if lang == "vi" else (",", ".")
    match = re.search(r"-?[\d" + re.escape(thousands + decimal) + r"]*\d", text)
    if not match:
        raise ValueError(f"no number in {text!r}")
    digits = match.group(0).replace(thousands, "")
    whole, _, frac = digits.partition(decimal)
    value = float(f"{whole}.{frac}" if frac else whole)
    half = 0.5 * 10 ** -len(frac)
    if text.strip().endswith("%"):
        return value / 100, half / 100
    return value, half


def full_screenshot(page, path: Path, width: int, max_height: int = 12000) -> None:
    """The whole page at `width`: Streamlit's main area scrolls inside the window, so the window is made as tall
    as the content, then put back."""
    page.set_viewport_size({"width": width, "height": 1000})
    painted(page)
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=stMain]'); return m ? m.scrollHeight : 1000; }"
    )
    page.set_viewport_size({"width": width, "height": max(1000, min(int(height) + 40, max_height))})
    painted(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 1000})


def first_screen(full: Path, out: Path, height: int = 1000) -> None:
    """What a window `height` px tall shows first: the top of a full-length screenshot of the same width."""
    from PIL import Image

    with Image.open(full) as image:
        image.crop((0, 0, image.width, min(height, image.height))).save(out)
