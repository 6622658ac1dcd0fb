"""The audit log: who did what, when. Append-only JSON lines under `<data dir>/audit/YYYY-MM-DD.jsonl`.

One file per day (Asia/Ho_Chi_Minh). Each event is one line, written with a single `os.write` on a file
opened with O_APPEND, under a process lock, so lines from concurrent sessions never interleave. Nothing here
rewrites or deletes a line. A failure to write raises: an action that cannot be recorded does not happen
quietly. The folder sits outside `curated/`, so no SQL (pages, workbench) can read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from pathlib import Path

from dashboard.config import TIMEZONE

EVENTS = (
    "sign_in",
    "sign_out",
    "sign_in_failed",
    "page_view",
    "workbench_query",
    "download",
    "snapshot_run",
    "user_change",
)
_LOCK = threading.Lock()


def audit_dir(base: Path) -> Path:
    return Path(base) / "audit"


def now() -> dt.datetime:
    return dt.datetime.now(TIMEZONE)


def sql_hash(sql: str) -> str:
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()


def record(base: Path, event: str, user: str | None, **fields) -> dict:
    """Append one event to today's file and return it."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    when = now()
    entry = {"ts": when.isoformat(timespec="milliseconds"), "event": event, "user": user, **fields}
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    folder = audit_dir(base)
    with _LOCK:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(folder / f"{when.date().isoformat()}.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    return entry


def days(base: Path) -> list[str]:
    """The days that have a log, newest first (YYYY-MM-DD)."""
    folder = audit_dir(base)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.jsonl"):
        try:
            found.append(dt.date.fromisoformat(path.stem).isoformat())
        except ValueError:
            continue
    return sorted(found, reverse=True)


def read(base: Path, day: str, user: str | None = None, event: str | None = None) -> list[dict]:
    """The events of one day, oldest first, optionally of one user and one kind (a torn last line is skipped)."""
    path = audit_dir(base) / f"{dt.date.fromisoformat(day).isoformat()}.jsonl"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if user and entry.get("user") != user:
            continue
        if event and entry.get("event") != event:
            continue
        out.append(entry)
    return out
