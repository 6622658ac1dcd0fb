"""Where the data lives, which version of it we read, and what day it is."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
PAGES_DIR = ROOT / "pages"
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def data_dir(arg: str | os.PathLike | None = None) -> Path:
    """The data dir: the argument, else $DASHBOARD_DATA_DIR, else data/ in the repository."""
    chosen = arg or os.environ.get("DASHBOARD_DATA_DIR") or ROOT / "data"
    return Path(chosen).expanduser().resolve()


def curated_dir(base: Path) -> Path:
    return base / "curated"


def table_files(base: Path, table: str) -> list[Path]:
    """The Parquet files of one curated table: `<table>.parquet` or a folder `<table>/*.parquet`."""
    cur = curated_dir(base)
    single = cur / f"{table}.parquet"
    if single.is_file():
        return [single]
    folder = cur / table
    if folder.is_dir():
        return sorted(folder.rglob("*.parquet"))
    return []


# curated/scopes/: the scope files (dashboard/data/scope_files.py), written as a folder renamed into place whole,
# with a manifest written anew each time.
SCOPE_DIR = "scopes"
SCOPE_MANIFEST = "manifest.json"


def data_version(base: Path) -> str:
    """A short hash of every curated file's name, size and modification time; changes when files change.

    Asked before every query, so it walks the folders with os.scandir (a quarter of Path.rglob's time) and sorts by
    path parts, as sorted(Path.rglob(...)) did. The scope files count by their manifest alone: they are replaced
    as a whole with a new one, and stat'ing each of their hundreds of files before every query cost 4 ms."""
    cur = curated_dir(base)
    entries: list[tuple[tuple[str, ...], int, int]] = []

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        with os.scandir(folder) as found:
            for entry in found:
                here = (*parts, entry.name)
                if not parts and entry.name == SCOPE_DIR and entry.is_dir():
                    manifest = Path(entry.path) / SCOPE_MANIFEST
                    if manifest.is_file():
                        st = manifest.stat()
                        entries.append(((SCOPE_DIR, SCOPE_MANIFEST), st.st_size, st.st_mtime_ns))
                    continue
                if entry.name.endswith(".parquet"):
                    st = entry.stat()
                    entries.append((here, st.st_size, st.st_mtime_ns))
                if entry.is_dir():
                    walk(entry.path, here)

    if cur.is_dir():
        walk(str(cur), ())
    h = hashlib.sha1()
    for parts, size, mtime_ns in sorted(entries):
        h.update(f"{'/'.join(parts)}|{size}|{mtime_ns}\n".encode())
    return h.hexdigest()[:12]


WORKBENCH_MAX_BYTES = 50_000_000  # 50 MB of one workbench result kept and shown
_UNITS = {"": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000}


def workbench_max_bytes() -> int:
    """How many bytes of one workbench result are kept and shown: $DASHBOARD_WORKBENCH_MAX_BYTES (a number of bytes,
    or with KB, MB, GB: `20MB`), else 50 MB. A value that is not a positive size stops with the setting named."""
    text = os.environ.get("DASHBOARD_WORKBENCH_MAX_BYTES", "").strip()
    if not text:
        return WORKBENCH_MAX_BYTES
    number = text.rstrip("kKmMgGbB ").strip()
    unit = text[len(number) :].strip().lower()
    try:
        value = int(float(number) * _UNITS[unit])
    except (ValueError, KeyError):
        value = 0
    if value <= 0:
        raise ValueError(f"DASHBOARD_WORKBENCH_MAX_BYTES={text!r} is not a size; write a number of bytes or e.g. 50MB")
    return value


def today() -> dt.date:
    """Today in Asia/Ho_Chi_Minh, or $DASHBOARD_TODAY (YYYY-MM-DD) when set, for reproducible runs."""
    fixed = os.environ.get("DASHBOARD_TODAY")
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.datetime.now(TIMEZONE).date()


DEFAULT_LATE_DAYS = 2


def late_days() -> int:
    """Days a daily extract may lag the period's end before it is "late": $DASHBOARD_LATE_DAYS, default 2.

    Weekly facts get a week more (see dashboard/engine/freshness.py)."""
    text = os.environ.get("DASHBOARD_LATE_DAYS", "").strip()
    if not text:
        return DEFAULT_LATE_DAYS
    if not text.isdigit():
        raise ValueError(f"DASHBOARD_LATE_DAYS must be a whole number of days (0 or more), not {text!r}")
    return int(text)
