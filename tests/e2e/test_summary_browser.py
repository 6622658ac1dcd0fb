"""The week in words on the overview, in Chromium on the demo data: a bordered box at the top of the page, above
the first KPI card, in the page's language, inside the page at 1400 and 900 px (its exact sentences are asserted on
the hand-made fixture in tests/test_summary.py)."""

from __future__ import annotations

from e2e_browser import open_page, vietnamese_letters

from dashboard.i18n import t

BOX = ".st-key-week_summary"


def test_the_summary_box_tops_the_overview_in_both_languages(context, server):
    for lang, first_words in (("vi", "Kỳ này"), ("en", "This period")):
        visit = open_page(context, server.url, "overview", f"lang={lang}")
        page = visit.page
        try:
            assert visit.problems() == []
            box = page.locator(BOX)
            assert box.count() == 1
            text = box.inner_text()
            assert text.startswith(t("summary.title", lang))
            items = box.locator("li").all_inner_texts()
            assert 1 <= len(items) <= 6 and items[0].startswith(first_words)
            if lang == "vi":
                assert vietnamese_letters(" ".join(items)) >= 5
            card = page.locator("[data-testid=stMetric]").first
            assert box.bounding_box()["y"] < card.bounding_box()["y"]  # above the cards
            for width in (1400, 900):
                page.set_viewport_size({"width": width, "height": 1000})
                page.wait_for_timeout(300)
                main = page.locator("[data-testid=stMain]").bounding_box()
                shape = box.bounding_box()
                assert shape["x"] >= main["x"] and shape["x"] + shape["width"] <= main["x"] + main["width"] + 1
        finally:
            page.close()
