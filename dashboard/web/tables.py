"""Tables: one readable table with its CSV and XLSX downloads (each download audited), and codes in words.
Cells are formatted by dashboard/engine/kpi_text.py (`formatted`); "worst status first" is kpi_text's too. The
formatted frames and the CSV bytes are shared between runs with the same inputs (web/memo.py)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl
import streamlit as st

from dashboard.config import data_dir
from dashboard.engine.kpi_text import formatted
from dashboard.i18n import t
from dashboard.web.memo import shared
from dashboard.web.session import FILTERS_KEY, current_user, filters

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
    `<prefix>.<column>`. `formats` gives a column's kind for kpi_text.formatted (formats of columns not shown are
    ignored, so one page-wide map serves every table). With `sortable`, numbers stay numbers (so clicking a header
    sorts by value) and are shown with a column format; otherwise they are formatted as text in the locale. With
    `on_select="rerun"` and a `key`, a row can be selected; the selection state is returned. `wide` columns (e.g.
    a note) get more room; with `dashes`, a missing text reads '–' instead of 'None'; with `whole`, a short table
    shows all its rows without a scroll bar.
    """
    f = filters()
    if df.is_empty():
        st.info(f.tr("app.empty"))
        return None
    if prefix is not None:
        labels = {c: t(f"{prefix}.{c}", f.lang) for c in labels}
    formats = {c: kind for c, kind in (formats or {}).items() if c in labels}
    shown = df.select(list(labels))
    config = {}
    if sortable:
        text_kinds = {k: v for k, v in formats.items() if v not in ("percent", "number")}
        view = shared(formatted, shown, text_kinds, f.lang).with_columns(
            [pl.col(c) * 100 for c, kind in formats.items() if kind == "percent"]
        )
        config = {
            labels[c]: st.column_config.NumberColumn(format="%.1f%%" if kind == "percent" else "localized")
            for c, kind in formats.items()
            if kind in ("percent", "number")
        }
    else:
        view = shared(formatted, shown, formats, f.lang)
    if dashes:
        view = view.with_columns(pl.col(pl.String).fill_null("–"))
    config |= {labels[c]: st.column_config.TextColumn(width="large") for c in wide if c in labels}
    event = st.dataframe(
        # as Arrow: Streamlit serialises a pyarrow table as it is, where a Polars frame went through pandas (to_pandas
        # was a fifth of a warm page run's Python time, docs/performance.md)
        view.rename(labels).to_arrow(),
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


def coded(df: pl.DataFrame, columns: Sequence[str], prefix: str) -> pl.DataFrame:
    """Codes in `columns` (e.g. a level) replaced by their text `<prefix>.<code>` in the current language."""
    return formatted(df, dict.fromkeys(columns, f"code:{prefix}"), filters().lang)


def download_buttons(df: pl.DataFrame, name: str) -> None:
    f = filters()
    stem = f"{name}_{f.period.start.isoformat()}_{f.period.end.isoformat()}_{f.scope.key.replace(':', '-')}"

    def xlsx() -> bytes:
        # made when the button is clicked, not on every run: writing a workbook was half of a warm page's time
        # under `python -m dashboard loadtest` (one per table, for every session and rerun)
        out = io.BytesIO()
        df.write_excel(out, worksheet=name[:31], autofit=True)
        return out.getvalue()

    # One row of buttons as wide as their labels (fixed columns cut the labels at tablet width).
    left = right = st.container(horizontal=True, gap="small")
    left.download_button(
        f.tr("download.csv"),
        shared(csv_bytes, df),
        f"{stem}.csv",
        "text/csv",
        key=f"csv_{name}",
        on_click=audit_download,
        args=(f"{stem}.csv", name),
        icon=":material/download:",
    )
    right.download_button(
        f.tr("download.xlsx"),
        xlsx,
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{name}",
        on_click=audit_download,
        args=(f"{stem}.xlsx", name),
        icon=":material/download:",
    )


def csv_bytes(df: pl.DataFrame) -> bytes:
    """The CSV download: UTF-8 with a byte order mark, so that Excel reads the Vietnamese letters."""
    return df.write_csv().encode("utf-8-sig")


def audit_download(file_name: str, what: str) -> None:
    """on_click of download buttons: one audit line per download."""
    from dashboard.access import audit

    user, f = current_user(), st.session_state.get(FILTERS_KEY)
    scope = f.scope.key if f is not None else None
    audit.record(data_dir(), "download", user.name if user else None, file=file_name, what=what, scope=scope)
