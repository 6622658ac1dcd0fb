"""Curate raw extracts into `<data dir>/curated/`: validate every row against the contract, keep the
valid ones, quarantine the rest with a reason, and swap the result in atomically.

Long: one run's steps share its staging folder and report (read, validate, deduplicate, foreign keys, the shrink
guard, the scope files, the swap); what could stand alone already does (extracts, row_rules, shrink, scope_files).

`python -m dashboard curate --source DIR [--data-dir DIR] [--mode replace|append]`

**Inputs.** The source folder holds one file, or one folder of files, per contract table, named
after the table: `agencies.csv`, `exchanges_daily.xlsx`, `dossiers_daily/2026-03.parquet`, ...
Files named after no contract table are listed in the report and ignored.  How CSV, XLSX and Parquet
files are read, and how their text becomes numbers, dates and booleans: `dashboard.data.extracts`.

**Optional columns** (`datasets.operating_since`) may be left out of the source: they are curated as null, and the
curated table always has every contract column.

**Validation.** Every row is checked against the contract in `dashboard.data.contract`: its types (as
above), required values, enumerations, bounds and row rules (the conditions are the checker's own,
`dashboard.data.row_rules.row_checks`), and its foreign keys against the tables as they will be after the run
(a fact whose agency or dataset is unknown is quarantined, never dropped).  A self-reference
(`agencies.parent_agency_id`, `roadmap_items.parent_item_id`) must point at a valid row: a child of a
quarantined row is quarantined too.  A row breaking several rules carries every reason, joined by
`; `.  Invalid rows go to `<data dir>/quarantine/<run-id>/<table>.parquet` as they were read (text),
with `source_file`, `source_row` (1-based data row, header not counted) and `reason`.

**Duplicates.** Rule: among the valid rows, the last occurrence of a natural key in file order wins
(files in name order, rows in file order): a later row is taken to be a correction.  Each row it
supersedes is counted under "duplicates dropped" and written, with the winner's position, to
`quarantine/<run-id>/<table>__dropped_duplicates.parquet`.

**Modes.** `replace` (default): a table present in the source replaces the curated table.  `append`:
a fact table gets the source's rows whose natural key is not curated yet (new days); a row whose key
is already curated is not loaded again (append never changes a curated row: to correct past days,
run `replace`) and is counted under duplicates dropped as `already_curated`, so re-running the same
files adds nothing; a dimension is merged by key, the source's row winning.  A table absent from the
source is kept as it is in both modes.  In `replace` mode a kept table that would point at rows the
run removes stops the run before anything changes.

**Nothing is lost silently.** For every table: `read = loaded + quarantined + duplicates dropped`,
printed and written to `quarantine/<run-id>/report.json` (with the reasons counted by kind).
A run that would empty or shrink a table, or quarantine too much of it, stops before the swap unless accepted
(`--accept-shrink`; `dashboard.data.shrink`); a file lacking contract columns stops the run.

**Progress** (`progress=True`, as the command runs): per table, a step per file with the rows read from it (counted
on the frame read, so no file is read twice), the table's outcome, then the rollups; through dashboard.progress:
one line redrawn with `\r` on a terminal, plain lines in a log (cron, systemd).

**Atomic.** Every table of the new curated data (with the rollups of `dashboard.data.rollups`, rebuilt for
the facts that changed) is written into a staging folder `<data dir>/.curate-<run-id>/curated/`,
each file through a temporary name and a rename; unchanged files are hard links to the current
ones.  Only when everything is written is `curated/` swapped for the staging folder (two renames;
a run that dies between them is repaired by the next run).  A failure at any point before leaves
the previous curated data as it was.  A lock (`quarantine/.curate.lock`) keeps two runs on one data dir apart.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dashboard.config import TIMEZONE, curated_dir, table_files
from dashboard.data.contract import LOAD_ORDER, TABLES, Table
from dashboard.data.extracts import (
    TYPE_WORDS,
    CurateError,
    find_sources,
    parsed_text,
    quoted_value,
    read_source_file,
    text_value,
)
from dashboard.data.io import curated_select_sql
from dashboard.data.row_rules import row_checks, type_ok
from dashboard.data.shrink import DEFAULT_LIMITS, Limits, guard, rows_before
from dashboard.progress import Bar
from dashboard.sqltext import ident, literal

MODES = ("replace", "append")


@dataclass
class TableReport:
    """What one run did to one table."""

    table: str
    action: str  # replaced, appended, merged, kept
    files: list[str] = field(default_factory=list)
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates_dropped: int = 0
    duplicates_in_source: int = 0
    already_curated: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    rows_after: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.read == self.loaded + self.quarantined + self.duplicates_dropped


@dataclass
class RunReport:
    run_id: str
    mode: str
    source: str
    data_dir: str
    started: str
    finished: str | None = None
    status: str = "running"  # ok, failed
    error: str | None = None
    tables: dict[str, TableReport] = field(default_factory=dict)
    ignored_files: list[str] = field(default_factory=list)
    rollups: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = asdict(self)
        for name, t in self.tables.items():
            out["tables"][name]["balanced"] = t.balanced
        return out


# --------------------------------------------------------------------------- the run


class _Run:
    def __init__(self, base: Path, source: Path, mode: str, run_id: str, progress: bool = False, stream=None) -> None:
        self.base, self.source, self.mode, self.run_id = base, source, mode, run_id
        self.progress, self.stream = progress, stream  # progress lines (dashboard.progress), default stderr
        self.cur = curated_dir(base)
        self.stage_root = base / f".curate-{run_id}"
        self.stage = self.stage_root / "curated"
        self.qdir = base / "quarantine" / run_id
        self.con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "4GB"})
        self.con.execute(f"set temp_directory = {literal(str(self.stage_root / 'tmp'))}")
        self.report = RunReport(
            run_id, mode, str(source), str(base), dt.datetime.now(TIMEZONE).isoformat(timespec="seconds")
        )
        self.changed: set[str] = set()  # tables written anew into the stage

    # ---- helpers

    def sql(self, text: str, params: dict | None = None) -> list[tuple]:
        return self.con.execute(text, params or {}).fetchall()

    def previous_files(self, table: str) -> list[Path]:
        return table_files(self.base, table)

    def _prev_view(self, table: str) -> str | None:
        files = self.previous_files(table)
        if not files:
            return None
        name = f"prev_{table}"
        self.con.execute(f"create or replace view {name} as {curated_select_sql(self.con, table, files)}")
        return name

    # ---- one table

    def bar(self, label: str, total: int) -> Bar:
        """A progress bar of this run: a line per step in a log, one redrawn line on a terminal."""
        return Bar(label, total, self.progress, self.stream, each_step=True)

    def load(self, table: Table, files: list[Path], bar: Bar | None = None) -> TableReport:
        """Read and validate one table's files. Progress: a step per file with its rows, counted on the frame
        read (never a second read of the file), then the check of all of them."""
        bar = bar or self.bar(table.name, len(files))
        rep = TableReport(table.name, "replaced" if self.mode == "replace" else "appended")
        if self.mode == "append" and table.kind == "dimension":
            rep.action = "merged"
        rep.files = [str(p.relative_to(self.source)) for p in files]
        parsed = f"parsed_{table.name}"
        first = True
        for idx, path in enumerate(files):
            df = read_source_file(path, table.name)
            rep.read += df.height
            bar.update(idx + 1, f"{path.relative_to(self.source)}: {df.height:,} rows read")
            missing = [c.name for c in table.columns if c.name not in df.columns and not c.optional]
            if missing:  # a file with other columns is not this table's: stop, never load it as empty values
                raise CurateError(f"{path.relative_to(self.source)} lacks the contract columns {', '.join(missing)}")
            self.con.register("incoming_file", df)
            types = dict(self.sql("select column_name, column_type from (describe incoming_file)"))
            selects = [f"{literal(str(path.relative_to(self.source)))} as _file", f"{idx} as _file_idx", "_row"]
            for c in table.columns:
                q = ident(c.name)
                if c.name not in df.columns:
                    selects += [f"null::{c.type} as {q}", f"null::varchar as {ident(c.name + '__raw')}"]
                    continue
                found = str(types[c.name])
                if found != "VARCHAR" and type_ok(c.type, found):
                    selects += [f"{q}::{c.type} as {q}", f"{q}::varchar as {ident(c.name + '__raw')}"]
                else:
                    raw = text_value(f"{q}::varchar")
                    selects += [f"{parsed_text(c, raw)} as {q}", f"{raw} as {ident(c.name + '__raw')}"]
            body = f"select {', '.join(selects)} from incoming_file"
            if first:
                self.con.execute(f"create or replace temp table {parsed} as {body}")
                first = False
            else:
                self.con.execute(f"insert into {parsed} {body}")
            self.con.unregister("incoming_file")
        if first:  # a folder with no files
            cols = ", ".join(
                [
                    f"null::{c.type} as {ident(c.name)}, null::varchar as {ident(c.name + '__raw')}"
                    for c in table.columns
                ]
            )
            self.con.execute(
                f"create or replace temp table {parsed} as "
                f"select null::varchar as _file, 0 as _file_idx, 0::bigint as _row, {cols} limit 0"
            )
        bar.update(len(files), f"checking {rep.read:,} rows")  # a terminal shows it; a log has its step already
        self.validate(table, rep)
        return rep

    def _reason_exprs(self, table: Table) -> tuple[list[str], dict[str, Any]]:
        exprs: list[str] = []
        params: dict[str, Any] = {}
        for c in table.columns:
            if c.type == "VARCHAR":
                continue
            q, raw = ident(c.name), ident(c.name + "__raw")
            exprs.append(
                f"case when {raw} is not null and {q} is null "
                f"then 'type: {c.name} ' || {quoted_value(raw)} || ' is {TYPE_WORDS[c.type]}' end"
            )
        for chk in row_checks(table):
            params.update(chk["params"])
            kind, col = chk["kind"], chk["column"]
            cond = f"coalesce(({chk['cond']}), false)"
            if kind == "null":
                msg = f"'missing: {col} is required'"
                cond = f"{cond} and {ident(col + '__raw')} is null"
            elif kind == "enum":
                allowed = ", ".join(chk["col"].enum)
                msg = f"'enum: {col} ' || {quoted_value(ident(col + '__raw'))} || ' is not one of {allowed}'"
            elif kind == "range":
                msg = f"'range: {col} ' || {quoted_value(ident(col + '__raw'))} || ' must be {chk['bound']}'"
            else:
                rule = chk["rule"]
                msg = literal(f"rule {rule.name}: {rule.message}")
            exprs.append(f"case when {cond} then {msg} end")
        return exprs, params

    def _key_table(self, ref_table: str, ref_col: str) -> str:
        """A temp table of the valid values of `ref_table.ref_col` after this run (staged or previous)."""
        name = f"keys_{ref_table}_{ref_col}"
        staged = table_files(self.stage_root, ref_table) if ref_table in self.changed else []
        files = staged or self.previous_files(ref_table)
        if files:
            lits = ", ".join(literal(str(p)) for p in files)
            self.con.execute(
                f"create or replace temp table {name} as select distinct {ident(ref_col)} as k "
                f"from read_parquet([{lits}], union_by_name = true)"
            )
        else:
            self.con.execute(f"create or replace temp table {name} as select null::varchar as k limit 0")
        return name

    def validate(self, table: Table, rep: TableReport) -> None:
        parsed = f"parsed_{table.name}"
        exprs, params = self._reason_exprs(table)
        self_fks = []
        for name, fk, when in table.references():
            c, (ref_table, ref_col) = table.column(name), fk.split(".", 1)
            q = ident(c.name)
            if ref_table == table.name:
                self_fks.append((c, ref_col))
                continue
            keys = self._key_table(ref_table, ref_col)
            exprs.append(
                f"case when ({when or 'true'}) and {q} is not null and {q} not in (select k from {keys}) "
                f"then 'fk: {c.name} ' || {quoted_value(ident(c.name + '__raw'))} || ' is not a known {ref_table}' end"
            )
        reasons = f"list_filter([{', '.join(exprs) or 'null'}], lambda x: x is not null)"
        self.con.execute(
            f"create or replace temp table checked_{table.name} as select *, {reasons} as _reasons from {parsed}",
            params,
        )
        # Self-references must point at a valid row (of this source, or curated already in append mode).
        for c, ref_col in self_fks:
            q, rq = ident(c.name), ident(ref_col)
            prev = self._prev_view(table.name) if self.mode == "append" else None
            extra = f" union select {rq} from {prev}" if prev else ""
            while True:
                n = self.sql(
                    f"update checked_{table.name} set _reasons = list_append(_reasons, "
                    f"'fk: {c.name} ' || {quoted_value(ident(c.name + '__raw'))} || ' is not a known {table.name}') "
                    f"where len(_reasons) = 0 and {q} is not null and {q} not in ("
                    f"select {rq} from checked_{table.name} where len(_reasons) = 0{extra})"
                )
                if not n or not n[0][0]:
                    break
        key = ", ".join(ident(k) for k in table.key)
        while True:  # ranked again when winners sharing a further unique column set were just quarantined
            self.con.execute(
                f"create or replace temp table ranked_{table.name} as select *, row_number() over w as _rank, "
                f"first_value(_file) over w as _winner_file, first_value(_row) over w as _winner_row "
                f"from checked_{table.name} where len(_reasons) = 0 "
                f"window w as (partition by {key} order by _file_idx desc, _row desc)"
            )
            if not (table.unique and self._quarantine_unique_conflicts(table)):
                break
        rep.quarantined = self.sql(f"select count(*) from checked_{table.name} where len(_reasons) > 0")[0][0]
        for reason, n in self.sql(
            f"select regexp_extract(r, '^([a-z_]+(: [a-z_0-9]+| [a-z_0-9]+)?)', 1) as kind, count(*) "
            f"from (select unnest(_reasons) as r from checked_{table.name}) group by kind order by kind"
        ):
            rep.reasons[reason] = int(n)
        rep.duplicates_in_source = self.sql(f"select count(*) from ranked_{table.name} where _rank > 1")[0][0]
        # The rows this run takes: the winners, minus (append, facts) keys already curated.
        winners = f"select * from ranked_{table.name} where _rank = 1"
        prev = self._prev_view(table.name) if self.mode == "append" else None
        if prev and table.kind == "fact":
            on = " and ".join(f"w.{ident(k)} = p.{ident(k)}" for k in table.key)
            first = ident(table.key[0])
            rng = self.sql(f"select min({first}), max({first}) from ranked_{table.name} where _rank = 1")[0]
            self.con.execute(
                f"create or replace temp table new_{table.name} as select w.* from ({winners}) as w "
                f"anti join (select * from {prev} where {first} between $lo and $hi) as p on {on}",
                {"lo": rng[0], "hi": rng[1]},
            )
        else:
            self.con.execute(f"create or replace temp table new_{table.name} as {winners}")
        rep.loaded = self.sql(f"select count(*) from new_{table.name}")[0][0]
        winners_n = self.sql(f"select count(*) from ranked_{table.name} where _rank = 1")[0][0]
        rep.already_curated = winners_n - rep.loaded
        rep.duplicates_dropped = rep.duplicates_in_source + rep.already_curated
        self._write_quarantine(table, rep)

    def _quarantine_unique_conflicts(self, table: Table) -> int:
        """Quarantine all winners sharing a further unique column set (which one is meant cannot be guessed)."""
        n = 0
        for columns in table.unique:
            reason = literal(f"unique: ({', '.join(columns)}) is shared with another row")
            n += self.sql(
                f"update checked_{table.name} set _reasons = list_append(_reasons, {reason}) where (_file_idx, _row) "
                f"in (select (_file_idx, _row) from ranked_{table.name} where _rank = 1 "
                f"qualify count(*) over (partition by {', '.join(ident(c) for c in columns)}) > 1)"
            )[0][0]
        return n

    def _write_quarantine(self, table: Table, rep: TableReport) -> None:
        raw_cols = ", ".join(f"{ident(c + '__raw')} as {ident(c)}" for c in table.column_names)
        if rep.quarantined:
            self.qdir.mkdir(parents=True, exist_ok=True)
            target = self.qdir / f"{table.name}.parquet"
            self.con.execute(
                f"copy (select _file as source_file, _row as source_row, {raw_cols}, "
                f"array_to_string(_reasons, '; ') as reason from checked_{table.name} where len(_reasons) > 0 "
                f"order by _file_idx, _row) to {literal(str(target))} (format parquet, compression zstd)"
            )
        if rep.duplicates_dropped:
            self.qdir.mkdir(parents=True, exist_ok=True)
            target = self.qdir / f"{table.name}__dropped_duplicates.parquet"
            key = " and ".join(f"r.{ident(k)} = n.{ident(k)}" for k in table.key)
            self.con.execute(
                f"copy (select _file as source_file, _row as source_row, {raw_cols}, "
                f"case when _rank > 1 then 'duplicate key: superseded by ' || _winner_file || ' row ' || _winner_row "
                f"else 'already curated: append never changes a curated row (use --mode replace to correct it)' "
                f"end as reason "
                f"from ranked_{table.name} as r where _rank > 1 or not exists "
                f"(select 1 from new_{table.name} as n where {key}) order by _file_idx, _row) "
                f"to {literal(str(target))} (format parquet, compression zstd)"
            )

    # ---- writing the stage

    def stage_table(self, table: Table, rep: TableReport) -> None:
        """Write the table's new curated content into the stage (the writer raises on any failure)."""
        cols = ", ".join(f"{ident(c.name)}::{c.type} as {ident(c.name)}" for c in table.columns)
        key = ", ".join(ident(k) for k in table.key)
        new = f"select {cols} from new_{table.name}"
        prev = self._prev_view(table.name) if self.mode == "append" else None
        if prev and table.kind == "fact":
            # Keep the curated parts (hard links) and add this run's rows as one more part.
            folder = self.stage / table.name
            folder.mkdir(parents=True, exist_ok=True)
            for i, p in enumerate(self.previous_files(table.name)):
                rel = p.relative_to(self.cur / table.name) if p.parent != self.cur else Path(f"part-{i:05d}.parquet")
                _link(p, folder / rel)
            if rep.loaded:
                _write_table(self.con, f"{new} order by {key}", folder / f"part-{self.run_id}.parquet")
        elif prev:  # dimension merge: the source's rows win
            on = " and ".join(f"p.{ident(k)} = n.{ident(k)}" for k in table.key)
            pcols = ", ".join(f"p.{ident(c)}" for c in table.column_names)
            merged = (
                f"{new} union all select {pcols} from {prev} as p "
                f"where not exists (select 1 from new_{table.name} as n where {on})"
            )
            _write_table(self.con, f"select * from ({merged}) order by {key}", self.stage / f"{table.name}.parquet")
        else:
            _write_table(self.con, f"{new} order by {key}", self.stage / f"{table.name}.parquet")
        self.changed.add(table.name)
        files = table_files(self.stage_root, table.name)
        lits = ", ".join(literal(str(p)) for p in files)
        rep.rows_after = self.sql(f"select count(*) from read_parquet([{lits}])")[0][0] if files else 0

    def check_kept_references(self) -> None:
        """In replace mode, a kept table must not point at rows this run removes."""
        for name in LOAD_ORDER:
            if name in self.changed or not self.previous_files(name):
                continue
            table = TABLES[name]
            for col_name, fk, when in table.references():
                c = table.column(col_name)
                ref_table, ref_col = fk.split(".", 1)
                if ref_table not in self.changed:
                    continue
                keys = self._key_table(ref_table, ref_col)
                prev = self._prev_view(name)
                q = ident(c.name)
                n, example = self.sql(
                    f"select count(*), any_value({q}) from {prev} "
                    f"where {q} is not null and {q} not in (select k from {keys}) and ({when or 'true'})"
                )[0]
                if n:
                    raise CurateError(
                        f"replacing {ref_table} would orphan {n:,} curated row(s) of {name} "
                        f"({c.name} = {example!r}, ...): put {name} in the source too, or keep those {ref_table}"
                    )

    def link_unchanged(self, rebuilt: set[str]) -> None:
        """Hard-link every current curated entry the run does not rewrite into the stage."""
        if not self.cur.is_dir():
            return
        for entry in sorted(self.cur.iterdir()):
            stem = entry.name[: -len(".parquet")] if entry.is_file() and entry.name.endswith(".parquet") else entry.name
            if stem in self.changed or stem in rebuilt or entry.name.startswith("."):
                continue
            target = self.stage / entry.name
            if target.exists():
                continue
            if entry.is_dir():
                for p in entry.rglob("*"):
                    if p.is_file():
                        _link(p, target / p.relative_to(entry))
            else:
                _link(entry, target)

    def swap(self) -> None:
        previous = self.base / f".curated-previous-{self.run_id}"
        if self.cur.exists():
            os.rename(self.cur, previous)
        try:
            os.rename(self.stage, self.cur)
        except BaseException:
            if previous.exists():
                os.rename(previous, self.cur)
            raise
        shutil.rmtree(previous, ignore_errors=True)

    def write_report(self) -> Path:
        self.qdir.mkdir(parents=True, exist_ok=True)
        path = self.qdir / "report.json"
        tmp = self.qdir / ".report.json.tmp"
        tmp.write_text(json.dumps(self.report.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
        return path


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_table(con: duckdb.DuckDBPyConnection, select_sql: str, target: Path) -> None:
    """Write one Parquet file: to a temporary name beside the target, then renamed over it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    con.execute(f"copy ({select_sql}) to {literal(str(tmp))} (format parquet, compression zstd, row_group_size 122880)")
    os.replace(tmp, target)


def _recover(base: Path) -> None:
    """Repair a run that died between the two renames of the swap: put the previous curated data back."""
    cur = curated_dir(base)
    if cur.exists():
        return
    previous = sorted(base.glob(".curated-previous-*"))
    if previous:
        os.rename(previous[-1], cur)


def new_run_id() -> str:
    return dt.datetime.now(TIMEZONE).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)


def curate(
    base: Path,
    source: Path,
    mode: str = "replace",
    *,
    run_id: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: bool = False,
    stream=None,
) -> RunReport:
    """Curate `source` into `<base>/curated` (see the module docstring); returns the run's report.

    `progress`: write the run's progress to `stream` (default stderr) through dashboard.progress: per table a step
    per file with the rows read from it, then the table's outcome, then the rollups. A line per step in a log, one
    redrawn line per table on a terminal.

    Raises CurateError (nothing changed) when a file cannot be read or lacks contract columns, or the result would
    be inconsistent; ShrinkRefused when it would empty or shrink a table beyond `limits` (dashboard.data.shrink).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    base, source = Path(base), Path(source)
    if not source.is_dir():
        raise CurateError(f"source {source} is not a folder")
    lock_path = base / "quarantine" / ".curate.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CurateError(f"another curation run holds {lock_path}") from None
        _recover(base)
        run = _Run(base, source, mode, run_id or new_run_id(), progress, stream)
        try:
            return _execute(run, limits)
        except BaseException as e:
            run.report.status = "failed"
            run.report.error = " ".join(str(e).split())[:1000] or type(e).__name__
            run.report.finished = dt.datetime.now(TIMEZONE).isoformat(timespec="seconds")
            with contextlib.suppress(OSError):
                run.write_report()
            raise
        finally:
            run.con.close()
            shutil.rmtree(run.stage_root, ignore_errors=True)


def _execute(run: _Run, limits: Limits) -> RunReport:
    from dashboard.data.rollups import ROLLUPS, build_rollups
    from dashboard.data.scope_files import refresh_scope_files

    found, run.report.ignored_files = find_sources(run.source)
    if not found:
        raise CurateError(f"no file in {run.source} is named after a contract table ({', '.join(LOAD_ORDER)})")
    run.stage.mkdir(parents=True, exist_ok=True)
    for name in LOAD_ORDER:
        if name not in found:
            continue
        table = TABLES[name]
        bar = run.bar(name, len(found[name]))
        rep = run.load(table, found[name], bar)
        run.stage_table(table, rep)
        run.report.tables[name] = rep
        files = f"{len(found[name])} file" + ("s" * (len(found[name]) != 1))
        bar.close(
            f"{files}, {rep.read:,} rows read: {rep.loaded:,} loaded, {rep.quarantined:,} quarantined, "
            f"{rep.duplicates_dropped:,} duplicates dropped"
        )
    if run.mode == "replace":
        run.check_kept_references()
    guard(run.report.tables, rows_before(run.con, {n: run.previous_files(n) for n in run.changed}), limits)
    for name in LOAD_ORDER:
        if name not in run.report.tables:
            files = run.previous_files(name)
            rep = TableReport(name, "kept")
            if files:
                lits = ", ".join(literal(str(p)) for p in files)
                rep.rows_after = run.sql(f"select count(*) from read_parquet([{lits}])")[0][0]
            else:
                rep.notes.append(f"{'optional: ' * TABLES[name].optional}no curated data and none in the source")
            run.report.tables[name] = rep
    # Rollups of the facts or the dimensions that changed (or that have none yet) are rebuilt in the stage.
    stale = {r.name for r in ROLLUPS.values() if {r.source, *r.dimensions} & run.changed}
    run.link_unchanged(stale)
    missing = {r.name for r in ROLLUPS.values() if not table_files(run.stage_root, r.name)}
    todo = sorted(stale | missing)
    if todo:
        bar = run.bar("rollups", 1)
        run.report.rollups = build_rollups(run.stage_root, todo)
        bar.close(", ".join(f"{k} {v:,} rows" for k, v in run.report.rollups.items()))
    refresh_scope_files(run.stage_root)
    run.swap()
    run.report.status = "ok"
    run.report.finished = dt.datetime.now(TIMEZONE).isoformat(timespec="seconds")
    run.write_report()
    return run.report


def format_report(report: RunReport) -> str:
    """The run report as text: per table `read = loaded + quarantined + duplicates dropped`, then reasons."""
    lines = [
        f"Curation run {report.run_id} ({report.mode}) from {report.source} into {report.data_dir}/curated",
        "",
    ]
    names = [n for n in LOAD_ORDER if n in report.tables]
    width = max([len(n) for n in names] + [5])
    lines.append(
        f"{'table'.ljust(width)}  {'read':>9} = {'loaded':>9} + {'quarantined':>11} + {'duplicates dropped':>18}"
    )
    for n in names:
        t = report.tables[n]
        if t.action == "kept":
            after = f"{t.rows_after:,} rows" if t.rows_after is not None else "no data"
            lines.append(f"{n.ljust(width)}  kept as curated ({after})")
            continue
        lines.append(
            f"{n.ljust(width)}  {t.read:>9,} = {t.loaded:>9,} + {t.quarantined:>11,} + {t.duplicates_dropped:>18,}"
            f"   {t.action}, {t.rows_after:,} rows now" + ("" if t.balanced else "   (DOES NOT ADD UP)")
        )
        if t.duplicates_dropped:
            lines.append(
                f"{''.ljust(width)}      duplicates: {t.duplicates_in_source:,} in the source (last one wins), "
                f"{t.already_curated:,} already curated"
            )
        for reason, k in t.reasons.items():
            lines.append(f"{''.ljust(width)}      {k:,} x {reason}")
        for note in t.notes:
            lines.append(f"{''.ljust(width)}      note: {note}")
    if report.ignored_files:
        lines += ["", "Ignored (named after no contract table): " + ", ".join(report.ignored_files)]
    if report.rollups:
        lines += ["", "Rollups rebuilt: " + ", ".join(f"{k} ({v:,} rows)" for k, v in report.rollups.items())]
    lines += ["", f"Report: {Path(report.data_dir) / 'quarantine' / report.run_id / 'report.json'}"]
    return "\n".join(lines)


def run_curate_command(base: Path, source: str, mode: str, limits: Limits = DEFAULT_LIMITS) -> int:
    """`python -m dashboard curate`: run, print the report; exit 1 when the run failed or stopped (nothing changed)."""
    try:
        report = curate(base, Path(source).expanduser().resolve(), mode, limits=limits, progress=True)
    except (CurateError, duckdb.Error, OSError) as e:
        print(f"Curation failed, the curated data was not changed: {e}", file=sys.stderr)
        return 1
    print(format_report(report))
    return 0
