"""KPI and table text without Streamlit: a KPI's name, formula and status word, a value or a change as the cards
show it, one formatter for a cell of a given kind, the status marks, and "worst status first". The cards, the
tables, the SQL pages, the weekly report and the snapshot comparison all format through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import polars as pl

from dashboard.engine.kpis import DEFAULT_MINUTES_PER_DOSSIER, KPI_BY_ID, status_for
from dashboard.i18n import fmt_compact, fmt_date, fmt_number, fmt_percent, t

# A status mark in a table cell: a shape per status (readable without colour, and without a colour emoji font,
# which a server printing the PDF often lacks), coloured by the table (web/tables.py, the HTML report).
STATUS_DOTS = {"green": "●", "amber": "▲", "red": "◆", None: "○"}
# Every mark a cell may start with (the roadmap's outcomes use the same shapes, and ✕ for cancelled), and its colour.
# The colour is the whole cell's text colour, and a table's cell cannot follow the theme: each is a mid tone over 4:1
# against white and against Streamlit's dark background (#171614), so it reads in both themes and on paper.
MARK_COLOURS = {"●": "#258a3e", "▲": "#a06f00", "◆": "#dc3b42", "○": "#767d87", "✕": "#767d87"}


def mark_colour(text) -> str | None:
    """The colour of a cell that starts with a status mark ('● Đạt'), else None."""
    return MARK_COLOURS.get(text[:1]) if isinstance(text, str) and text else None


STATUS_RANK = {"red": 0, "amber": 1, "green": 2, None: 3}  # worst first
NUMBER_KINDS = ("percent", "number", "integer", "decimal")


# ---- one KPI -----------------------------------------------------------------------------------------------


def kpi_name(kpi_id: str, lang: str) -> str:
    return t(f"kpi.{kpi_id}.name", lang)


def kpi_formula(kpi_id: str, lang: str, minutes: float = DEFAULT_MINUTES_PER_DOSSIER) -> str:
    extra = {"minutes": fmt_number(minutes, lang)} if kpi_id == "hours_saved_estimate" else {}
    return t(f"kpi.{kpi_id}.formula", lang, **extra)


def status_word(kpi_id: str | None, status: str | None, lang: str) -> str:
    """The status in words (never colour alone): Đạt / Cần chú ý / Chưa đạt, or why there is none."""
    if status:
        return t(f"status.{status}", lang)
    if kpi_id is not None and KPI_BY_ID[kpi_id].green is None:
        return t("status.no_threshold", lang)
    return t("status.none", lang)


def status_mark(status: str | None, lang: str) -> str:
    """The coloured dot and the word of a status, as tables show it."""
    return f"{STATUS_DOTS[status]} {status_word(None, status, lang)}"


def format_value(kpi_id: str, value: float | None, lang: str) -> str:
    """A KPI value as the cards show it: a percentage for ratios, hours, else a whole number."""
    if value is None:
        return "–"
    unit = KPI_BY_ID[kpi_id].unit
    if unit == "ratio":
        return fmt_percent(value, lang)
    if unit == "hours":
        return t("card.hours", lang, value=fmt_number(value, lang))
    return fmt_number(value, lang)


# The largest count, and hours, a card (web/cards.py CARD_WIDTH) writes in full: "9.999.999", "999.999 giờ".
CARD_EXACT_BELOW = {"count": 10_000_000, "hours": 1_000_000}


def _fits_card(kpi_id: str, number: float | None) -> bool:
    """Whether a KPI's value or change is written in full on a card (a ratio always; a count or hours below
    CARD_EXACT_BELOW of its unit)."""
    unit = KPI_BY_ID[kpi_id].unit
    return number is None or unit not in CARD_EXACT_BELOW or abs(number) < CARD_EXACT_BELOW[unit]


def format_card_value(kpi_id: str, value: float | None, lang: str) -> str:
    """A KPI value on a card: as format_value, but a count or hours too long for the card in three significant
    digits and a word ('128 triệu', '1,08 tỷ giờ'); the card's "how" section gives the exact number."""
    if _fits_card(kpi_id, value):
        return format_value(kpi_id, value, lang)
    if KPI_BY_ID[kpi_id].unit == "hours":
        return t("card.hours", lang, value=fmt_compact(value, lang))
    return fmt_compact(value, lang)


def format_change(kpi_id: str, change: float | None, lang: str) -> str | None:
    """A change as the cards show it: percentage points for ratios, the absolute change for counts."""
    if change is None:
        return None
    sign = "+" if change >= 0 else ""
    if KPI_BY_ID[kpi_id].unit == "ratio":
        return f"{sign}{fmt_number(change * 100, lang, 1)} {t('card.points', lang)}"
    return f"{sign}{fmt_number(change, lang)}"


def format_card_change(kpi_id: str, change: float | None, lang: str) -> str | None:
    """A change on a card: as format_change, but a count or hours too long for the card in words as its value is
    ('9,50 tỷ' over '+6,89 tỷ', not '+6.890.145.547'); the card's "how" section gives the exact values."""
    if _fits_card(kpi_id, change):
        return format_change(kpi_id, change, lang)
    return f"{'+' if change >= 0 else ''}{fmt_compact(change, lang)}"


def kpi_cell(kpi_id: str, value: float | None, lang: str) -> str:
    """A KPI value in a table cell with its mark and its word: '● 97,3% · Đạt' ('○ – · Không có dữ liệu')."""
    status = status_for(kpi_id, value)
    return f"{STATUS_DOTS[status]} {format_value(kpi_id, value, lang)} · {status_word(kpi_id, status, lang)}"


# ---- pace to 2030 (dashboard/engine/pace.py) ----------------------------------------------------------------


def pace_word(status: str | None, lang: str) -> str:
    """The pace in words: reached, on pace, off pace, no trend yet, no target."""
    return t(f"pace.status.{status or 'no_target'}", lang)


def format_target(kpi_id: str, value: float | None, day: dt.date | None, lang: str) -> str:
    """'Mục tiêu 80,0% trước 31/12/2026' / 'Target 80.0% by 31 Dec 2026'."""
    return t("pace.target", lang, value=format_value(kpi_id, value, lang), date=fmt_date(day, lang))


def format_gain(kpi_id: str, gain: float | None, lang: str) -> str:
    """A gain per week: percentage points a week for ratios (two decimals: weekly gains are small)."""
    if gain is None:
        return "–"
    ratio = KPI_BY_ID[kpi_id].unit == "ratio"
    shown = round(gain * 100 if ratio else gain, 2) + 0.0  # + 0.0: a gain that rounds to -0.00 reads +0,00
    sign = "+" if shown >= 0 else ""
    unit = f" {t('card.points', lang)}" if ratio else ""
    return f"{sign}{fmt_number(shown, lang, 2)}{unit}{t('pace.per_week', lang)}"


# ---- one cell ----------------------------------------------------------------------------------------------


def format_cell(value, kind: str | None, lang: str) -> str:
    """A cell in the locale, as its kind says ('percent', 'number' or 'integer', 'decimal', 'date', 'text'); without
    a kind, numbers and dates by their type. A missing value reads '–' (no data), as on the cards."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if kind == "text":
        return str(value)
    if kind == "percent":
        return fmt_percent(value, lang)
    if kind in ("number", "integer"):
        return fmt_number(value, lang)
    if kind == "decimal":
        return fmt_number(value, lang, 1)
    if kind == "date" or isinstance(value, dt.date):
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        return fmt_date(day, lang)
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, int | float):
        return fmt_number(value, lang, 0 if float(value).is_integer() else 1)
    return str(value)


VALUE_KINDS = ("percent", "number", "integer", "decimal", "date")  # kinds a table keeps as values (sortable)
# A missing value in a table column kept as values: Streamlit draws a null cell as "None" whatever its display value,
# so a table holds these instead (they sort after every real value) and writes them '–'.
MISSING_NUMBER = float("inf")
MISSING_DATE = dt.date(9999, 12, 31)


def is_share_column(values: Iterable) -> bool:
    """Whether a percent column holds shares (every value from 0 to 1, at least one): a table draws them as bars
    (web/tables.py); a column with a value outside (a growth, an index over 100 %) is not."""
    present = [v for v in values if v is not None and v == v and v != MISSING_NUMBER]
    return bool(present) and all(0 <= v <= 1 for v in present)


def cell_formatter(kind: str | None, lang: str):
    """`format_cell` for a table's display values (a pandas Styler): missing values (None, NaN, NaT) read '–';
    numpy and pandas scalars are turned into Python ones first."""

    def write(value) -> str:
        if value is None or value != value or value == MISSING_NUMBER:  # NaN, NaT, the table's missing number
            return "–"
        if hasattr(value, "to_pydatetime"):  # pandas Timestamp
            value = value.to_pydatetime()
            value = value.date() if kind == "date" or (value.hour, value.minute, value.second) == (0, 0, 0) else value
        elif hasattr(value, "item"):  # numpy scalar
            value = value.item()
        if value == MISSING_DATE or (isinstance(value, dt.datetime) and value.date() == MISSING_DATE):
            return "–"
        return format_cell(value, kind, lang)

    return write


# ---- Python callbacks on the calling thread -----------------------------------------------------------------
# Polars runs map_elements callbacks on its worker threads when a context holds several expressions (or a struct),
# and DataFrame.to_pandas (st.dataframe) waits for those workers while holding the GIL: two sessions at once can
# freeze the whole server (found by `python -m dashboard loadtest`; tests/e2e/test_udf_threads.py). These helpers
# compute in plain Python on the thread that asks, which is also quicker for the few rows pages show.


def values_mapped(series: pl.Series, fn: Callable) -> pl.Series:
    """fn(value) for each value of `series` (None included), as a String series of the same name."""
    return pl.Series(series.name, [fn(v) for v in series.to_list()], dtype=pl.String)


def rows_mapped(df: pl.DataFrame, columns: Iterable[str], fn: Callable, name: str) -> pl.Series:
    """fn(row) for each row of `df`, the row a dict of `columns`, as a String series called `name`."""
    return pl.Series(name, [fn(row) for row in df.select(list(columns)).iter_rows(named=True)], dtype=pl.String)


def formatted(df: pl.DataFrame, formats: dict[str, str], lang: str) -> pl.DataFrame:
    """Columns formatted for reading by `format_cell`; code kinds ('roadmap_status', 'criterion', 'phase', or any
    text prefix given as 'code:<prefix>') replaced by their text in the language. Other columns as they are."""
    out = []
    for name in df.columns:
        kind = formats.get(name)
        col = df[name]
        if kind in ("roadmap_status", "criterion", "phase") or (kind or "").startswith("code:"):
            prefix = kind.removeprefix("code:")
            col = values_mapped(col, lambda v, p=prefix: None if v is None else t(f"{p}.{v}", lang))
        elif kind is not None:
            col = values_mapped(col, lambda v, k=kind: format_cell(v, k, lang))
        out.append(col.alias(name))
    return pl.DataFrame(out) if out else df


# ---- worst status first ------------------------------------------------------------------------------------


def worst_status(statuses: Iterable[str | None]) -> str | None:
    """The worst of some RAG statuses (red, then amber, then green; None when there is none)."""
    return min(statuses, key=STATUS_RANK.get, default=None)


def count_with_status(df: pl.DataFrame, kpi_ids: Iterable[str], status: str) -> pl.Series:
    """For each row, how many of the KPI columns (each named by its kpi_id) have this RAG status ("red": how many
    KPIs are off track), as a UInt8 series called `count_<status>`."""
    kpi_ids = list(kpi_ids)
    counts = [sum(status_for(k, row[k]) == status for k in kpi_ids) for row in df.select(kpi_ids).iter_rows(named=True)]
    return pl.Series(f"count_{status}", counts, dtype=pl.UInt8)


def with_worst_status(
    df: pl.DataFrame,
    kpi_by_column: dict[str, str],
    lang: str,
    *,
    name: str = "status",
    order: bool = True,
    dots: bool = True,
) -> pl.DataFrame:
    """Adds `name`: the worst RAG status of the columns, each judged by its KPI's thresholds, in words (with the
    coloured dot when `dots`). With `order`, rows are sorted worst first, then by the first column, lowest first."""
    if df.is_empty():
        return df.with_columns(pl.lit(None, pl.String).alias(name))
    statuses = [
        worst_status(status_for(kpi, row[col]) for col, kpi in kpi_by_column.items())
        for row in df.select(list(kpi_by_column)).iter_rows(named=True)
    ]
    words = [status_mark(s, lang) if dots else status_word(None, s, lang) for s in statuses]
    out = df.with_columns(pl.Series(name, words, dtype=pl.String))
    if not order:
        return out
    ranks = pl.Series("_rank", [STATUS_RANK[s] for s in statuses], dtype=pl.Int8)
    first = next(iter(kpi_by_column))
    return out.with_columns(ranks).sort(["_rank", first], nulls_last=True).drop("_rank")
