"""The demo marker: a file beside the curated tables saying they are the demo generator's, as long as they stay
the files it wrote. Login mode `none` is allowed only on such data (access/auth.py).

The marker holds the SHA-256 of every curated Parquet file's content, and the check compares contents, not sizes
and modification times (both can be put back after an edit). The gate asks on every run, so a file's hash is
cached under (path, size, mtime_ns, inode, ctime_ns): the change time cannot be set back by a user (utime sets it
to now), and a file whose change time is under two seconds old is hashed again each time (an edit in the same
clock tick as the cached look would keep all five; git's "racily clean" rule).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

from dashboard.config import curated_dir, data_version

DEMO_MARKER = "DEMO_DATA.json"
SETTLED_SECONDS = 2.0
_HASHES: dict[tuple, str] = {}
_HASHES_MAX = 4096
_HASHES_LOCK = threading.Lock()


def _curated_entries(base: Path) -> dict[str, tuple[Path, os.stat_result]]:
    """Every Parquet file under curated/, scope files included: {path under curated/ (POSIX): (path, its stat)}.
    Walked with os.scandir, since the gate asks on every run: Path.rglob and a stat of each took 25 ms for the
    scale-10 demo's files, scope files included, this walk 10 ms (docs/performance.md, sixth pass)."""
    found: dict[str, tuple[Path, os.stat_result]] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, name + "/")
                elif entry.name.endswith(".parquet"):
                    found[name] = (Path(entry.path), entry.stat())

    cur = curated_dir(base)
    if cur.is_dir():
        walk(str(cur), "")
    return found


def file_sha256(path: Path, st: os.stat_result | None = None) -> str:
    """The SHA-256 of a file's content, cached while its size, times and inode stay the same (`st`: its stat, when
    the caller has just taken it)."""
    st = st if st is not None else path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
    with _HASHES_LOCK:
        known = _HASHES.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    if st.st_ctime_ns < (time.time() - SETTLED_SECONDS) * 1e9:  # settled: no edit can share this key any more
        with _HASHES_LOCK:
            if len(_HASHES) >= _HASHES_MAX:
                _HASHES.clear()
            _HASHES[key] = value
    return value


def content_hashes(base: Path) -> dict[str, str]:
    """Every curated Parquet file (path under curated/, POSIX) -> SHA-256 of its content."""
    entries = sorted(_curated_entries(base).items(), key=lambda item: item[1][0])  # in path order, as written before
    return {name: file_sha256(path, st) for name, (path, st) in entries}


def write_demo_marker(base: Path, **about) -> None:
    """Called by the demo generator: this data dir holds demo data, as long as its files stay those written."""
    marker = {
        "generator": "python -m dashboard demo",
        "data_version": data_version(base),
        **about,
        "sha256": content_hashes(base),
    }
    (curated_dir(base) / DEMO_MARKER).write_text(json.dumps(marker, default=str), encoding="utf-8")


def refresh_demo_marker(base: Path) -> None:
    """After `rollups` rewrote derived files (rollups, scope files) of data that was demo data when it started:
    the marker takes the new files' hashes and keeps what it said about the demo. Call it only after checking
    `is_demo_data` before the rewrite; the facts the new files derive from were vouched for by that check."""
    try:
        about = json.loads((curated_dir(base) / DEMO_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    about = {k: v for k, v in about.items() if k not in ("generator", "data_version", "sha256")}
    write_demo_marker(base, **about)


def is_demo_data(base: Path) -> bool:
    """Whether the curated files are exactly the ones the demo generator wrote: the same names, each with the
    content hash in the marker (a marker without hashes, from before, is not trusted)."""
    try:
        marker = json.loads((curated_dir(base) / DEMO_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = marker.get("sha256") if isinstance(marker, dict) else None
    if not isinstance(expected, dict) or not expected:
        return False
    files = _curated_entries(base)
    if set(files) != set(expected):
        return False
    try:
        return all(file_sha256(path, st) == expected[name] for name, (path, st) in files.items())
    except OSError:
        return False
