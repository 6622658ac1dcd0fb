"""A KPI card (dashboard/web/cards.py) with a count too long for its 210 px: three significant digits and a word on
the card, the exact figure in its "how" section; counts that fit, and ratios, are written in full."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.engine.kpi_text import format_card_change, format_card_value


def _card_app(value: float, lang: str) -> None:
    import datetime as dt
    from pathlib import Path

    from dashboard.engine.kpis import Period
    from dashboard.scope import Scope
    from dashboard.web.cards import kpi_card
    from dashboard.web.session import Filters

    f = Filters(Path("."), "v", Period(dt.date(2026, 11, 2), dt.date(2026, 11, 29)), Scope(), "all", lang)
    row = {"kpi_id": "records_exchanged", "value": value, "numerator": None, "denominator": None}
    kpi_card({**row, "status": None, "change": 57_235_003.0}, f)


def _run(value: float, lang: str) -> AppTest:
    at = AppTest.from_function(_card_app, args=(value, lang), default_timeout=30)
    at.run()
    assert not at.exception
    return at


def test_a_count_too_long_for_the_card_is_written_in_words_and_exactly_below():
    at = _run(1_076_861_234.0, "vi")
    assert [m.value for m in at.metric] == ["1,08 tỷ"]  # 1.076861234 billion, three significant digits
    assert [m.delta for m in at.metric] == ["+57,2 triệu"]  # its change (57,235,003) in words too
    assert "Thay đổi chính xác: +57.235.003" in [c.value for c in at.caption]
    assert "Số chính xác: 1.076.861.234" in [c.value for c in at.caption]
    at = _run(128_012_901.0, "en")
    assert [m.value for m in at.metric] == ["128 million"]
    assert "Exact figure: 128,012,901" in [c.value for c in at.caption]


def test_a_count_that_fits_is_written_in_full_with_no_second_figure():
    at = _run(9_999_999.0, "vi")
    assert [m.value for m in at.metric] == ["9.999.999"]
    assert not any(c.value.startswith("Số chính xác") for c in at.caption)
    assert "Thay đổi chính xác: +57.235.003" in [c.value for c in at.caption]  # the change (57 million) in words


def test_card_values_by_unit():
    assert format_card_value("records_exchanged", 10_000_000.0, "vi") == "10,0 triệu"  # the first one in words
    assert format_card_value("hours_saved_estimate", 999_999.0, "vi") == "999.999 giờ"
    assert format_card_value("hours_saved_estimate", 1_234_567.0, "en") == "1.23 million h"
    assert format_card_value("exchange_success_rate", 0.9312, "vi") == "93,1%"  # ratios are never in words
    assert format_card_value("records_exchanged", None, "vi") == "–"


def test_card_changes_by_unit():
    assert format_card_change("records_exchanged", 6_890_145_547.0, "vi") == "+6,89 tỷ"
    assert format_card_change("records_exchanged", -12_345_678.0, "en") == "-12.3 million"
    assert format_card_change("records_exchanged", 9_999_999.0, "vi") == "+9.999.999"  # fits: in full
    assert format_card_change("hours_saved_estimate", 5_061.0, "vi") == "+5.061"
    assert format_card_change("hours_saved_estimate", 2_500_000.0, "en") == "+2.50 million"  # three digits
    assert format_card_change("exchange_success_rate", -0.003, "vi") == "-0,3 điểm %"  # ratios in points, as before
    assert format_card_change("records_exchanged", None, "vi") is None
