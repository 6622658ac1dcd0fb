"""The Provinces page in a real browser: selecting a province's row in the scorecard opens the overview in that
province's scope (URL `scope=province:CODE`, the sidebar's scope, the cards); screenshots at 1400 and 900 px wide
(artifacts/e2e/screenshots/provinces_*)."""

from __future__ import annotations

import re

import polars as pl
from e2e_browser import TODAY, first_screen, full_screenshot, open_page, selected, settle, url_params, url_path

from dashboard.engine.query import run_query
from dashboard.i18n import t
from dashboard.period import preset_period
from dashboard.scope import Scope
from dashboard.web.sidebar import DEFAULT_PRESET

HEADER_PX = 35  # st.dataframe's header row and each row are about this tall
ROW_PX = 35


def first_province(base) -> tuple[str, str]:
    """The province the table shows first by default: lowest connected_agencies, then name (code, name)."""
    params = {**preset_period(DEFAULT_PRESET, TODAY).params(), **Scope().params(), "lang": "vi"}
    rows = run_query(base, Scope(), "provinces_scorecard", params).filter(pl.col("row_kind") == "province")
    first = rows.sort("connected_agencies", "province_name", nulls_last=True).row(0, named=True)
    return first["province_code"], first["province_name"]


def test_selecting_a_row_opens_that_province(context, server, e2e_base, artifacts):
    code, name = first_province(e2e_base)
    visit = open_page(context, server.url, "provinces", "lang=vi")
    page = visit.page
    assert visit.problems() == []
    shots = artifacts / "screenshots"
    shots.mkdir(exist_ok=True)
    for width in (1400, 900):
        full = shots / f"provinces_vi_{width}_full.png"
        full_screenshot(page, full, width)
        first_screen(full, shots / f"provinces_vi_{width}x1000.png")
    page.set_viewport_size({"width": 1400, "height": 1000})
    settle(page)
    grids = page.locator("[data-testid=stDataFrame]")
    assert grids.count() == 2  # the two group rows, then the provinces
    table = grids.nth(1)
    table.scroll_into_view_if_needed()
    # the whole scorecard is taller than the window: scrolled into view, its top row sits under the app's header
    # bar, which takes the click; a little back up, it is clear of it
    page.mouse.move(700, 500)
    page.mouse.wheel(0, -200)
    page.wait_for_timeout(300)
    box = table.bounding_box()
    # the row marker (the selection box) of the first row, at the left edge of the grid
    page.mouse.click(box["x"] + 18, box["y"] + HEADER_PX + ROW_PX / 2)
    page.wait_for_url(re.compile(r"/overview\?"))
    settle(page)
    assert url_path(page) == "overview"
    assert url_params(page)["scope"] == f"province:{code}"
    assert selected(page, t("filter.scope", "vi")) == name
    assert visit.problems() == []
    # back to the whole system and to the scorecard: the old selection does not open the province again
    # (typed: the list opens scrolled to the chosen province, far from "all" at its top)
    box = page.locator("[data-testid=stSidebar]").get_by_role("combobox", name=t("filter.scope", "vi"), exact=True)
    box.click()
    box.fill(t("filter.scope_all", "vi"))
    page.get_by_role("option", name=t("filter.scope_all", "vi"), exact=True).click()
    page.wait_for_timeout(300)
    settle(page)
    assert url_params(page)["scope"] == "all"
    page.locator("[data-testid=stSidebarNav] a[href$='/provinces']").click()
    page.wait_for_url(re.compile(r"/provinces\?"))
    settle(page)
    assert url_path(page) == "provinces" and url_params(page)["scope"] == "all"
    assert page.locator("[data-testid=stDataFrame]").count() == 2
    assert visit.problems() == []


def test_english_page_and_a_province_scope(context, server, artifacts):
    shots = artifacts / "screenshots"
    shots.mkdir(exist_ok=True)
    visit = open_page(context, server.url, "provinces", "lang=en&scope=province:HNI")
    page = visit.page
    assert visit.problems() == []
    full = shots / "provinces_en_province_900_full.png"
    full_screenshot(page, full, 900)
    first_screen(full, shots / "provinces_en_province_900x1000.png")
    assert page.locator("[data-testid=stDataFrame]").count() == 1  # its own row; no group rows in a province
    assert t("provinces.one_province", "en").split(":")[0] in page.locator("[data-testid=stMain]").inner_text()
    assert visit.problems() == []
