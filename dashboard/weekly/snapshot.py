"""Weekly snapshot: `python -m dashboard snapshot` freezes one ISO week's numbers into files a meeting can use.

`<data dir>/snapshots/<YYYY>-W<ww>/` gets kpis.parquet (every KPI for `all`, every province and every central
body, as data-contract.md says), report.xlsx, report.html, report.pdf and manifest.json. A report for one
province (`--report-scope province:CODE`) goes to `snapshots/scopes/province-CODE/<week>/`, with the same files.

Reliability: the inputs are checked against the contract first; the snapshot is built in a hidden temporary
folder and renamed into place at the end (an existing week is replaced only with --force, by an atomic swap);
a lock file per week keeps two runs apart (a lock left by a dead process is recovered); every run, whatever
its outcome, is a line in `snapshots/ledger.jsonl`. Week-over-week changes come from the previous week's
*stored* kpis.parquet, never from querying the data again.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

import dashboard
from dashboard.config import ROOT, TIMEZONE, data_version, today
from dashboard.engine.kpis import DEFAULT_MINUTES_PER_DOSSIER, KPIS, compute_kpis
from dashboard.i18n import DEFAULT_LANG, LANGS, fmt_date, t
from dashboard.period import Period
from dashboard.scope import Scope

FORMATS = ("parquet", "xlsx", "html", "pdf")
KPI_FILE, MANIFEST_FILE, LEDGER_FILE = "kpis.parquet", "manifest.json", "ledger.jsonl"
REPORT_FILES = {"xlsx": "report.xlsx", "html": "report.html", "pdf": "report.pdf"}
FILES = (KPI_FILE, *REPORT_FILES.values(), MANIFEST_FILE)
SCHEMA = {
    "week": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "kpi_id": pl.String,
    "scope_type": pl.String,
    "scope_id": pl.String,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "status": pl.String,
}
SCOPE_ORDER = {"all": 0, "province": 1, "agency": 2}
ALL = Scope()
# Exit codes (README): 0 written; 1 failed, nothing written; 2 bad arguments; 3 written, but a report part
# failed (see the manifest); 4 refused, the week exists (use --force); 5 refused, another run holds the week.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL, EXIT_EXISTS, EXIT_LOCKED = 0, 1, 2, 3, 4, 5
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


class SnapshotError(Exception):
    """A run that cannot go on: the message is for the person who ran it."""

    def __init__(self, message: str, code: int = EXIT_FAILED, status: str = "failed") -> None:
        super().__init__(message)
        self.code, self.status = code, status


class Interrupted(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP): unwind, clean up, record it."""


# ---- weeks ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week (Monday..Sunday)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        weeks = dt.date(self.year, 12, 28).isocalendar()[1]
        if not 1 <= self.number <= weeks:
            raise ValueError(f"{self.year}-W{self.number:02d} is not an ISO week: {self.year} has W01 to W{weeks}")

    @classmethod
    def parse(cls, text: str) -> Week:
        """'2026-W47' (ISO year, then W and the week number)."""
        found = _WEEK.match((text or "").strip())
        if not found:
            raise ValueError(f"not an ISO week: {text!r}; write it as YYYY-Www, e.g. 2026-W47")
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def containing(cls, day: dt.date) -> Week:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def period(self) -> Period:
        return Period(self.start, self.end)

    def previous(self) -> Week:
        return Week.containing(self.start - dt.timedelta(days=1))

    def __str__(self) -> str:
        return self.label


def last_complete_week(day: dt.date | None = None) -> Week:
    """The last ISO week that has ended before `day` (default: today in Asia/Ho_Chi_Minh)."""
    day = day or today()
    return Week.containing(day - dt.timedelta(days=day.isoweekday()))


def is_week(period: Period) -> Week | None:
    """The ISO week that `period` is exactly, or None."""
    week = Week.containing(period.start)
    return week if (period.start, period.end) == (week.start, week.end) else None


# ---- where snapshots live ------------------------------------------------------------------------------------


def snapshots_root(base: Path) -> Path:
    return Path(base) / "snapshots"


def scope_folder(scope: Scope) -> str:
    return scope.key.replace(":", "-")


def archive_dir(base: Path, report_scope: Scope = ALL) -> Path:
    """Where the weeks of a report scope are kept: `snapshots/` for the whole system, and
    `snapshots/scopes/<type>-<id>/` for one scope's reports."""
    root = snapshots_root(base)
    return root if report_scope.type == "all" else root / "scopes" / scope_folder(report_scope)


def snapshot_dir(base: Path, week: Week, report_scope: Scope = ALL) -> Path:
    return archive_dir(base, report_scope) / week.label


def _key(week: Week, report_scope: Scope) -> str:
    """The name of a run's lock and temporary folders, unique per (week, report scope)."""
    return week.label if report_scope.type == "all" else f"{scope_folder(report_scope)}-{week.label}"


# ---- the KPI table of every scope ---------------------------------------------------------------------------


def scope_names(base: Path, lang: str) -> dict[str, str]:
    """Every scope a snapshot covers, `all` first, then provinces and central bodies (scope_options.sql)."""
    from dashboard.engine.query import run_query

    options = run_query(base, Scope(), "scope_options", {"lang": lang})
    names = dict(zip(options["scope_key"], options["scope_name"]))
    keys = sorted(names, key=lambda k: (SCOPE_ORDER[Scope.parse(k).type], Scope.parse(k).id))
    return {"all": t("filter.scope_all", lang)} | {k: names[k] for k in keys}


def snapshot_kpis(base: Path, week: Week, scopes: list[Scope], progress=None) -> pl.DataFrame:
    """kpis.parquet's rows: compute_kpis for the week in every scope, sorted so that a rerun is identical.

    Every scope is computed in the `all` database (`database_scope=Scope()`), not in its own: the architecture's
    invariant (tests/test_scope_databases.py, and tests/test_snapshot.py for the snapshot itself) is that both
    give the same numbers, and building 49 scope databases only to read 25 numbers from each costs far more.
    Measured for the 50 scopes of one week: demo scale 1, 6.5 s and 0.2 GiB in `all` against 35 s and 0.8 GiB in
    the scope databases; scale 10, 8.7 s and 0.2 GiB against 91 s and 1.9 GiB (so about 15 minutes and 19 GiB at
    scale 100). The report itself is still made in its scope's own database (see `make_report`).
    """
    frames = []
    for i, scope in enumerate(scopes, start=1):
        table = compute_kpis(base, week.period, scope, database_scope=ALL)
        frames.append(table.with_columns(scope_type=pl.lit(scope.type), scope_id=pl.lit(scope.id, dtype=pl.String)))
        if progress:
            progress(i, len(scopes), scope.key)
    order = {k.id: i for i, k in enumerate(KPIS)}
    rows = pl.concat(frames, how="vertical_relaxed").with_columns(
        week=pl.lit(week.label), period_start=pl.lit(week.start), period_end=pl.lit(week.end)
    )
    return (
        rows.with_columns(
            pl.col("scope_type").replace_strict(SCOPE_ORDER, return_dtype=pl.Int8).alias("_scope"),
            pl.col("kpi_id").replace_strict(order, return_dtype=pl.Int16).alias("_kpi"),
        )
        .sort(["_scope", "scope_id", "_kpi"], nulls_last=False)
        .select([pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()])
    )


def write_kpis(frame: pl.DataFrame, path: Path) -> None:
    frame.write_parquet(path, compression="zstd", statistics=True)


@lru_cache(maxsize=64)
def _read_kpis(path: str, mtime_ns: int) -> pl.DataFrame:
    return pl.read_parquet(path)


def read_kpis(path: Path) -> pl.DataFrame:
    """A stored kpis.parquet (cached per file version)."""
    return _read_kpis(str(path), path.stat().st_mtime_ns)


def _scope_rows(frame: pl.DataFrame, scope: Scope) -> pl.DataFrame:
    wanted = pl.col("scope_type") == scope.type
    wanted &= pl.col("scope_id").is_null() if scope.id is None else pl.col("scope_id") == scope.id
    return frame.filter(wanted)


def stored_kpis(base: Path, week: Week, scope: Scope) -> tuple[pl.DataFrame, Path] | None:
    """The KPI rows of `scope` in the stored snapshot of `week` (the system's, else that scope's own report's)."""
    folders = [snapshot_dir(base, week)]
    if scope.type != "all":
        folders.append(snapshot_dir(base, week, scope))
    for folder in folders:
        path = folder / KPI_FILE
        if path.is_file():
            rows = _scope_rows(read_kpis(path), scope)
            if not rows.is_empty():
                return rows, folder
    return None


# ---- week over week, from the stored snapshot ----------------------------------------------------------------


@dataclass(frozen=True)
class StoredComparison:
    """The previous week's values of one scope, as stored in its snapshot."""

    week: Week
    folder: Path
    values: pl.DataFrame  # kpi_id, previous_value, previous_status


def stored_comparison(base: Path, period: Period, scope: Scope) -> StoredComparison | None:
    """When `period` is exactly one ISO week and the week before has a stored snapshot covering `scope`:
    that snapshot's values, for the cards' change. Otherwise None (the cards compare with re-queried data)."""
    week = is_week(period)
    if week is None:
        return None
    found = stored_kpis(base, week.previous(), scope)
    if found is None:
        return None
    rows, folder = found
    values = rows.select("kpi_id", pl.col("value").alias("previous_value"), pl.col("status").alias("previous_status"))
    return StoredComparison(week.previous(), folder, values)


def with_stored_change(table: pl.DataFrame, stored: StoredComparison | None) -> pl.DataFrame:
    """A kpi_table with previous_value and change taken from the stored snapshot (unchanged when None)."""
    if stored is None:
        return table
    kept = table.drop([c for c in ("previous_value", "previous_status", "change") if c in table.columns])
    return kept.join(stored.values, on="kpi_id", how="left", maintain_order="left").with_columns(
        (pl.col("value") - pl.col("previous_value")).alias("change")
    )


def change_note(stored: StoredComparison | None, lang: str) -> str | None:
    """What the cards say their change is against, when it is a stored snapshot."""
    return None if stored is None else t("snapshot.card_change", lang, week=stored.week.label)


# ---- inputs, versions, the manifest and the ledger ------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_files(base: Path) -> list[dict]:
    """Every curated Parquet file (the contract's tables and any rollup beside them): its table, path, size,
    SHA-256 and row count."""
    import pyarrow.parquet as pq

    curated = base / "curated"
    out = []
    for path in sorted(curated.rglob("*.parquet")):
        relative = path.relative_to(curated)
        if any(part.startswith(".") for part in relative.parts):
            continue  # a file being written
        out.append(
            {
                "table": relative.parts[0].removesuffix(".parquet"),
                "file": str(path.relative_to(base)),
                "bytes": path.stat().st_size,
                "rows": pq.ParquetFile(path).metadata.num_rows,
                "sha256": _sha256(path),
            }
        )
    return out


def code_version() -> dict:
    """dashboard.__version__ and, when the code is a git checkout, its commit (and whether it was modified)."""
    version: dict = {"dashboard": dashboard.__version__, "git_commit": None, "git_modified": None}
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        version |= {"git_commit": commit, "git_modified": bool(changes.strip())}
    except (OSError, subprocess.SubprocessError):
        pass
    return version


def code_version_text(version: dict) -> str:
    text = version["dashboard"]
    if version.get("git_commit"):
        text += f" (git {version['git_commit'][:10]}{', modified' if version.get('git_modified') else ''})"
    return text


def now() -> dt.datetime:
    return dt.datetime.now(TIMEZONE).replace(microsecond=0)


def append_ledger(base: Path, entry: dict) -> None:
    """One line per run in snapshots/ledger.jsonl (a single append: whole lines even with runs side by side)."""
    root = snapshots_root(base)
    root.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    fd = os.open(root / LEDGER_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_ledger(base: Path) -> list[dict]:
    path = snapshots_root(base) / LEDGER_FILE
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            entries.append(json.loads(line))
    return entries


# ---- the lock ------------------------------------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    """The start time of a process (Linux /proc), which tells a live holder from a reused PID."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return started is None or _process_start(pid) in (None, started)


class WeekLock:
    """An exclusive lock file per (week, report scope): `snapshots/.lock-<key>`, holding the owner's PID.

    A second run refuses (or waits up to `wait` seconds) while the holder is alive; a lock whose holder has
    died is recovered (and reported, so the abandoned run gets its line in the ledger).
    """

    STALE_UNREADABLE_S = 60.0

    def __init__(self, root: Path, key: str, wait: float = 0.0) -> None:
        self.path = root / f".lock-{key}"
        self.wait = wait
        self.recovered: list[dict] = []
        self.me = {
            "pid": os.getpid(),
            "process_start": _process_start(os.getpid()),
            "host": socket.gethostname(),
            "since": now().isoformat(),
        }

    def __enter__(self) -> WeekLock:
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and not self._held_by_live(holder):
                    self._recover(holder)
                    continue
                if time.monotonic() >= deadline:
                    raise SnapshotError(self._refusal(holder), EXIT_LOCKED, "refused") from None
                time.sleep(0.2)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.me, f)
            return self

    def __exit__(self, *exc) -> None:
        holder = self._holder()
        if holder and holder.get("pid") == self.me["pid"] and holder.get("since") == self.me["since"]:
            self.path.unlink(missing_ok=True)

    def _holder(self) -> dict | None:
        """The lock's content; {} when it cannot be read yet (being written, or left half-written)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return {}

    def _held_by_live(self, holder: dict) -> bool:
        if not holder:  # unreadable: alive unless old
            try:
                return time.time() - self.path.stat().st_mtime < self.STALE_UNREADABLE_S
            except FileNotFoundError:
                return False
        if holder.get("host") != self.me["host"]:
            return True  # another machine's run: we cannot tell, so we do not steal its lock
        return _alive(int(holder["pid"]), holder.get("process_start"))

    def _recover(self, holder: dict) -> None:
        # Renaming first means only one of several waiting runs recovers a given stale lock.
        grave = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}-{secrets.token_hex(3)}")
        try:
            os.rename(self.path, grave)
        except FileNotFoundError:
            return
        grave.unlink(missing_ok=True)
        self.recovered.append(holder)

    def _refusal(self, holder: dict | None) -> str:
        who = (
            f"process {holder.get('pid')} on {holder.get('host')} since {holder.get('since')}"
            if holder
            else "another run"
        )
        return (
            f"another snapshot run is writing this week ({who}); nothing was written. "
            f"Try again when it has finished, or pass --wait SECONDS to wait for it. Lock file: {self.path}"
        )


# ---- atomic publication ---------------------------------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def publish(tmp: Path, final: Path) -> None:
    """Move the finished temporary folder to its final name; an existing folder is swapped out atomically."""
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        if _exchange(tmp, final):
            shutil.rmtree(tmp)  # now the old snapshot
        else:  # two renames: a crash in between leaves `.old-*`, which the next run puts back (see _tidy)
            old = tmp.with_name(tmp.name.replace(".tmp-", ".old-", 1))
            os.rename(final, old)
            os.rename(tmp, final)
            shutil.rmtree(old)
    else:
        os.rename(tmp, final)
    _fsync_dir(final.parent)


def _tidy(root: Path, key: str, final: Path) -> list[str]:
    """Under the lock: remove what dead runs of this key left (temporary folders), and put back a snapshot
    that a crash left between the two renames of a non-atomic replace."""
    removed = []
    for old in sorted(root.glob(f".old-{key}-*")):
        if not final.exists():
            os.rename(old, final)
        else:
            shutil.rmtree(old, ignore_errors=True)
        removed.append(old.name)
    for tmp in sorted(root.glob(f".tmp-{key}-*")):
        shutil.rmtree(tmp, ignore_errors=True)
        removed.append(tmp.name)
    return removed


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Interrupted, so a stopped run cleans up after itself like a failed one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


# ---- progress -------------------------------------------------------------------------------------------------


class Progress:
    """Steps on stderr; the KPI count updates in place on a terminal and every tenth scope otherwise."""

    def __init__(self, stream, total_steps: int) -> None:
        self.stream, self.total, self.n = stream, total_steps, 0
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def step(self, text: str) -> None:
        self.n += 1
        print(f"[{self.n}/{self.total}] {text}", file=self.stream, flush=True)

    def note(self, text: str) -> None:
        print(f"      {text}", file=self.stream, flush=True)

    def count(self, i: int, total: int, what: str) -> None:
        if self.tty:
            end = "\n" if i == total else ""
            print(f"\r      {i}/{total} scopes ({what})\x1b[K", end=end, file=self.stream, flush=True)
        elif i == total or i % 10 == 0:
            print(f"      {i}/{total} scopes", file=self.stream, flush=True)


# ---- the run ----------------------------------------------------------------------------------------------------


def parse_formats(text: str | None) -> list[str]:
    if not text:
        return list(FORMATS)
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise SnapshotError(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {','.join(FORMATS)}", EXIT_USAGE
        )
    return [f for f in FORMATS if f in chosen or f == "parquet"]  # kpis.parquet is always written


def choose_week(text: str | None, day: dt.date | None = None) -> Week:
    """--week, checked: an ISO week that has ended; by default the last complete one."""
    day = day or today()
    if not text:
        return last_complete_week(day)
    try:
        week = Week.parse(text)
    except ValueError as exc:
        raise SnapshotError(f"--week: {exc}", EXIT_USAGE) from None
    if week.end >= day:
        raise SnapshotError(
            f"--week {week.label} is not complete yet: it ends on {week.end.isoformat()} and today is "
            f"{day.isoformat()} (Asia/Ho_Chi_Minh); the last complete week is {last_complete_week(day).label}",
            EXIT_USAGE,
        )
    return week


def _check_inputs(base: Path) -> None:
    from dashboard.data.check import check_data_dir

    curated = base / "curated"
    if not curated.is_dir():
        raise SnapshotError(f"no curated data: {curated} does not exist; nothing was written")
    violations = check_data_dir(base)
    if violations:
        shown = "; ".join(
            f"{v.table}{'.' + v.column if v.column else ''}: {v.kind} ({v.message})" for v in violations[:5]
        )
        more = f" and {len(violations) - 5} more" if len(violations) > 5 else ""
        raise SnapshotError(
            f"the input data fails the contract ({len(violations)} violation(s): {shown}{more}); no snapshot was "
            f"written. See the full report with: python -m dashboard check --data-dir {base}"
        )


def _timed(parts: dict, name: str, func, *args) -> bool:
    """Run one report part, recording its status, time and error; True when it worked."""
    started = time.perf_counter()
    try:
        func(*args)
    except Exception as exc:  # noqa: BLE001 - one failed format must not cost the others
        parts[name] = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
        return False
    finally:
        parts.setdefault(name, {})["seconds"] = round(time.perf_counter() - started, 2)
    parts[name] = {"status": "ok", "file": REPORT_FILES.get(name), **parts[name]}
    return True


def _report_kpis(kpis: pl.DataFrame, scope: Scope, previous: StoredComparison | None) -> pl.DataFrame:
    rows = _scope_rows(kpis, scope).select("kpi_id", "value", "numerator", "denominator", "status")
    if previous is None:
        return rows.with_columns(
            previous_value=pl.lit(None, pl.Float64),
            previous_status=pl.lit(None, pl.String),
            change=pl.lit(None, pl.Float64),
        )
    return with_stored_change(rows, previous)


def make_report(
    base: Path,
    week: Week,
    scope: Scope,
    kpis: pl.DataFrame,
    names: dict[str, str],
    lang: str,
    created_at: dt.datetime,
    version: str,
    code: str,
):
    """The report of `scope` for the week: its KPIs from the snapshot's table (with the changes against the stored
    previous week), the dashboard's sections and the snapshot SQL pages, whose queries run in the scope's own
    database as the app's do for that scope. Also says why the SQL pages are missing, when they are."""
    from dashboard.weekly.report import Report, gather_sections, sql_page_tables

    previous = stored_comparison(base, week.period, scope)
    sections = gather_sections(base, week.period, scope, lang)
    try:
        sql_pages, sql_note = sql_page_tables(base, week.period, scope, lang), None
    except Exception as exc:  # noqa: BLE001 - the SQL pages are an extra; the report goes on without them
        sql_pages, sql_note = [], f"{type(exc).__name__}: {exc}"
    scopes_table = None
    if scope.type == "all":
        named = pl.DataFrame(
            [(s.type, s.id, names[k]) for k, s in ((k, Scope.parse(k)) for k in names)],
            schema={"scope_type": pl.String, "scope_id": pl.String, "scope_name": pl.String},
            orient="row",
        )
        scopes_table = kpis.join(
            named, on=["scope_type", "scope_id"], how="left", nulls_equal=True, maintain_order="left"
        )
    report = Report(
        week=week.label,
        period=week.period,
        scope=scope,
        scope_name=names[scope.key],
        lang=lang,
        created_at=created_at,
        data_version=version,
        code_version=code,
        kpis=_report_kpis(kpis, scope, previous),
        previous_week=week.previous().label,
        previous_found=previous is not None,
        sections=sections,
        sql_pages=sql_pages,
        scopes=scopes_table,
    )
    return report, sql_note


def build(
    base: Path,
    week: Week,
    scope: Scope,
    tmp: Path,
    formats: list[str],
    lang: str,
    progress: Progress,
    started: dt.datetime,
) -> dict:
    """Write every file of the snapshot into `tmp`; return the manifest (also written there)."""
    from dashboard.weekly.report.html import PdfSkipped, chromium_path, print_pdf, render_html
    from dashboard.weekly.report.xlsx import write_xlsx

    clock = time.perf_counter()
    progress.step(f"Checking the inputs in {base / 'curated'} against the contract")
    _check_inputs(base)
    version, code = data_version(base), code_version()
    inputs = input_files(base)
    names = scope_names(base, lang)
    if scope.key not in names:
        raise SnapshotError(
            f"--report-scope {scope.key}: not a province or central body of the data "
            f"(e.g. {', '.join(list(names)[1:4])})",
            EXIT_USAGE,
        )
    scopes = [Scope.parse(k) for k in names]

    progress.step(f"KPIs of week {week.label} for {len(scopes)} scopes")
    parts: dict[str, dict] = {}
    kpis_started = time.perf_counter()
    kpis = snapshot_kpis(base, week, scopes, progress.count)
    write_kpis(kpis, tmp / KPI_FILE)
    seconds = round(time.perf_counter() - kpis_started, 2)
    parts["kpis"] = {"status": "ok", "file": KPI_FILE, "rows": kpis.height, "scopes": len(scopes), "seconds": seconds}

    previous = stored_comparison(base, week.period, scope)
    previous_week = week.previous()
    progress.note(
        f"week over week: against the stored snapshot of {previous_week.label} ({previous.folder})"
        if previous
        else f"week over week: no stored snapshot of {previous_week.label}, so no changes are shown"
    )
    report_formats = [f for f in formats if f != "parquet"]
    if report_formats:
        progress.step(f"Report content for {names[scope.key]} (the dashboard's queries)")
        report_started = time.perf_counter()
        report, sql_note = make_report(base, week, scope, kpis, names, lang, started, version, code_version_text(code))
        content = {
            "status": "partial" if report.errors or sql_note else "ok",
            "seconds": round(time.perf_counter() - report_started, 2),
            "sql_pages": [tb.name for tb in report.sql_pages],
        }
        if report.errors:  # a table that could not be made: the report shows its error in its place
            content["errors"] = report.errors
        if sql_note:
            content["sql_pages_error"] = sql_note
        parts["report"] = content
        if "xlsx" in formats:
            progress.step("report.xlsx")
            _timed(parts, "xlsx", write_xlsx, report, tmp / REPORT_FILES["xlsx"])
        if "html" in formats:
            progress.step("report.html")

            def html() -> None:
                (tmp / REPORT_FILES["html"]).write_text(render_html(report), encoding="utf-8")

            _timed(parts, "html", html)
        if "pdf" in formats:
            progress.step("report.pdf (headless Chromium)")
            try:
                chromium = chromium_path()
            except PdfSkipped as exc:
                parts["pdf"] = {
                    "status": "skipped",
                    "reason": f"{exc}; the PDF was skipped, the other files are written",
                }
                progress.note(f"PDF SKIPPED: {exc}")
            else:
                printable = tmp / ".report-print.html"

                def pdf() -> None:
                    printable.write_text(render_html(report, for_print=True), encoding="utf-8")
                    try:
                        print_pdf(printable, tmp / REPORT_FILES["pdf"], chromium)
                    finally:
                        printable.unlink(missing_ok=True)

                if _timed(parts, "pdf", pdf):
                    parts["pdf"]["chromium"] = chromium
    for fmt in ("xlsx", "html", "pdf"):
        parts.setdefault(fmt, {"status": "not_requested"})

    if data_version(base) != version:
        raise SnapshotError(
            "the curated data changed while the snapshot was being made; nothing was written. Run it again"
        )
    manifest = {
        "week": week.label,
        "period_start": week.start.isoformat(),
        "period_end": week.end.isoformat(),
        "report_scope": scope.key,
        "report_scope_name": names[scope.key],
        "created_at": started.isoformat(),
        "duration_s": round(time.perf_counter() - clock, 2),
        "code_version": code,
        "parameters": {
            "week": week.label,
            "data_dir": str(base),
            "formats": formats,
            "report_scope": scope.key,
            "lang": lang,
            "minutes_per_dossier": DEFAULT_MINUTES_PER_DOSSIER,
            "kpi_database": "all (the same numbers as each scope's own database)",
        },
        "data_version": version,
        "inputs": inputs,
        "comparison": {
            "previous_week": previous_week.label,
            "stored_snapshot": str(previous.folder) if previous else None,
            "note": None if previous else "no stored snapshot of the previous week: changes are not shown",
        },
        "parts": parts,
        "outputs": {
            p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)}
            for p in sorted(tmp.iterdir())
            if p.is_file() and not p.name.startswith(".")
        },
    }
    (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def run(
    base: Path,
    week_text: str | None = None,
    *,
    formats: str | None = None,
    force: bool = False,
    report_scope: str = "all",
    lang: str = DEFAULT_LANG,
    wait: float = 0.0,
    out=None,
    err=None,
) -> int:
    """`python -m dashboard snapshot`: make one week's snapshot; the exit code says how it went."""
    out, err = out or sys.stdout, err or sys.stderr
    started, clock = now(), time.perf_counter()
    entry: dict = {"week": None, "start": started.isoformat(), "end": None, "status": None, "error": None}
    entry |= {"output": None, "report_scope": report_scope, "forced": force, "pid": os.getpid()}
    code = EXIT_FAILED
    try:
        try:
            scope = Scope.parse(report_scope)
        except ValueError as exc:
            raise SnapshotError(f"--report-scope: {exc}", EXIT_USAGE) from None
        if lang not in LANGS:
            raise SnapshotError(f"--lang must be one of {', '.join(LANGS)}", EXIT_USAGE)
        chosen = parse_formats(formats)
        week = choose_week(week_text)
        final = snapshot_dir(base, week, scope)
        entry |= {"week": week.label, "output": str(final)}
        root = snapshots_root(base)
        root.mkdir(parents=True, exist_ok=True)
        key = _key(week, scope)
        exists = (
            f"the snapshot of {week.label} already exists in {final}; it was not overwritten. "
            "Pass --force to replace it"
        )
        if final.exists() and not force:
            raise SnapshotError(exists, EXIT_EXISTS, "refused")
        report_steps = len(chosen) - 1  # every format but parquet is a step, after the report's content
        progress = Progress(err, 2 + (1 + report_steps if report_steps else 0))
        print(
            f"Snapshot of week {week.label} ({fmt_date(week.start)} – {fmt_date(week.end)}), "
            f"report for {scope.key}, formats {','.join(chosen)}",
            file=err,
            flush=True,
        )
        with _signals_raise(), WeekLock(root, key, wait) as lock:
            for holder in lock.recovered:
                print(f"      recovered a stale lock of process {holder.get('pid')} (it died)", file=err)
                append_ledger(
                    base,
                    {
                        "week": week.label,
                        "start": holder.get("since"),
                        "end": None,
                        "status": "abandoned",
                        "error": f"process {holder.get('pid')} died before finishing; its lock was recovered "
                        f"by process {os.getpid()} at {now().isoformat()}",
                        "output": None,
                        "report_scope": scope.key,
                        "pid": holder.get("pid"),
                    },
                )
            for name in _tidy(root, key, final):
                print(f"      removed {name}, left by a run that did not finish", file=err)
            if final.exists() and not force:
                raise SnapshotError(exists, EXIT_EXISTS, "refused")
            tmp = root / f".tmp-{key}-{os.getpid()}-{secrets.token_hex(4)}"
            tmp.mkdir()
            try:
                manifest = build(base, week, scope, tmp, chosen, lang, progress, started)
                publish(tmp, final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        parts = manifest["parts"]
        failed = [n for n, p in parts.items() if p.get("status") in ("failed", "partial")]
        skipped = [f"{n} ({p['reason']})" for n, p in parts.items() if p.get("status") == "skipped"]
        code = EXIT_PARTIAL if failed else EXIT_OK
        entry |= {"status": "partial" if failed else "ok"}
        if failed:
            entry["error"] = "; ".join(f"{n}: {parts[n].get('error') or parts[n].get('errors')}" for n in failed)
        written = [name for name in FILES if (final / name).is_file()]
        summary = (
            f"Snapshot {week.label} written to {final} in {time.perf_counter() - clock:.1f} s: {', '.join(written)}"
        )
        if skipped:
            summary += f"; SKIPPED: {'; '.join(skipped)}"
        if failed:
            summary += f"; FAILED: {entry['error']} (see {MANIFEST_FILE})"
        print(summary, file=out, flush=True)
    except SnapshotError as exc:
        code, entry["status"], entry["error"] = exc.code, exc.status, str(exc)
        print(f"error: {exc}", file=err, flush=True)
    except (KeyboardInterrupt, Interrupted) as exc:
        code, entry["status"] = 130, "interrupted"
        entry["error"] = f"stopped by {exc or 'SIGINT'}; nothing was written"
        print(f"error: {entry['error']}", file=err, flush=True)
    except Exception as exc:  # noqa: BLE001 - recorded in the ledger, then shown with its traceback
        code, entry["status"], entry["error"] = EXIT_FAILED, "failed", f"{type(exc).__name__}: {exc}"
        print(f"error: the snapshot failed, nothing was written: {entry['error']}", file=err, flush=True)
        import traceback

        traceback.print_exc(file=err)
    finally:
        entry["end"] = now().isoformat()
        entry["duration_s"] = round(time.perf_counter() - clock, 2)
        if entry["status"] != "ok":
            entry["output"] = entry["output"] if entry["status"] == "partial" else None
        with contextlib.suppress(OSError):
            append_ledger(base, entry)
    return code


# ---- what the Snapshots page shows -------------------------------------------------------------------------------


def stored_weeks(base: Path, report_scope: Scope = ALL) -> list[dict]:
    """Every stored snapshot of a report scope, newest first: week, period, created time, status, files."""
    folder = archive_dir(base, report_scope)
    out = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir(), reverse=True):
        try:
            week = Week.parse(path.name)
        except ValueError:
            continue
        if not path.is_dir():
            continue
        manifest = {}
        with contextlib.suppress(OSError, json.JSONDecodeError):
            manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
        parts = manifest.get("parts", {})
        states = {n: p.get("status") for n, p in parts.items()}
        if not manifest:
            status = "incomplete"
        elif any(s in ("failed", "partial") for s in states.values()):
            status = "partial"
        elif any(s == "skipped" for s in states.values()):
            status = "skipped"
        else:
            status = "ok"
        out.append(
            {
                "week": week.label,
                "period_start": week.start,
                "period_end": week.end,
                "created_at": manifest.get("created_at"),
                "status": status,
                "parts": states,
                "path": path,
                "files": [name for name in FILES if (path / name).is_file()],
            }
        )
    return out


def compare_weeks(base: Path, first: str, second: str, scope: Scope) -> pl.DataFrame | None:
    """KPI by KPI for one scope: the value and status of two stored weeks, and the change from first to second.
    None when either week has no stored row for the scope."""
    a = stored_kpis(base, Week.parse(first), scope)
    b = stored_kpis(base, Week.parse(second), scope)
    if a is None or b is None:
        return None
    left = a[0].select("kpi_id", pl.col("value").alias("value_a"), pl.col("status").alias("status_a"))
    right = b[0].select("kpi_id", pl.col("value").alias("value_b"), pl.col("status").alias("status_b"))
    order = pl.DataFrame({"kpi_id": [k.id for k in KPIS]})
    return (
        order.join(left, on="kpi_id", how="left", maintain_order="left")
        .join(right, on="kpi_id", how="left", maintain_order="left")
        .with_columns((pl.col("value_b") - pl.col("value_a")).alias("change"))
    )


def missing_weeks(base: Path, day: dt.date | None = None, most: int = 12) -> list[Week]:
    """Weeks before the last complete one, since the first stored week, that have no stored snapshot (newest
    first, at most `most`): the weeks a missed run left out, to be caught up with --week."""
    stored = {w["week"] for w in stored_weeks(base)}
    if not stored:
        return []
    first, week, out = Week.parse(min(stored)), last_complete_week(day).previous(), []
    while week > first and len(out) < most:
        if week.label not in stored:
            out.append(week)
        week = week.previous()
    return out


def missing_latest(base: Path, day: dt.date | None = None) -> Week | None:
    """The last complete week, when it has no stored snapshot yet (the page's banner)."""
    week = last_complete_week(day)
    return None if (snapshot_dir(base, week) / KPI_FILE).is_file() else week


FILE_TYPES = {
    KPI_FILE: "application/vnd.apache.parquet",
    "report.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "report.html": "text/html",
    "report.pdf": "application/pdf",
    MANIFEST_FILE: "application/json",
}


def _when(text: str | None) -> str:
    """An ISO timestamp as 'dd/mm/yyyy hh:mm' (its own time zone, Vietnam time for snapshots)."""
    if not text:
        return "–"
    with contextlib.suppress(ValueError):
        return dt.datetime.fromisoformat(text).strftime("%d/%m/%Y %H:%M")
    return text


def weeks_table(weeks: list[dict], lang: str) -> pl.DataFrame:
    """The stored weeks as the page lists them: week, period, created, status in words, files."""
    return pl.DataFrame(
        {
            "week": [w["week"] for w in weeks],
            "period": [f"{fmt_date(w['period_start'], lang)} – {fmt_date(w['period_end'], lang)}" for w in weeks],
            "created_at": [_when(w["created_at"]) for w in weeks],
            "status": [t(f"snapshot.state.{w['status']}", lang) for w in weeks],
            "files": [", ".join(w["files"]) for w in weeks],
        },
        schema=dict.fromkeys(("week", "period", "created_at", "status", "files"), pl.String),
    )


def ledger_table(base: Path, lang: str, limit: int = 20) -> pl.DataFrame:
    """The latest runs of the ledger, newest first."""
    entries = read_ledger(base)[-limit:][::-1]
    columns = ("week", "run_start", "run_end", "status", "error", "output")
    rows = [
        (
            e.get("week"),
            _when(e.get("start")),
            _when(e.get("end")),
            t(f"snapshot.state.{e.get('status')}", lang) if e.get("status") in STATES else str(e.get("status")),
            e.get("error"),
            e.get("output"),
        )
        for e in entries
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


STATES = ("ok", "skipped", "partial", "incomplete", "failed", "refused", "abandoned", "interrupted")


def comparison_table(base: Path, first: str, second: str, scope: Scope, lang: str) -> pl.DataFrame | None:
    """`compare_weeks` in words for the page: KPI, both values, the change, and the status change."""
    from dashboard.engine.kpi_text import STATUS_DOTS
    from dashboard.weekly.report import format_change, format_value, kpi_name, status_word

    frame = compare_weeks(base, first, second, scope)
    if frame is None:
        return None
    rows = []
    for r in frame.iter_rows(named=True):
        kpi = r["kpi_id"]
        before, after = (f"{STATUS_DOTS[r[s]]} {status_word(kpi, r[s], lang)}" for s in ("status_a", "status_b"))
        rows.append(
            (
                kpi_name(kpi, lang),
                format_value(kpi, r["value_a"], lang),
                format_value(kpi, r["value_b"], lang),
                format_change(kpi, r["change"], lang) or "–",
                after if before == after else f"{before} → {after}",
            )
        )
    columns = ("kpi", "value_a", "value_b", "change", "status_change")
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
