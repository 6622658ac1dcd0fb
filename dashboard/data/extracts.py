"""Raw extracts as the curation step (`dashboard.data.curate`) reads them: the source files of each contract table
as frames with the contract's column names, and the DuckDB expressions that turn their text into the contract's
types.

The source folder holds one file, or one folder of files, per contract table, named
after the table: `agencies.csv`, `exchanges_daily.xlsx`, `dossiers_daily/2026-03.parquet`, ...
(`.csv`, `.txt`, `.tsv`, `.xlsx`, `.parquet`; files of a folder are read in name order).  Files named
after no contract table are listed in the report and ignored.

* CSV: UTF-8 with or without a BOM, or UTF-16 (with a BOM, or without one when every other byte of
  ASCII text is zero).  Anything else stops the run with a message (re-save the file as UTF-8).
  The separator is sniffed from the header line: `;`, `,` or a tab, whichever occurs most.
  Header names are matched to the contract case-insensitively; text is trimmed and put in Unicode
  NFC form (so a name typed with combining diacritics equals the same name typed precomposed); an
  empty cell is a missing value; a line with every cell empty is not a row.
* XLSX: the sheet named after the table if there is one, else the first sheet; cells are read as text.
* Parquet: a column already in the contract's type (or a narrower integer, as `check` accepts) is
  taken as it is; any other type is read through its text, with the rules below.
* Numbers (text): `1234`, `-5`; decimals with a dot or a Vietnamese decimal comma (`12.5`, `12,5`);
  thousands grouped Vietnamese style with dots (`1.234.567`, `1.234,5`) or English style with commas
  before a decimal point (`1,234.5`).  A single separator is always the decimal one: `1,234` is
  1.234.  Integer columns also take a whole number written as a decimal (`12.0`, `12,0`, from Excel)
  and Vietnamese thousands (a dot before groups of exactly three digits: `1.000` is 1000 in an
  integer column, while `12.0` and `12,000` are 12); any other fraction is rejected.
* Dates (text): `dd/mm/yyyy` (also `d/m/yyyy`), ISO `yyyy-mm-dd`, or an Excel date-time at midnight
  (`yyyy-mm-dd 00:00:00`).  Never `mm/dd/yyyy`.
* Booleans (text): true/false, t/f, 1/0, yes/no, y/n, có/không, đúng/sai (any case).
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from dashboard.data.contract import TABLES, Column

SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".parquet")
MAX_SHOWN = 60  # characters of an offending value quoted in a reason
TRUE_WORDS = ("true", "t", "1", "1.0", "yes", "y", "có", "co", "đúng", "x")
FALSE_WORDS = ("false", "f", "0", "0.0", "no", "n", "không", "khong", "sai")


class CurateError(RuntimeError):
    """The run cannot go on (unreadable file, a kept table would break); nothing was changed."""


# --------------------------------------------------------------------------- reading sources


def find_sources(source: Path) -> tuple[dict[str, list[Path]], list[str]]:
    """The source files of each contract table (in name order), and the files that match no table."""
    found: dict[str, list[Path]] = {}
    ignored: list[str] = []
    for entry in sorted(source.iterdir()):
        if entry.name.startswith("."):
            continue
        stem = entry.name if entry.is_dir() else entry.name[: -len(entry.suffix)] if entry.suffix else entry.name
        if entry.is_dir() and stem in TABLES:
            files = sorted(p for p in entry.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            found[stem] = files
            ignored += [str(p.relative_to(source)) for p in entry.rglob("*") if p.is_file() and p not in files]
        elif entry.is_file() and stem in TABLES and entry.suffix.lower() in SUFFIXES:
            if stem in found:  # a folder of that name came first (maybe empty), or another file
                first = found[stem][0].name if found[stem] and found[stem][0].parent == source else f"{stem}/"
                raise CurateError(f"two sources for {stem}: {first} and {entry.name}; keep one")
            found[stem] = [entry]
        else:
            ignored.append(entry.name + ("/" if entry.is_dir() else ""))
    return found, ignored


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    half = len(raw) // 2
    if half and raw[1::2].count(0) > half // 2:
        return raw.decode("utf-16-le")
    if half and raw[0::2].count(0) > half // 2:
        return raw.decode("utf-16-be")
    raise CurateError(f"{path.name}: neither UTF-8 nor UTF-16 text; save it as UTF-8 (CSV UTF-8 in Excel)")


def sniff_separator(header: str) -> str:
    """`;`, `,` or a tab: whichever occurs most in the header line outside quotes (a tie goes to `,`)."""
    outside, quoted = [], False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    text = "".join(outside)
    counts = {sep: text.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: (counts[s], s == ","))


def _read_text_file(path: Path) -> pl.DataFrame:
    text = _decode(path).lstrip("\ufeff")
    header = text.split("\n", 1)[0]
    try:
        return pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=sniff_separator(header),
            infer_schema=False,
        )
    except (pl.exceptions.PolarsError, ValueError) as e:
        raise CurateError(f"{path.name}: cannot be read as CSV: {' '.join(str(e).split())[:300]}") from None


def _read_xlsx(path: Path, table: str) -> pl.DataFrame:
    import fastexcel

    try:
        book = fastexcel.read_excel(str(path))
        names = book.sheet_names
        sheet = next((n for n in names if n.strip().lower() == table), names[0])
        return book.load_sheet(sheet, dtypes="string").to_polars()
    except Exception as e:  # noqa: BLE001 - fastexcel raises its own error types
        raise CurateError(f"{path.name}: cannot be read as XLSX: {' '.join(str(e).split())[:300]}") from None


def read_source_file(path: Path, table: str) -> pl.DataFrame:
    """One source file as a frame: its columns renamed to the contract's (case-insensitive), text in NFC,
    blank lines dropped, and `_row` (1-based data row) added."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            df = pl.read_parquet(path)
        except Exception as e:  # noqa: BLE001 - polars and arrow raise several error types
            raise CurateError(f"{path.name}: cannot be read as Parquet: {' '.join(str(e).split())[:300]}") from None
    elif suffix == ".xlsx":
        df = _read_xlsx(path, table)
    else:
        df = _read_text_file(path)
    if "_row" in df.columns:
        raise CurateError(f"{path.name}: a column may not be called _row")
    cols = list(df.columns)
    df = df.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
    if cols and df.height:  # a line whose every cell is empty is not a row
        blank = pl.all_horizontal(
            [
                (pl.col(c).str.strip_chars() == "").fill_null(True)
                if df.schema[c] == pl.String
                else pl.col(c).is_null()
                for c in cols
            ]
        )
        df = df.filter(~blank)
    wanted = {c.lower(): c for c in TABLES[table].column_names}
    renames: dict[str, str] = {}
    for name in cols:
        norm = name.replace("\ufeff", "").strip().lower()
        if norm in wanted:
            if wanted[norm] in renames.values():
                raise CurateError(f"{path.name}: column {wanted[norm]} appears twice")
            renames[name] = wanted[norm]
    df = df.select([pl.col("_row"), *[pl.col(k).alias(v) for k, v in renames.items()]])
    strings = [n for n, t in df.schema.items() if t == pl.String]
    if strings:
        df = df.with_columns([pl.col(n).str.normalize("NFC") for n in strings])
    return df


# --------------------------------------------------------------------------- parsing text to the contract


def text_value(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def parsed_text(col: Column, v: str) -> str:
    """DuckDB expression turning the text `v` (trimmed, '' already null) into the column's type, null when it
    does not parse (the caller reports a type error when the text was there but the value is not)."""
    s = f"replace({v}, ' ', '')"
    if col.type == "VARCHAR":
        return v
    if col.type == "BOOLEAN":
        t = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        f = ", ".join(f"'{w}'" for w in FALSE_WORDS)
        return f"(case when lower({v}) in ({t}) then true when lower({v}) in ({f}) then false end)"
    if col.type in ("INTEGER", "BIGINT"):
        return (
            f"(case when regexp_full_match({s}, '[+-]?[0-9]+') then try_cast({s} as {col.type}) "
            f"when regexp_full_match({s}, '[+-]?[0-9]{{1,3}}([.][0-9]{{3}})+') "
            f"then try_cast(replace({s}, '.', '') as {col.type}) "
            f"when regexp_full_match({s}, '[+-]?[0-9]+[.,]0+') then try_cast(regexp_replace({s}, '[.,]0+$', '') "
            f"as {col.type}) end)"
        )
    if col.type == "DOUBLE":
        return (
            f"(case when regexp_full_match({s}, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?') "
            f"then try_cast({s} as double) "
            f"when regexp_full_match({s}, '[+-]?[0-9]+,[0-9]+') then try_cast(replace({s}, ',', '.') as double) "
            f"when regexp_full_match({s}, '[+-]?[0-9]{{1,3}}([.][0-9]{{3}}){{2,}}') "
            f"then try_cast(replace({s}, '.', '') as double) "
            f"when regexp_full_match({s}, '[+-]?[0-9]{{1,3}}([.][0-9]{{3}})+,[0-9]+') "
            f"then try_cast(replace(replace({s}, '.', ''), ',', '.') as double) "
            f"when regexp_full_match({s}, '[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+[.][0-9]+') "
            f"then try_cast(replace({s}, ',', '') as double) end)"
        )
    if col.type == "DATE":
        return (
            f"(case when regexp_full_match({v}, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}') "
            f"then try_strptime({v}, '%d/%m/%Y')::date "
            f"when regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') then try_strptime({v}, '%Y-%m-%d')::date "
            f"when regexp_full_match({v}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[ T]00:00:00(\\.0+)?') "
            f"then try_strptime(left({v}, 10), '%Y-%m-%d')::date end)"
        )
    raise ValueError(f"no text rule for type {col.type}")


TYPE_WORDS = {
    "BOOLEAN": "not a yes/no value",
    "INTEGER": "not a whole number",
    "BIGINT": "not a whole number",
    "DOUBLE": "not a number",
    "DATE": "not a date (dd/mm/yyyy or yyyy-mm-dd)",
}


def quoted_value(expr: str) -> str:
    return f"'''' || left({expr}, {MAX_SHOWN}) || ''''"
