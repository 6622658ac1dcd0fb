"""UI text from one catalogue per language, and numbers and dates in the chosen locale."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from functools import cache
from pathlib import Path

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
_LOCALES = Path(__file__).resolve().parent / "locales"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every UI string of one language, keyed like 'kpi.prefill_rate.name'."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    with open(_LOCALES / f"{lang}.toml", "rb") as f:
        return _flatten(tomllib.load(f))


def t(key: str, lang: str = DEFAULT_LANG, **values) -> str:
    """The text for `key` in `lang`, with {placeholders} filled; a missing key is an error, not a blank."""
    text = catalogue(lang)[key]
    return text.format(**values) if values else text


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    return digits[:head] + "".join(sep + digits[i : i + 3] for i in range(head, len(digits), 3))


def fmt_number(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """1.234,5 in Vietnamese, 1,234.5 in English; '–' for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    thousands, decimal = (".", ",") if lang == "vi" else (",", ".")
    text = f"{abs(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    sign = "-" if value < 0 and float(text) != 0 else ""
    return sign + _group(whole, thousands) + (decimal + frac if frac else "")


# A large count in words (what a card 210 px wide can hold): the unit word of each language, from the largest.
_COMPACT_UNITS = {
    "vi": ((1e12, "nghìn tỷ"), (1e9, "tỷ"), (1e6, "triệu")),
    "en": ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")),
}


def fmt_compact(value: float | None, lang: str = DEFAULT_LANG) -> str:
    """A number of a million or more in three significant digits and a word: 128.012.901 -> '128 triệu' (vi),
    1.0769e9 -> '1.08 billion' (en); smaller numbers as fmt_number writes them."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    units = _COMPACT_UNITS[lang]
    for i, (size, word) in enumerate(units):
        if abs(value) < size:
            continue
        rounded = float(f"{abs(value) / size:.3g}")
        if rounded >= 1000 and i > 0:  # 999.6 million is written 1.00 billion
            size, word = units[i - 1]
            rounded = float(f"{abs(value) / size:.3g}")
        decimals = 2 if rounded < 10 else 1 if rounded < 100 else 0
        sign = "-" if value < 0 else ""
        return f"{sign}{fmt_number(rounded, lang, decimals)} {word}"
    return fmt_number(value, lang)


def fmt_amount(value: float | None, lang: str = DEFAULT_LANG) -> str:
    """A count or weighted sum: whole numbers without decimals, others with up to two."""
    if value is not None and float(value).is_integer():
        return fmt_number(value, lang)
    return fmt_number(value, lang, 2)


def fmt_percent(value: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A fraction shown as a percentage: 0.853 -> '85,3%' (vi) or '85.3%' (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt_number(value * 100, lang, decimals) + "%"


def fmt_date(day: dt.date | None, lang: str = DEFAULT_LANG) -> str:
    """25/11/2026 in Vietnamese, 25 Nov 2026 in English."""
    if day is None:
        return "–"
    if lang == "vi":
        return day.strftime("%d/%m/%Y")
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def fmt_day_month(day: dt.date, lang: str = DEFAULT_LANG) -> str:
    """25/11 in Vietnamese, 25 Nov in English: a week's label on a chart's axis."""
    return day.strftime("%d/%m") if lang == "vi" else f"{day.day} {_MONTHS_EN[day.month - 1]}"


def plotly_separators(lang: str) -> str:
    """Plotly's `separators` layout setting: decimal mark then thousands mark."""
    return ",." if lang == "vi" else ".,"
