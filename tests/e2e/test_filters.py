"""The global filters in a real browser: changing the scope and the period changes the numbers and the URL; a
reload, another page and a copied link in a new tab keep the view; the language switch changes the words and the
number format; "How is this computed?" opens with the formula."""

from __future__ import annotations

import re

import pytest
from e2e_browser import (
    choose,
    kpi_cards,
    main_text,
    open_page,
    selected,
    settle,
    url_params,
    url_path,
)

from dashboard.engine.query import run_query
from dashboard.i18n import t
from dashboard.scope import Scope


@pytest.fixture(scope="module")
def province(e2e_base) -> tuple[str, str]:
    """A province of the demo data (Hà Nội when there), as (scope key, name in Vietnamese)."""
    options = run_query(e2e_base, Scope.parse("all"), "scope_options", {"lang": "vi"})
    provinces = dict(options.filter(options["scope_type"] == "province").select("scope_key", "scope_name").iter_rows())
    key = "province:HNI" if "province:HNI" in provinces else next(iter(provinces))
    return key, provinces[key]


def test_scope_and_period_round_trip_through_the_url(context, server, province):
    key, name = province
    scope_label, period_label = t("filter.scope", "vi"), t("filter.period", "vi")
    visit = open_page(context, server.url, "overview")
    page = visit.page
    everywhere = kpi_cards(page)
    assert url_params(page)["scope"] == "all"

    choose(page, scope_label, name)
    assert url_params(page)["scope"] == key
    in_province = kpi_cards(page)
    assert in_province.keys() == everywhere.keys()
    assert in_province != everywhere, "no KPI changed with the scope"
    assert f"{name}" in main_text(page)  # the period caption names the scope

    page.reload(wait_until="domcontentloaded")
    settle(page)
    assert url_params(page)["scope"] == key
    assert selected(page, scope_label) == name
    assert kpi_cards(page) == in_province

    choose(page, period_label, t("period.last_12_weeks", "vi"))
    params = url_params(page)
    assert (params["period"], params["scope"]) == ("last_12_weeks", key)
    twelve_weeks = kpi_cards(page)
    assert twelve_weeks != in_province, "no KPI changed with the period"

    # another page keeps the filters
    page.locator("[data-testid=stSidebarNav] a[href$='/sharing']").click()
    page.wait_for_url(re.compile(r"/sharing\?"))
    settle(page)
    params = url_params(page)
    assert url_path(page) == "sharing"
    assert (params["period"], params["scope"], params["lang"]) == ("last_12_weeks", key, "vi")
    assert selected(page, scope_label) == name
    sharing_cards = kpi_cards(page)

    # the copied address, in a new tab of a new browser profile, shows the same view
    copied = page.url
    other = context.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = other.new_page()
        fresh.goto(copied, wait_until="domcontentloaded")
        settle(fresh)
        assert url_path(fresh) == "sharing"
        assert selected(fresh, scope_label) == name
        assert selected(fresh, period_label) == t("period.last_12_weeks", "vi")
        assert kpi_cards(fresh) == sharing_cards
    finally:
        other.close()
    assert visit.problems() == []


def test_language_switch_changes_words_and_number_format(context, server):
    visit = open_page(context, server.url, "overview", "lang=vi")
    page = visit.page
    name_vi = t("kpi.exchange_success_rate.name", "vi")
    assert page.locator("[data-testid=stMain] h1").first.inner_text() == t("overview.title", "vi")
    assert re.fullmatch(r"\d{1,3},\d%", kpi_cards(page)[name_vi])  # 99,0%: decimal comma

    page.locator("[data-testid=stSidebar] label").filter(has_text="English").click()
    settle(page)
    assert url_params(page)["lang"] == "en"
    assert page.locator("[data-testid=stMain] h1").first.inner_text() == t("overview.title", "en")
    cards = kpi_cards(page)
    assert name_vi not in cards
    assert re.fullmatch(r"\d{1,3}\.\d%", cards[t("kpi.exchange_success_rate.name", "en")])  # 99.0%: decimal point

    page.locator("[data-testid=stSidebar] label").filter(has_text="Tiếng Việt").click()
    settle(page)
    assert url_params(page)["lang"] == "vi"
    assert "Tổng quan" in page.locator("[data-testid=stMain] h1").first.inner_text()
    assert visit.problems() == []


def test_how_is_this_computed_opens_with_the_formula(context, server):
    visit = open_page(context, server.url, "overview")
    page = visit.page
    card = (
        page.locator("[data-testid=stMain] [data-testid=stVerticalBlock]")
        .filter(has=page.locator("[data-testid=stMetricLabel]", has_text=t("kpi.exchange_success_rate.name", "vi")))
        .filter(has=page.locator("[data-testid=stExpander]"))
        .last
    )
    formula = t("kpi.exchange_success_rate.formula", "vi")
    expander = card.locator("[data-testid=stExpander]")
    assert not expander.get_by_text(formula[:30]).is_visible()
    expander.locator("summary").filter(has_text=t("card.how", "vi")).click()
    page.wait_for_timeout(300)
    assert expander.get_by_text(formula[:30]).is_visible()
    # the numbers behind the rate are shown with it
    assert t("card.numbers", "vi").split("{")[0].strip() in expander.inner_text()
    assert visit.problems() == []
