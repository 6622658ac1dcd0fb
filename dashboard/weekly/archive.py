"""The weekly archive as the pages read it: the stored weeks of `python -m dashboard snapshot` (written by
dashboard.weekly.snapshot), their KPI tables, the previous week's values the cards compare with, the ledger of runs,
and the tables the Snapshots page lists. Nothing here runs a query on the data, takes a lock or touches signals.

`<data dir>/snapshots/<YYYY>-W<ww>/` holds kpis.parquet, report.xlsx, report.html, report.pdf and manifest.json; one
province's reports are kept in `snapshots/scopes/province-CODE/<week>/`; `snapshots/ledger.jsonl` has a line per run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from dashboard.config import TIMEZONE, today
from dashboard.engine.kpi_text import STATUS_DOTS, format_change, format_value, kpi_name, status_word
from dashboard.engine.kpis import KPIS
from dashboard.i18n import fmt_date, t
from dashboard.period import Period
from dashboard.scope import Scope
from dashboard.weekly.provenance import without_paths

KPI_FILE, MANIFEST_FILE, LEDGER_FILE = "kpis.parquet", "manifest.json", "ledger.jsonl"
REPORT_FILES = {"xlsx": "report.xlsx", "html": "report.html", "pdf": "report.pdf"}
FILES = (KPI_FILE, *REPORT_FILES.values(), MANIFEST_FILE)
ALL = Scope()
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


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


# ---- stored KPI tables ------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _read_kpis(path: str, mtime_ns: int) -> pl.DataFrame:
    return pl.read_parquet(path)


def read_kpis(path: Path) -> pl.DataFrame:
    """A stored kpis.parquet (cached per file version)."""
    return _read_kpis(str(path), path.stat().st_mtime_ns)


def scope_rows(frame: pl.DataFrame, scope: Scope) -> pl.DataFrame:
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
            rows = scope_rows(read_kpis(path), scope)
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


# ---- the ledger ------------------------------------------------------------------------------------------


def now() -> dt.datetime:
    return dt.datetime.now(TIMEZONE).replace(microsecond=0)


def read_ledger(base: Path) -> list[dict]:
    path = snapshots_root(base) / LEDGER_FILE
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            entries.append(json.loads(line))
    return entries


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
                "files": offered_files(path, report_scope),
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
            without_paths(e.get("error")),
            _relative(e.get("output"), base),
        )
        for e in entries
    ]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")


def _relative(path: str | None, base: Path) -> str | None:
    """A run's output folder as the page shows it: inside the data dir (never the server's absolute path)."""
    if not path:
        return path
    try:
        return str(Path(path).relative_to(base))
    except ValueError:
        return without_paths(path)


def offered_files(folder: Path, report_scope: Scope) -> list[str]:
    """The files of a stored week a user of `report_scope` may download. For the whole system's archive, all of
    them. For one scope's archive: kpis.parquet only when it holds that scope's rows alone, manifest.json only when
    it names no server path and no row count of the whole system (a report made before issue 12 stored both)."""
    names = [name for name in FILES if (folder / name).is_file()]
    if report_scope.type == "all":
        return names
    out = []
    for name in names:
        if name == KPI_FILE:
            try:
                stored = read_kpis(folder / name).select("scope_type", "scope_id").unique()
            except (OSError, pl.exceptions.PolarsError):
                continue
            if stored.rows() != [(report_scope.type, report_scope.id)]:
                continue
        elif name == MANIFEST_FILE:
            try:
                manifest = json.loads((folder / name).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if manifest != without_paths(manifest) or any("rows" in i for i in manifest.get("inputs", [])):
                continue
        out.append(name)
    return out


# ---- a stored PDF as pictures, for the page ---------------------------------------------------------------------

PREVIEW_PAGES = 12  # pages drawn at most; the download has every page
PREVIEW_DPI = 130  # an A4 page 1075 px wide: sharp at the page's full width (1400 px window)


class PreviewUnavailable(RuntimeError):
    """This server cannot draw a PDF: poppler's `pdftoppm` is not installed (Debian: apt-get install poppler-utils)."""


@dataclass(frozen=True)
class PdfPreview:
    images: tuple[bytes, ...]  # PNG, one per page drawn (the first PREVIEW_PAGES)
    pages: int  # pages in the PDF


def pdf_preview(path: Path, most: int = PREVIEW_PAGES, dpi: int = PREVIEW_DPI) -> PdfPreview:
    """The first `most` pages of a stored PDF as PNG images, drawn on the server by poppler's `pdftoppm`: the page
    shows pictures, so no PDF plugin, no script from outside and no `data:` frame (which Chromium blocks) is
    needed. Cached per file version. Raises PreviewUnavailable without pdftoppm, ValueError for a file it cannot
    read."""
    return _pdf_preview(str(path), path.stat().st_mtime_ns, most, dpi)


@lru_cache(maxsize=8)
def _pdf_preview(path: str, mtime_ns: int, most: int, dpi: int) -> PdfPreview:
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise PreviewUnavailable("pdftoppm (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory(prefix="pdf-preview-") as tmp:
        try:
            done = subprocess.run(
                [tool, "-png", "-r", str(dpi), "-l", str(most), path, str(Path(tmp) / "page")],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ValueError(f"drawing {Path(path).name} took over 2 minutes") from None
        # page-1.png or page-01.png ... (padded to the page count's width): sorted by the number
        files = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if done.returncode != 0 or not files:
            raise ValueError(f"cannot draw {Path(path).name}: {done.stderr.strip()[:300] or 'no page'}")
        images = tuple(p.read_bytes() for p in files)
    pages = len(images)
    info = shutil.which("pdfinfo")
    if info is not None and pages >= most:  # maybe more pages than drawn: ask for the count
        with contextlib.suppress(subprocess.TimeoutExpired):
            found = subprocess.run([info, path], capture_output=True, text=True, timeout=60, check=False)
            counted = re.search(r"^Pages:\s+(\d+)", found.stdout, re.MULTILINE)
            pages = int(counted[1]) if counted else pages
    return PdfPreview(images, pages)


STATES = ("ok", "skipped", "partial", "incomplete", "failed", "refused", "abandoned", "interrupted")


def comparison_table(base: Path, first: str, second: str, scope: Scope, lang: str) -> pl.DataFrame | None:
    """`compare_weeks` in words for the page: KPI, both values, the change, and the status change."""
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
