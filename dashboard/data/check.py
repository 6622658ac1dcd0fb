"""Check `<data dir>/curated` against the data contract declared in `dashboard.data.contract`.

Long: one pass per kind of violation, each needing the unusable-column bookkeeping below; the row rules and the
file reading already live in row_rules and extracts.

Everything checked comes from `contract.TABLES` (columns, types, nullability, enumerations, foreign keys,
bounds, keys and row rules); nothing is restated here.  All the work is done in SQL by an in-memory DuckDB
connection that reads the Parquet files in place, so only counts and a handful of example rows ever reach Python.

Per table, in `LOAD_ORDER` (so a referenced table is judged before the tables that point at it):

1. files: `missing_table` when there is no file or folder, `unreadable` for each
   file whose footer/schema DuckDB cannot read (garbage bytes, truncation).
2. schema, per readable file (footer only): `missing_column`, `wrong_type`.
   Extra columns are not violations; they are listed as notes.
3. one aggregate pass over the usable columns: `null`, `enum`, `range`,
   `row_rule`.  If that pass fails (a file with a sound footer but corrupt data
   pages), the failing files are located, reported `unreadable`, and the pass is
   run again on the remaining files.
4. one pass for the key: `duplicate_key`.
5. one pass per foreign key: `dangling_fk`.

A column that is missing or has an unacceptable type in any file is "unusable":
the later checks that need it (its own null/enum/range checks, row rules that
mention it, the key check if it is a key column, foreign keys from or to it) are
skipped and a note says so.  A foreign key into a table that is missing, has an
unreadable file, or whose referenced column is unusable is skipped as well (its
set of valid values is unknown).

Type rule (Parquet types as DuckDB reads them):

* The contract's type is always accepted.
* INTEGER also accepts TINYINT, SMALLINT, UTINYINT and USMALLINT; BIGINT also
  accepts those plus INTEGER and UINTEGER.  Every value of a narrower integer
  type is exactly representable in the contract type, and DuckDB widens it on
  read, so nothing downstream can tell the difference.
* Nothing else is accepted.  In particular FLOAT is *not* accepted for DOUBLE:
  the precision is lost when the file is written (0.1 becomes 0.10000000149),
  which shifts weights and percentages silently.  VARCHAR is never accepted
  for a number, a date or a boolean; a DATE stored as TIMESTAMP or VARCHAR is
  wrong; DECIMAL is not accepted for DOUBLE or for integers.

Other rules worth knowing:

* Row rules follow SQL CHECK semantics: a rule that evaluates to NULL (because
  an input is NULL) passes; the NULL itself is reported by the `null` check
  when the column is not nullable.
* For DOUBLE columns that carry a bound, NaN counts as out of range.
* Rows whose key has a NULL part are left out of the duplicate-key check (the
  NULL is reported by the `null` check).
* An optional column (`Column.optional`, e.g. `datasets.operating_since`) may be left out of a file: it reads
  as null there, which is no violation; when every file leaves it out, its checks (and row rules naming it, which
  hold for null) are skipped and a note says it is absent.
* Files are read with `hive_partitioning=false`: the contract's columns must be
  inside the files, not in folder names.

SQL is built from the contract's identifiers only, always double-quoted; file
lists, enumerations and bounds are bound as parameters.  Row-rule expressions
are, by design of the contract, DuckDB SQL from `contract.py` itself.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dashboard.config import curated_dir, table_files
from dashboard.data.contract import LOAD_ORDER, TABLES, Table
from dashboard.data.row_rules import ACCEPTED_TYPES, row_checks, rule_columns, type_ok
from dashboard.sqltext import ident

MAX_EXAMPLES = 5
MAX_VALUES_LISTED = 10


@dataclass
class Violation:
    """One way a table breaks the contract."""

    table: str
    column: str | None
    kind: str
    message: str
    rows: int
    examples: list[str] = field(default_factory=list)


@dataclass
class TableStatus:
    """What the checker saw of one table, besides its violations (for the report)."""

    name: str
    files: int = 0
    rows: int | None = None
    notes: list[str] = field(default_factory=list)
    unusable: set[str] = field(default_factory=set)  # contract columns missing or mistyped
    absent: set[str] = field(default_factory=set)  # optional contract columns no file has (all null)
    broken: bool = True  # missing, or some file unreadable: not a trustworthy FK target
    key_unique: bool | None = None  # set by the row pass when every key column is usable


# --------------------------------------------------------------------------- helpers


def _one_line(err: BaseException) -> str:
    """DuckDB's reason on one line, without the echo of our own SQL that some errors carry."""
    text = str(err).split("\nLINE ", 1)[0]
    text = " ".join(text.split())
    return text if len(text) <= 400 else text[:397] + "..."


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _fmt(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _source(files_param: str = "files") -> str:
    return f"read_parquet(${files_param}, union_by_name = true, hive_partitioning = false)"


class _Checker:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.cur = curated_dir(base)
        self.con = duckdb.connect(":memory:")
        self.violations: list[Violation] = []
        self.status: dict[str, TableStatus] = {}
        self.good_files: dict[str, list[Path]] = {}
        self._file_rows: dict[str, int] = {}

    # ---- small utilities

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.base))
        except ValueError:
            return str(path)

    def _fetch(self, sql: str, params: dict[str, Any]) -> list[tuple]:
        return self.con.execute(sql, params).fetchall()

    def _add(
        self, table: str, column: str | None, kind: str, message: str, rows: int, examples: list[str] | None = None
    ) -> None:
        self.violations.append(Violation(table, column, kind, message, rows, list(examples or [])))

    # ---- the whole run

    def run(self) -> tuple[list[Violation], dict[str, TableStatus]]:
        order = list(LOAD_ORDER) + [t for t in TABLES if t not in LOAD_ORDER]
        for name in order:
            self.check_table(TABLES[name])
        self.con.close()
        return self.violations, self.status

    def check_table(self, table: Table) -> None:
        st = self.status[table.name] = TableStatus(table.name)
        files = table_files(self.base, table.name)
        st.files = len(files)
        if not files:
            folder = self.cur / table.name
            if table.optional and not folder.is_dir():
                st.notes.append("optional table absent: the features that need it say so, nothing fails")
                st.unusable = set(table.column_names)
                return
            if folder.is_dir():
                msg = f"folder {self._rel(folder)}/ contains no .parquet files"
            else:
                msg = (
                    f"no data: expected {self._rel(self.cur / (table.name + '.parquet'))} "
                    f"or a folder {self._rel(folder)}/ of .parquet files"
                )
            self._add(table.name, None, "missing_table", msg, 0)
            st.unusable = set(table.column_names)
            return

        schemas = self._read_schemas(table, files)
        if not schemas:
            st.unusable = set(table.column_names)
            return
        st.broken = len(schemas) < len(files)
        self._check_schema(table, schemas)
        good = self._row_checks(table, list(schemas))
        self.good_files[table.name] = good
        if not good:
            st.broken = True
            return
        try:
            self._check_key(table, good)
            for columns in table.unique:
                self._check_unique(table, columns, good)
            self._check_fks(table, good)
        except duckdb.Error as e:  # data already read fine in the row pass; should not happen
            self._add(table.name, None, "unreadable", f"check could not finish: {_one_line(e)}", 0)
            st.broken = True

    # ---- files and schema

    def _read_schemas(self, table: Table, files: list[Path]) -> dict[Path, dict[str, str]]:
        schemas: dict[Path, dict[str, str]] = {}
        for f in files:
            try:
                rows = self._fetch(
                    "DESCRIBE SELECT * FROM read_parquet($files, hive_partitioning = false)", {"files": [str(f)]}
                )
            except duckdb.Error as e:
                self._add(table.name, None, "unreadable", f"cannot read {self._rel(f)}: {_one_line(e)}", 0)
                continue
            schemas[f] = {r[0]: str(r[1]).strip('"') for r in rows}
        if schemas:
            meta = self._fetch(
                "SELECT file_name, num_rows FROM parquet_file_metadata($files)", {"files": [str(f) for f in schemas]}
            )
            self._file_rows = {str(k): int(v) for k, v in meta}
        return schemas

    def _rows_of(self, files: list[Path]) -> int:
        return sum(self._file_rows.get(str(f), 0) for f in files)

    def _files_phrase(self, bad: list[Path], total: int) -> str:
        if len(bad) == total:
            return ""
        names = ", ".join(self._rel(f) for f in bad[:MAX_EXAMPLES])
        more = f" and {len(bad) - MAX_EXAMPLES} more" if len(bad) > MAX_EXAMPLES else ""
        return f" in {len(bad)} of {total} files ({names}{more})"

    def _check_schema(self, table: Table, schemas: dict[Path, dict[str, str]]) -> None:
        st = self.status[table.name]
        total = len(schemas)
        for col in table.columns:
            missing = [f for f, s in schemas.items() if col.name not in s]
            if missing and col.optional:
                # An optional column may be left out: it reads as null where absent (union_by_name).
                if len(missing) == total:
                    st.absent.add(col.name)
                    st.notes.append(f"optional column {col.name} is absent: read as null")
                continue
            if missing:
                st.unusable.add(col.name)
                n = self._rows_of(missing)
                msg = "column is missing" + self._files_phrase(missing, total) + f" ({_plural(n, 'row')})"
                near = sorted({n for f in missing for n in schemas[f] if n.lower() == col.name.lower()})
                if near:
                    msg += f" (found {', '.join(near)}: column names are case-sensitive)"
                self._add(table.name, col.name, "missing_column", msg, n)
                continue
            wrong: dict[str, list[Path]] = {}
            for f, s in schemas.items():
                if not type_ok(col.type, s[col.name]):
                    wrong.setdefault(s[col.name], []).append(f)
            if wrong:
                st.unusable.add(col.name)
                bad_files = [f for fs in wrong.values() for f in fs]
                found = ", ".join(sorted(wrong))
                n = self._rows_of(bad_files)
                msg = (
                    f"expected {col.type}, found {found}"
                    + self._files_phrase(bad_files, total)
                    + f" ({_plural(n, 'row')})"
                )
                if col.type in ACCEPTED_TYPES:
                    msg += "; narrower integer types are accepted"
                self._add(table.name, col.name, "wrong_type", msg, n)
        known = {c.lower() for c in table.column_names}
        extra = sorted({n for s in schemas.values() for n in s if n.lower() not in known})
        if extra:
            st.notes.append("extra columns not in the contract (ignored): " + ", ".join(extra))

    # ---- row-level checks: null, enum, range, row_rule in one pass (planned by dashboard.data.row_rules)

    def _row_pass(self, checks: list[dict], files: list[Path], key: list[str]) -> list[Any]:
        """One scan computing every row-level count, plus a cheap uniqueness screen of the key.

        The screen compares the number of rows (with a complete key) to the number of distinct
        64-bit hashes of their keys: equal means every key is distinct; fewer hashes means a
        duplicate or (very rarely) a hash collision, and the exact key check then decides.
        """
        aggs = ["count(*)"]
        params: dict[str, Any] = {}
        for c in checks:
            params.update(c["params"])
            aggs.append(f"count(*) FILTER (WHERE {c['cond']})")
            if c["kind"] == "range":
                q = ident(c["column"])
                aggs.append(f"min({q}) FILTER (WHERE {c['cond']})")
                aggs.append(f"max({q}) FILTER (WHERE {c['cond']})")
        if key:
            keys = ", ".join(ident(k) for k in key)
            complete = " AND ".join(f"{ident(k)} IS NOT NULL" for k in key)
            aggs.append(f"count(*) FILTER (WHERE {complete})")
            aggs.append(f"count(DISTINCT CASE WHEN {complete} THEN hash({keys}) END)")
        sql = f"SELECT {', '.join(aggs)} FROM {_source()}"
        return list(self._fetch(sql, {**params, "files": [str(f) for f in files]})[0])

    def _row_checks(self, table: Table, files: list[Path]) -> list[Path]:
        st = self.status[table.name]
        checks = row_checks(table, st.unusable, st.notes, absent=st.absent)
        full_key = [] if any(k in st.unusable for k in table.key) else list(table.key)
        # Loops only when a file turns out to be corrupt beyond its footer; each round drops one or more files.
        while files:
            try:
                result = self._row_pass(checks, files, full_key)
                break
            except duckdb.Error as e:
                bad = []
                for f in files:
                    try:
                        self._row_pass(checks, [f], full_key)
                    except duckdb.Error as fe:
                        bad.append(f)
                        self._add(
                            table.name,
                            None,
                            "unreadable",
                            f"cannot read {self._rel(f)}: {_one_line(fe)}",
                            self._file_rows.get(str(f), 0),
                        )
                if not bad:
                    self._add(table.name, None, "unreadable", f"cannot read the table: {_one_line(e)}", 0)
                    return []
                st.broken = True
                files = [f for f in files if f not in bad]
        else:
            return []

        st.rows = int(result[0])
        if full_key:
            st.key_unique = result[-2] == result[-1]
        pos = 1
        key = [k for k in table.key if k not in st.unusable]
        file_list = [str(f) for f in files]
        for c in checks:
            n = int(result[pos])
            pos += 1
            lo = hi = None
            if c["kind"] == "range":
                lo, hi = result[pos], result[pos + 1]
                pos += 2
            if not n:
                continue
            fparams = {**c["params"], "files": file_list}
            examples = self._row_examples(key, c["show"], c["cond"], fparams)
            kind, col = c["kind"], c["column"]
            if kind == "null":
                msg = f"{_plural(n, 'row')} with NULL in a column that must not be null"
            elif kind == "enum":
                msg = self._enum_message(c, n, fparams)
            elif kind == "range":
                found = f"offending value {lo}" if lo == hi else f"offending values from {lo} to {hi}"
                msg = f"{_plural(n, 'row')} out of range: must be {c['bound']}; {found}"
            else:
                rule = c["rule"]
                msg = f"{rule.message}: {_plural(n, 'row')} break rule {rule.name} ({rule.expr})"
            self._add(table.name, col, kind, msg, n, examples)
        return files

    def _row_examples(self, key: list[str], show: list[str], cond: str, params: dict[str, Any]) -> list[str]:
        cols = list(dict.fromkeys(key + show))
        if not cols:
            return []
        sql = f"SELECT {', '.join(ident(c) for c in cols)} FROM {_source()} WHERE {cond} LIMIT {MAX_EXAMPLES}"
        out = []
        for row in self._fetch(sql, params):
            vals = dict(zip(cols, row))
            keypart = ", ".join(f"{k}={_fmt(vals[k])}" for k in key)
            showpart = ", ".join(f"{s}={_fmt(vals[s])}" for s in show if s not in key)
            out.append(" -> ".join(p for p in (keypart, showpart) if p) or keypart)
        return out

    def _enum_message(self, c: dict, n: int, params: dict[str, Any]) -> str:
        q = ident(c["column"])
        sql = (
            f"SELECT {q}, count(*) AS n, count(*) OVER () AS distinct_values FROM {_source()} "
            f"WHERE {c['cond']} GROUP BY {q} ORDER BY n DESC, {q} LIMIT {MAX_VALUES_LISTED}"
        )
        rows = self._fetch(sql, params)
        listed = ", ".join(f"{_fmt(v)} ({_plural(k, 'row')})" for v, k, _ in rows)
        more = rows[0][2] - len(rows) if rows else 0
        if more > 0:
            listed += f" and {more:,} more"
        allowed = ", ".join(c["col"].enum)
        return f"{_plural(n, 'row')} with values outside the allowed list: {listed}; allowed: {allowed}"

    # ---- key

    def _check_key(self, table: Table, files: list[Path]) -> None:
        st = self.status[table.name]
        if not table.key:
            return
        blocked = [k for k in table.key if k in st.unusable]
        if blocked:
            st.notes.append(f"key check skipped: key column {', '.join(blocked)} missing or mistyped")
            return
        if st.key_unique:
            return  # the row pass proved every key distinct
        keys = ", ".join(ident(k) for k in table.key)
        not_null = " AND ".join(f"{ident(k)} IS NOT NULL" for k in table.key)
        sql = (
            f"WITH g AS (SELECT {keys}, count(*) AS n FROM {_source()} WHERE {not_null} "
            f"GROUP BY {keys} HAVING count(*) > 1) "
            f"SELECT {keys}, n, count(*) OVER (), sum(n) OVER () FROM g "
            f"ORDER BY n DESC, {keys} LIMIT {MAX_EXAMPLES}"
        )
        rows = self._fetch(sql, {"files": [str(f) for f in files]})
        if not rows:
            return
        k = len(table.key)
        groups, total = int(rows[0][k + 1]), int(rows[0][k + 2])
        examples = [", ".join(f"{name}={_fmt(v)}" for name, v in zip(table.key, r[:k])) + f" (x{r[k]})" for r in rows]
        msg = (
            f"key ({', '.join(table.key)}) is not unique: "
            f"{_plural(groups, 'key value')} {'appears' if groups == 1 else 'appear'} more than once, "
            f"on {_plural(total, 'row')} in all"
        )
        self._add(table.name, None, "duplicate_key", msg, total, examples)

    def _check_unique(self, table: Table, columns: tuple[str, ...], files: list[Path]) -> None:
        """A further unique column set, NULL counting as one value (GROUP BY puts NULLs together)."""
        st = self.status[table.name]
        blocked = [c for c in columns if c in st.unusable]
        if blocked:
            st.notes.append(f"unique check of ({', '.join(columns)}) skipped: {', '.join(blocked)} missing or mistyped")
            return
        cols = ", ".join(ident(c) for c in columns)
        sql = (
            f"WITH g AS (SELECT {cols}, count(*) AS n FROM {_source()} GROUP BY {cols} HAVING count(*) > 1) "
            f"SELECT {cols}, n, count(*) OVER (), sum(n) OVER () FROM g ORDER BY n DESC, {cols} LIMIT {MAX_EXAMPLES}"
        )
        rows = self._fetch(sql, {"files": [str(f) for f in files]})
        if not rows:
            return
        k = len(columns)
        groups, total = int(rows[0][k + 1]), int(rows[0][k + 2])
        examples = [", ".join(f"{name}={_fmt(v)}" for name, v in zip(columns, r[:k])) + f" (x{r[k]})" for r in rows]
        msg = (
            f"({', '.join(columns)}) must be unique: "
            f"{_plural(groups, 'value')} {'appears' if groups == 1 else 'appear'} more than once, "
            f"on {_plural(total, 'row')} in all"
        )
        self._add(table.name, None, "duplicate_key", msg, total, examples)

    # ---- foreign keys

    def _check_fks(self, table: Table, files: list[Path]) -> None:
        st = self.status[table.name]
        key = [k for k in table.key if k not in st.unusable]
        for name, fk, when in table.references():
            col = table.column(name)
            ref_table, ref_col = fk.split(".", 1)
            if col.name in st.unusable:
                continue  # already noted as skipped
            if when is not None and any(c in st.unusable for c in rule_columns(when, table)):
                st.notes.append(f"foreign key {col.name} -> {fk} when {when} not checked: a column is unusable")
                continue
            ref = self.status.get(ref_table)
            reason = None
            if ref_table not in TABLES or ref_col not in TABLES[ref_table].column_names:
                reason = f"{fk} is not in the contract"
            elif ref is None:
                reason = f"{ref_table} is checked later"  # LOAD_ORDER does not put it first
            elif ref_table not in self.good_files or ref.broken:
                reason = f"{ref_table} is missing or unreadable"
            elif ref_col in ref.unusable:
                reason = f"{fk} is missing or mistyped"
            if reason:
                st.notes.append(f"foreign key {col.name} -> {fk} not checked: {reason}")
                continue
            q, rq = ident(col.name), ident(ref_col)
            only = f" AND ({when})" if when else ""
            params = {"files": [str(f) for f in files], "ref_files": [str(f) for f in self.good_files[ref_table]]}
            sql = (
                f"WITH ref AS (SELECT DISTINCT {rq} AS v FROM {_source('ref_files')} WHERE {rq} IS NOT NULL), "
                f"vals AS (SELECT {q} AS v, count(*) AS n FROM {_source()} WHERE {q} IS NOT NULL{only} GROUP BY {q}), "
                f"bad AS (SELECT vals.v, vals.n FROM vals ANTI JOIN ref ON vals.v = ref.v) "
                f"SELECT v, n, count(*) OVER (), sum(n) OVER () FROM bad "
                f"ORDER BY n DESC, v LIMIT {MAX_VALUES_LISTED}"
            )
            rows = self._fetch(sql, params)
            if not rows:
                continue
            distinct, total = int(rows[0][2]), int(rows[0][3])
            listed = ", ".join(f"{_fmt(v)} ({_plural(n, 'row')})" for v, n, _, _ in rows)
            if distinct > len(rows):
                listed += f" and {distinct - len(rows):,} more"
            msg = (
                f"{_plural(total, 'row')} {'references' if total == 1 else 'reference'} {fk} "
                + (f"(where {when}) " if when else "")
                + "values that do not exist "
                f"({_plural(distinct, 'value')}): {listed}"
            )
            examples = self._row_examples(
                key,
                [col.name],
                f"list_contains($bad_values, {q}){only}",
                {"files": params["files"], "bad_values": [r[0] for r in rows]},
            )
            self._add(table.name, col.name, "dangling_fk", msg, total, examples)


# --------------------------------------------------------------------------- public API


def check_data_dir_detailed(base: Path) -> tuple[list[Violation], dict[str, TableStatus]]:
    """Violations plus per-table status (files, rows, notes about skipped checks and extra columns)."""
    return _Checker(Path(base)).run()


def check_data_dir(base: Path) -> list[Violation]:
    """Every contract violation found in `<base>/curated` (empty when the data satisfies the contract)."""
    return check_data_dir_detailed(base)[0]


def _other_files(base: Path) -> list[str]:
    cur = curated_dir(base)
    if not cur.is_dir():
        return []
    from dashboard.data.rollups import ROLLUPS
    from dashboard.data.scope_files import SCOPE_DIR

    # rollups and scope files are derived from the tables (dashboard/data/rollups.py, scope_files.py)
    known = set(TABLES) | set(ROLLUPS) | {SCOPE_DIR}
    out = []
    for p in sorted(cur.iterdir()):
        if p.name.startswith("."):
            continue
        stem = p.name[: -len(".parquet")] if p.is_file() and p.name.endswith(".parquet") else p.name
        if stem not in known:
            out.append(p.name + ("/" if p.is_dir() else ""))
    return out


def format_report(violations: list[Violation], base: Path, status: dict[str, TableStatus] | None = None) -> str:
    """A readable report: per table (OK / N problems), per column, with row counts and examples."""
    base = Path(base)
    lines = [f"Data contract check of {curated_dir(base)}", ""]
    by_table: dict[str, list[Violation]] = {}
    for v in violations:
        by_table.setdefault(v.table, []).append(v)
    names = list(LOAD_ORDER) + [t for t in TABLES if t not in LOAD_ORDER]
    names += [t for t in by_table if t not in names]
    width = max(len(n) for n in names)
    for name in names:
        vs = by_table.get(name, [])
        st = status.get(name) if status else None
        size = ""
        if st is not None and st.rows is not None:
            size = f" ({_plural(st.rows, 'row')}, {_plural(st.files, 'file')})"
        head = "OK" if not vs else _plural(len(vs), "problem")
        if not vs and st is not None and st.files == 0 and name in TABLES and TABLES[name].optional:
            head = "absent (optional)"
        lines.append(f"{name.ljust(width)}  {head}{size}")
        groups: dict[str | None, list[Violation]] = {}
        for v in vs:
            groups.setdefault(v.column, []).append(v)
        # Table-wide problems first, then columns in contract order.
        order = [c for c in groups if c is None]
        contract_cols = TABLES[name].column_names if name in TABLES else []
        order += [c for c in contract_cols if c in groups]
        order += [c for c in groups if c not in order]
        for col in order:
            lines.append(f"    {'(table)' if col is None else col}")
            for v in groups[col]:
                lines.append(f"      - {v.kind}: {v.message}")
                for ex in v.examples:
                    lines.append(f"          e.g. {ex}")
        if st is not None:
            for note in st.notes:
                lines.append(f"    note: {note}")
    others = _other_files(base)
    if others:
        lines += ["", "Not in the contract (ignored): " + ", ".join(others)]
    lines.append("")
    n_tables = len([n for n in names if n in TABLES])
    if violations:
        lines.append(
            f"{n_tables} tables checked, {_plural(len(violations), 'violation')} in {_plural(len(by_table), 'table')}"
        )
    else:
        lines.append(f"All {n_tables} tables satisfy the contract")
    return "\n".join(lines)


def run_check(base: Path) -> int:
    """Print the report for `<base>/curated`; 0 when it satisfies the contract, 1 otherwise."""
    base = Path(base)
    cur = curated_dir(base)
    if not cur.is_dir():
        print(
            f"No curated data: {cur} does not exist (or is not a folder).\n"
            f"Point --data-dir or DASHBOARD_DATA_DIR at a data dir that contains curated/, "
            f"or create demo data with: python -m dashboard demo --data-dir {base}",
            file=sys.stderr,
        )
        return 1
    try:
        violations, status = check_data_dir_detailed(base)
    except (duckdb.Error, OSError) as e:
        print(f"The check could not run on {cur}: {_one_line(e)}", file=sys.stderr)
        return 1
    print(format_report(violations, base, status))
    return 1 if violations else 0
