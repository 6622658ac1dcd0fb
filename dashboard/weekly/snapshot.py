"""Weekly snapshot: `python -m dashboard snapshot` freezes one ISO week's numbers into files a meeting can use.

`<data dir>/snapshots/<YYYY>-W<ww>/` gets kpis.parquet (every KPI for `all`, every province and every central
body, as data-contract.md says), report.xlsx, report.html, report.pdf and manifest.json. A report for one
province (`--report-scope province:CODE`) goes to `snapshots/scopes/province-CODE/<week>/`, with the same files.

Reliability: the inputs are checked against the contract first; the snapshot is built in a hidden temporary
folder and renamed into place at the end (an existing week is replaced only with --force, by an atomic swap);
a lock file per week keeps two runs apart (a lock left by a dead process is recovered); every run, whatever
its outcome, is a line in `snapshots/ledger.jsonl`. Week-over-week changes come from the previous week's
*stored* kpis.parquet, never from querying the data again. What pages read of the archive is in
dashboard.weekly.archive; the lock, the atomic publication and the stop signals in dashboard.weekly.lock; the
manifest's inputs and code version in dashboard.weekly.provenance.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from dashboard.config import data_version, today
from dashboard.engine.freshness import LateSummary, late_summary, report_lines
from dashboard.engine.kpis import DEFAULT_MINUTES_PER_DOSSIER, KPIS, compute_kpis
from dashboard.engine.summary import written_summary
from dashboard.i18n import DEFAULT_LANG, LANGS, fmt_date, t
from dashboard.scope import Scope
from dashboard.weekly.archive import (
    ALL,
    FILES,
    KPI_FILE,
    LEDGER_FILE,
    MANIFEST_FILE,
    REPORT_FILES,
    StoredComparison,
    Week,
    last_complete_week,
    now,
    scope_folder,
    scope_rows,
    snapshot_dir,
    snapshots_root,
    stored_comparison,
    with_stored_change,
)
from dashboard.weekly.lock import Interrupted, Locked, WeekLock, publish, signals_raise, tidy
from dashboard.weekly.provenance import code_version, code_version_text, file_sha256, input_files, without_paths

FORMATS = ("parquet", "xlsx", "html", "pdf")
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
# Exit codes (README): 0 written; 1 failed, nothing written; 2 bad arguments; 3 written, but a report part
# failed (see the manifest); 4 refused, the week exists (use --force); 5 refused, another run holds the week.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL, EXIT_EXISTS, EXIT_LOCKED = 0, 1, 2, 3, 4, 5


class SnapshotError(Exception):
    """A run that cannot go on: the message is for the person who ran it."""

    def __init__(self, message: str, code: int = EXIT_FAILED, status: str = "failed") -> None:
        super().__init__(message)
        self.code, self.status = code, status


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

    Every scope is computed in the `all` database (`database_scope=Scope()`), not in its own: both give the same
    numbers (tests/test_scope_databases.py; tests/test_snapshot.py for the snapshot), and building 49 scope
    databases for 25 numbers each costs far more: 50 scopes, scale 1, 6.5 s / 0.2 GiB in `all` against 35 s / 0.8
    GiB; scale 10, 8.7 s / 0.2 GiB against 91 s / 1.9 GiB. The report is made in its scope's own database
    (`make_report`). Two scopes at a time, on their own cursors: 49 demo scopes in 2.9 s instead of 4.8 s.
    """
    frames = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        tables = pool.map(lambda scope: compute_kpis(base, week.period, scope, database_scope=ALL, threads=1), scopes)
        for i, (scope, table) in enumerate(zip(scopes, tables, strict=True), start=1):
            frames.append(table.with_columns(scope_type=pl.lit(scope.type), scope_id=pl.lit(scope.id, pl.String)))
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


# ---- the ledger ------------------------------------------------------------


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
    rows = scope_rows(kpis, scope).select("kpi_id", "value", "numerator", "denominator", "status")
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
    *,
    lateness: LateSummary | None = None,
):
    """The report of `scope` for the week: its KPIs from the snapshot's table (with the changes against the stored
    previous week), the freshness of the data for the week (`lateness`, computed here when not given), the
    dashboard's sections and the snapshot SQL pages, whose queries run in the scope's own database as the app's do
    for that scope. Also says why the SQL pages are missing, when they are."""
    from dashboard.weekly.report import Report, gather_sections, sql_page_tables

    if lateness is None:
        lateness = week_freshness(base, week, scope)

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
    report_kpis = _report_kpis(kpis, scope, previous)
    report = Report(
        week=week.label,
        period=week.period,
        scope=scope,
        scope_name=names[scope.key],
        lang=lang,
        created_at=created_at,
        data_version=version,
        code_version=code,
        kpis=report_kpis,
        previous_week=week.previous().label,
        previous_found=previous is not None,
        sections=sections,
        sql_pages=sql_pages,
        scopes=scopes_table,
        freshness=report_lines(lateness, lang),
        summary=written_summary(base, week.period, scope, report_kpis),  # the week in words, in both languages
    )
    return report, sql_note


def week_freshness(base: Path, week: Week, scope: Scope) -> LateSummary:
    """How late each fact table is for the week's Sunday, in the database of the report's scope (the banner's)."""
    return late_summary(base, scope, week.end)


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
    # A report for one scope stores that scope's KPIs only: its archive is what a user held to it downloads.
    scopes = [Scope.parse(k) for k in names] if scope.type == "all" else [scope]

    progress.step(f"KPIs of week {week.label} for {len(scopes)} scopes")
    parts: dict[str, dict] = {}
    kpis_started = time.perf_counter()
    kpis = snapshot_kpis(base, week, scopes, progress.count)
    write_kpis(kpis, tmp / KPI_FILE)
    seconds = round(time.perf_counter() - kpis_started, 2)
    parts["kpis"] = {"status": "ok", "file": KPI_FILE, "rows": kpis.height, "scopes": len(scopes), "seconds": seconds}

    lateness = week_freshness(base, week, scope)
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
        report, sql_note = make_report(
            base, week, scope, kpis, names, lang, started, version, code_version_text(code), lateness=lateness
        )
        content = {
            "status": "partial" if report.errors or sql_note else "ok",
            "seconds": round(time.perf_counter() - report_started, 2),
            "sql_pages": [tb.name for tb in report.sql_pages],
            "summary": report.summary.record(),
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
            "formats": formats,
            "report_scope": scope.key,
            "lang": lang,
            "minutes_per_dossier": DEFAULT_MINUTES_PER_DOSSIER,
            "kpi_database": "all (the same numbers as each scope's own database)",
        },
        "data_version": version,
        # A scope's archive does not tell the whole system's row counts and sizes; the hashes still pin the inputs.
        "inputs": inputs if scope.type == "all" else [{k: i[k] for k in ("table", "file", "sha256")} for i in inputs],
        "comparison": {
            "previous_week": previous_week.label,
            "stored_snapshot": str(previous.folder.relative_to(base)) if previous else None,
            "note": None if previous else "no stored snapshot of the previous week: changes are not shown",
        },
        "parts": parts,
        "freshness": lateness.to_dict(),
        "outputs": {
            p.name: {"bytes": p.stat().st_size, "sha256": file_sha256(p)}
            for p in sorted(tmp.iterdir())
            if p.is_file() and not p.name.startswith(".")
        },
    }
    manifest = without_paths(manifest)  # no server path in a file that leaders and provincial users download
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
        with signals_raise(), WeekLock(root, key, wait) as lock:
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
            for name in tidy(root, key, final):
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
    except (SnapshotError, Locked) as exc:
        refusal = exc if isinstance(exc, SnapshotError) else SnapshotError(str(exc), EXIT_LOCKED, "refused")
        code, entry["status"], entry["error"] = refusal.code, refusal.status, str(exc)
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


# ---- the weeks the demo stores ------------------------------------------------------------------------------

RECENT_WEEKS = 8  # what `python -m dashboard demo` stores, so the Snapshots page and week-over-week have data


def recent_weeks(last_day: dt.date, count: int = RECENT_WEEKS) -> list[Week]:
    """The `count` ISO weeks that end on or before `last_day` (the last day of the data), oldest first."""
    week = last_complete_week(last_day + dt.timedelta(days=1))
    weeks = []
    for _ in range(count):
        weeks.append(week)
        week = week.previous()
    return weeks[::-1]


def store_recent_weeks(
    base: Path, last_day: dt.date, count: int = RECENT_WEEKS, *, reports: bool = False, out=None, err=None
) -> dict[str, int]:
    """The snapshots of `recent_weeks(last_day, count)`, oldest first (so each week's report finds the one before
    it stored), through `run` with --force: kpis.parquet and manifest.json only, or every format with `reports`.
    Returns each week's exit code. A week that has not ended before today (the data's last day is today, a
    Sunday) is not complete for `run`: the weeks then end with the one before."""
    formats = ",".join(FORMATS) if reports else "parquet"
    last_day = min(last_day, today() - dt.timedelta(days=1))
    return {
        week.label: run(base, week.label, formats=formats, force=True, out=out, err=err)
        for week in recent_weeks(last_day, count)
    }
