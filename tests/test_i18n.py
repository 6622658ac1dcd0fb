"""One catalogue per language, complete in both; numbers and dates in the locale."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dashboard.engine.kpis import KPIS
from dashboard.i18n import catalogue, fmt_compact, fmt_date, fmt_day_month, fmt_number, fmt_percent, t

ROOT = Path(__file__).resolve().parents[1]


def test_both_catalogues_have_the_same_keys_and_placeholders():
    vi, en = catalogue("vi"), catalogue("en")
    assert set(vi) == set(en)
    for key in vi:
        assert set(re.findall(r"{(\w+)}", vi[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_every_kpi_has_a_name_and_a_formula_in_both_languages():
    for lang in ("vi", "en"):
        for kpi in KPIS:
            assert t(f"kpi.{kpi.id}.name", lang)
            assert len(t(f"kpi.{kpi.id}.formula", lang, minutes=15)) > 30


def test_vietnamese_text_keeps_its_diacritics():
    assert t("criterion.correct", "vi") == "Đúng"
    assert t("kpi.prefill_rate.name", "vi") == "Tỷ lệ thông tin được điền sẵn"


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234.5, "vi", 1, "1.234,5"),
        (1234.5, "en", 1, "1,234.5"),
        (1234567, "vi", 0, "1.234.567"),
        (-1234, "vi", 0, "-1.234"),
        (999, "en", 0, "999"),
        (None, "vi", 0, "–"),
    ],
)
def test_numbers(value, lang, decimals, expected):
    assert fmt_number(value, lang, decimals) == expected


def test_percentages_and_dates():
    assert fmt_percent(0.8534, "vi") == "85,3%"
    assert fmt_percent(0.8534, "en") == "85.3%"
    assert fmt_date(dt.date(2026, 11, 25), "vi") == "25/11/2026"
    assert fmt_date(dt.date(2026, 11, 25), "en") == "25 Nov 2026"
    assert fmt_day_month(dt.date(2026, 3, 2), "vi") == "02/03"
    assert fmt_day_month(dt.date(2026, 3, 2), "en") == "2 Mar"


def test_every_text_key_used_in_code_exists():
    keys = set(catalogue("vi"))
    used = set()
    for path in [ROOT / "app.py", *ROOT.glob("dashboard/**/*.py"), *ROOT.glob("pages/**/*.py")]:
        used |= set(
            re.findall(r"""(?:\.tr|\bt)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""", path.read_text(encoding="utf-8"))
        )
    assert used, "the scan found no keys: the pattern is broken"
    assert used - keys == set()


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (128_012_901, "vi", "128 triệu"),  # 128.012901 million: three significant digits
        (128_012_901, "en", "128 million"),
        (1_076_900_000, "vi", "1,08 tỷ"),  # 1.0769 billion -> 1.08
        (1_076_900_000, "en", "1.08 billion"),
        (12_801_290, "vi", "12,8 triệu"),
        (999_600_000, "vi", "1,00 tỷ"),  # 999.6 million rounds to 1000 million: the next word
        (9_996_000, "en", "10.0 million"),  # 9.996 -> 10.0, still three digits
        (-2_500_000_000, "en", "-2.50 billion"),
        (3_400_000_000_000, "vi", "3,40 nghìn tỷ"),
        (999_999, "vi", "999.999"),  # under a million: every digit
        (None, "vi", "–"),
    ],
)
def test_compact_numbers(value, lang, expected):
    assert fmt_compact(value, lang) == expected
