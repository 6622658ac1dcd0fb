"""What a snapshot's manifest records of where its numbers came from: every curated input file with its size, rows
and SHA-256, and the version of the code that computed them."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import dashboard
from dashboard.config import ROOT
from dashboard.data.scope_files import SCOPE_DIR

# The folders of an absolute path inside a text ("/srv/data/curated/x.parquet" -> "x.parquet"), not of a URL.
_FOLDERS = re.compile(r"(?<![\w.:/~-])/(?:[^\s/'\"]+/)+")


def without_paths(value):
    """`value` (a text, or a manifest's dicts and lists of them) with every absolute path cut to its last part:
    what a snapshot writes or a page shows of a run carries no server path (issue 12, finding 3)."""
    if isinstance(value, str):
        return _FOLDERS.sub("", value)
    if isinstance(value, dict):
        return {k: without_paths(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_paths(v) for v in value]
    return value


def file_sha256(path: Path) -> str:
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
        if relative.parts[0] == SCOPE_DIR:
            continue  # the listed tables laid out per scope (dashboard/data/scope_files.py): derived, like a cache
        out.append(
            {
                "table": relative.parts[0].removesuffix(".parquet"),
                "file": str(path.relative_to(base)),
                "bytes": path.stat().st_size,
                "rows": pq.ParquetFile(path).metadata.num_rows,
                "sha256": file_sha256(path),
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
