"""Tables: one readable table with its CSV and XLSX downloads (each audited when its bytes are made), and codes in
words. Cells are formatted by dashboard/engine/kpi_text.py (`formatted`); "worst status first" is kpi_text's too."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence

import polars as pl
import streamlit as st
from streamlit import dataframe_util
from streamlit.elements.lib import pandas_styler_utils

from dashboard.access import audit
from dashboard.config import data_dir
from dashboard.csvsafe import csv_bytes
from dashboard.engine.kpi_text import (
    MISSING_DATE,
    MISSING_NUMBER,
    VALUE_KINDS,
    cell_formatter,
    format_value,
    formatted,
    is_share_column,
    mark_colour,
    status_word,
)
from dashboard.engine.kpis import status_for
from dashboard.i18n import t
from dashboard.web import light_tables
from dashboard.web.memo import shared
from dashboard.web.session import FILTERS_KEY, current_user, filters

# The status colours as light tints behind a cell's text (readable in the light and the dark theme).
RAG_TINTS = {"green": "rgba(26, 127, 55, 0.16)", "amber": "rgba(191, 135, 0, 0.22)", "red": "rgba(207, 34, 46, 0.18)"}
WHOLE_ROWS = 20  # a `whole` table of up to this many rows shows all of them; a longer one scrolls


def table(
    df: pl.DataFrame,
    name: str,
    labels: dict[str, str] | Sequence[str],
    formats: dict[str, str] | None = None,
    *,
    prefix: str | None = None,
    sortable: bool = False,
    key: str | None = None,
    on_select: str = "ignore",
    wide: Sequence[str] = (),
    dashes: bool = False,
    whole: bool = False,
):
    """A readable table of the labelled columns, in that order, and CSV and XLSX downloads of its raw values.

    `labels` maps each column to its label; or, with `prefix`, lists the columns, each labelled by the text
    `<prefix>.<column>`. `formats` gives a column's kind for kpi_text (formats of columns not shown are ignored, so
    one page-wide map serves every table). Every table sorts by value: numbers and dates stay values and are
    written in the locale as the cards write them, a missing value '–' (`sortable` and `dashes` are kept for the
    callers; both are now always so). With `on_select="rerun"` and a `key`, a row can be selected; the selection
    state is returned. `wide` columns (e.g. a note) get more room; with `whole`, a short table shows all its rows
    without a scroll bar.
    """
    f = filters()
    if df.is_empty():
        st.info(f.tr("app.empty"))
        return None
    if prefix is not None:
        labels = {c: t(f"{prefix}.{c}", f.lang) for c in labels}
    formats = {c: kind for c, kind in (formats or {}).items() if c in labels}
    shown = df.select(list(labels))
    # Numbers and dates stay values (a click on a header sorts by value) and are written as the cards write them
    # (92,3%, 1.234, 25/11/2026; a missing value '–') through the Styler's display values; codes become words.
    value_columns = [c for c in shown.columns if formats.get(c) in VALUE_KINDS or _is_value(shown[c].dtype)]
    kinds = {c: formats.get(c) for c in value_columns}
    # A share (a percent column of values from 0 to 1) gets a bar in a narrow column of its own right after it: a
    # progress column draws a crisp bar in any theme, but writes its number only in the browser's locale, so the
    # value stays printed in its own column as the cards write it. Both sort by the value.
    bars = bar_columns([c for c, k in kinds.items() if k == "percent" and is_share_column(shown[c].to_list())])
    # the Styler with its display values worked out, shared between runs with the same inputs (web/memo.py):
    # building and marshalling the display values was the largest part of a warm run (docs/performance.md)
    texts = {c: k for c, k in formats.items() if c not in value_columns}
    styler = shared(styled_table, shown, texts, kinds, dict(labels), bars, f.lang)
    config = {labels[c]: st.column_config.TextColumn(width="large") for c in wide if c in labels}
    config |= {bar: share_bar_column(labels[c]) for c, bar in bars.items()}
    event = st.dataframe(
        styler,
        hide_index=True,
        width="stretch",
        height="content" if whole and len(df) <= WHOLE_ROWS else "auto",
        column_config=config or None,
        key=key,
        on_select=on_select,
        selection_mode="single-row",
    )
    download_buttons(shown.rename(labels), name)
    return event if on_select != "ignore" else None


def light_table(df: pl.DataFrame, name: str, labels: dict[str, str], formats: dict[str, str] | None = None) -> None:
    """A short list drawn in HTML (web/light_tables.py), with the CSV and XLSX downloads of its raw values: for a
    first screen whose cards would otherwise wait for st.dataframe's grid (the overview's "needs attention" lists).
    Same columns, labels and formats as `table`, written the same way; not sortable (a few rows)."""
    f = filters()
    if df.is_empty():
        st.info(f.tr("app.empty"))
        return
    shown = df.select(list(labels))
    formats = {c: kind for c, kind in (formats or {}).items() if c in labels}
    st.markdown(shared(light_tables.table_html, shown, dict(labels), formats, f.lang), unsafe_allow_html=True)
    download_buttons(shown.rename(labels), name)


BAR_WIDTH = 56  # px: a bar column, narrow so that a table of five shares still fits at 1400 px
BAR_MARK = "\u200b"  # a bar column's header: zero-width spaces (one more per bar column), so it reads as none


def bar_columns(shares: Sequence[str]) -> dict[str, str]:
    """{share column: the name of its bar column}."""
    return {c: BAR_MARK * (i + 1) for i, c in enumerate(shares)}


def is_bar_column(name: str) -> bool:
    return bool(name) and set(name) == {BAR_MARK}


def share_bar_column(label: str):
    """The bar of a share: 0 to 1, no number of its own (the column before it prints the value), its help the
    share's name."""
    return st.column_config.ProgressColumn(width=BAR_WIDTH, min_value=0.0, max_value=1.0, format=" ", help=label)


def styled_table(
    shown: pl.DataFrame,
    texts: dict[str, str],
    kinds: dict[str, str | None],
    labels: dict[str, str],
    bars: dict[str, str],
    lang: str,
):
    """The table's pandas Styler, ready to be marshalled: columns `texts` formatted to text (their kinds), columns
    `kinds` kept as values with display values of their kind, headers `labels`, each share of `bars` followed by
    its bar column (the same values). Pure: shared between runs."""
    view = formatted(shown, texts, lang).with_columns(pl.col(pl.String).fill_null("–"))
    # the bars from the values as they are (a missing share draws no bar), then the missing values of every value
    # column held as the sentinels written '–' (a null cell is drawn "None" whatever its display value)
    view = view.with_columns([pl.col(c).alias(bar) for c, bar in bars.items()])
    view = with_missing_marked(view, list(kinds)).rename(labels)
    order = [name for c in shown.columns for name in (labels[c], *([bars[c]] if c in bars else []))]
    view = view.select(order)
    styler = view.to_pandas().style.format({labels[c]: cell_formatter(k, lang) for c, k in kinds.items()}, na_rep="–")
    return prepared(styler)


CELL_ID = re.compile(r"row(\d+)_col(\d+)")  # a body cell's id in a Styler's translation


def prepared(styler):
    """`styler` with its styles and display values worked out now, once, so that st.dataframe marshals a shared
    Styler without working them out again on every run (pandas' `_translate` of every cell was half of a warm
    table). st.dataframe reads them through the Styler's `_compute()` and `_translate(False, False)` (streamlit's
    elements/lib/pandas_styler_utils.py): both are answered from what was worked out here.
    tests/test_tables.py proves the marshalled table equal to the plain Styler's. Do not change it afterwards."""
    styler._compute()
    full = styler._translate(False, False)
    # kept: what streamlit reads (a cell's id and display value, the CSS rules), and of the cells only those whose
    # display value differs from the value written as text (streamlit starts from the latter): a text column
    # needs no update, which halves what each run still does (pandas assignments, column by column)
    text = styler.data.astype(str)  # what streamlit starts from (pandas_styler_utils._use_display_values)
    body = []
    for row in full["body"]:
        cells = []
        for c in row:
            at = CELL_ID.fullmatch(c.get("id") or "")
            if at and str(c["display_value"]) != text.iat[int(at[1]), int(at[2])]:
                cells.append({"id": c["id"], "display_value": c["display_value"]})
        body.append(cells)
    translated = {"body": body, **{k: full[k] for k in ("cellstyle", "table_styles") if k in full}}
    # and the display values as the Arrow bytes streamlit makes of them, made here the way it makes them: its
    # per-column pandas assignments and the Arrow conversion were a quarter of a warm page run under load (py-spy,
    # docs/performance.md, sixth pass); `_marshall_display_values` below hands them over as they are
    translated[DISPLAY_VALUES] = dataframe_util.convert_pandas_df_to_arrow_bytes(
        pandas_styler_utils._use_display_values(styler.data, translated)
    )
    styler._compute = lambda: styler
    styler._translate = lambda *args, **kwargs: translated
    return styler


DISPLAY_VALUES = "dashboard_display_values"  # a key of a prepared Styler's translation: its display values' bytes
_marshall_display_values_of_streamlit = pandas_styler_utils._marshall_display_values


def _marshall_display_values(proto, df, styles) -> None:
    """Streamlit's `_marshall_display_values`, which a prepared Styler answers with the bytes worked out once."""
    ready = styles.get(DISPLAY_VALUES)
    if ready is None:
        _marshall_display_values_of_streamlit(proto, df, styles)
    else:
        proto.styler.display_values = ready


pandas_styler_utils._marshall_display_values = _marshall_display_values


def mark_style(text) -> str:
    colour = mark_colour(text)
    return f"color: {colour}" if colour else ""


def coloured_marks(styler, columns: Sequence[str]):
    """Cells that start with a status mark ('● Đạt', '◆ Quá hạn') in the mark's colour: the shape tells the status
    without colour, the colour without an emoji font."""
    return styler.map(mark_style, subset=list(columns)) if columns else styler


def kpi_styler(frame: pl.DataFrame, kpis: dict[str, str], lang: str):
    """A table whose `kpis` columns (label -> KPI id) hold the KPI values, so a header sorts by value, shown as the
    cards show them with the status ('97,3% · Đạt') on a light tint of the status colour; other text columns
    as they are (marks coloured). Worked out once per distinct inputs and shared (`prepared`): do not change it."""
    return shared(kpi_styled, frame, kpis, lang)


def kpi_styled(frame: pl.DataFrame, kpis: dict[str, str], lang: str):
    """`kpi_styler`'s Styler, built and `prepared`."""
    pdf = with_missing_marked(frame, list(kpis)).to_pandas()

    def cell(kpi_id: str):
        def write(value) -> str:
            value = None if value is None or value != value or value == MISSING_NUMBER else float(value)
            status = status_for(kpi_id, value)
            return f"{format_value(kpi_id, value, lang)} · {status_word(kpi_id, status, lang)}"

        return write

    def tint(kpi_id: str):
        def style(value) -> str:
            missing = value is None or value != value or value == MISSING_NUMBER
            status = status_for(kpi_id, None if missing else float(value))
            return f"background-color: {RAG_TINTS[status]}" if status in RAG_TINTS else ""

        return style

    styler = pdf.style.format({label: cell(k) for label, k in kpis.items()})  # a missing KPI: '– · Không có dữ liệu'
    others = [c for c in frame.columns if c not in kpis]
    if others:
        styler = styler.format(na_rep="–", subset=others)
    for label, kpi_id in kpis.items():
        styler = styler.map(tint(kpi_id), subset=[label])
    texts = [c for c in frame.columns if c not in kpis and frame[c].dtype == pl.String]
    return prepared(coloured_marks(styler, texts))


def with_missing_marked(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Missing numbers and dates of value columns replaced by kpi_text's MISSING_* (written '–'): Streamlit draws a
    null cell as "None" whatever the Styler says."""
    out = []
    for name in columns:
        col = frame[name]
        if col.null_count() == 0:
            continue
        if isinstance(col.dtype, pl.Datetime):  # keeps its time of day (and its time zone, if any)
            zone = dt.UTC if col.dtype.time_zone else None
            out.append(col.fill_null(pl.lit(dt.datetime.combine(MISSING_DATE, dt.time(), zone)).cast(col.dtype)))
        elif col.dtype.is_temporal():
            out.append(col.cast(pl.Date).fill_null(MISSING_DATE))
        elif col.dtype.is_numeric():
            out.append(col.cast(pl.Float64).fill_null(MISSING_NUMBER))
    return frame.with_columns(out) if out else frame


def _is_value(dtype) -> bool:
    return dtype.is_numeric() or dtype.is_temporal()


def coded(df: pl.DataFrame, columns: Sequence[str], prefix: str) -> pl.DataFrame:
    """Codes in `columns` (e.g. a level) replaced by their text `<prefix>.<code>` in the current language."""
    return formatted(df, dict.fromkeys(columns, f"code:{prefix}"), filters().lang)


def download_buttons(df: pl.DataFrame, name: str) -> None:
    f = filters()
    stem = f"{name}_{f.period.start.isoformat()}_{f.period.end.isoformat()}_{f.scope.key.replace(':', '-')}"

    def xlsx() -> bytes:
        # made when the file is requested, not on every run: writing a workbook was half of a warm page's time
        # under `python -m dashboard loadtest` (one per table, for every session and rerun)
        out = io.BytesIO()
        df.write_excel(out, worksheet=name[:31], autofit=True)
        return out.getvalue()

    # One row of buttons as wide as their labels (fixed columns cut the labels at tablet width).
    row = st.container(horizontal=True, gap="small")
    download(row, f.tr("download.csv"), lambda: csv_bytes(df), f"{stem}.csv", "text/csv", what=name, key=f"csv_{name}")
    download(row, f.tr("download.xlsx"), xlsx, f"{stem}.xlsx", XLSX_MIME, what=name, key=f"xlsx_{name}")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def audited(produce: Callable[[], bytes], file_name: str, what: str) -> Callable[[], bytes]:
    """The data of a deferred download: a callable that makes the bytes and writes the `download` audit line when
    the file is requested, so a client that fetches the file without the button's click is audited too. Streamlit
    runs it on a worker thread without the session: who, where and the data dir are taken now."""
    user, f = current_user(), st.session_state.get(FILTERS_KEY)
    who = user.name if user else None
    scope = f.scope.key if f is not None else None
    base = f.base if f is not None else data_dir()

    def data() -> bytes:
        out = produce()
        audit.record(base, "download", who, file=file_name, what=what, scope=scope)  # no line, no file
        return out

    return data


def download(
    where, label: str, produce: Callable[[], bytes], file_name: str, mime: str, *, what: str, key: str, **options
) -> None:
    """A download button (in `where`: st, a column, a container) whose bytes are made, and audited, only when the
    file is requested (`audited`); the click itself reruns nothing."""
    where.download_button(
        label,
        audited(produce, file_name, what),
        file_name,
        mime,
        key=key,
        on_click="ignore",
        icon=options.pop("icon", ":material/download:"),
        **options,
    )
