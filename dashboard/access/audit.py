"""The audit log: who did what, when. Append-only JSON lines under `<data dir>/audit/YYYY-MM-DD.jsonl`.

One file per day (Asia/Ho_Chi_Minh). Each event is one line, written with a single `os.write` on a file
opened with O_APPEND, under a process lock, so lines from concurrent sessions never interleave. Nothing here
rewrites or deletes a line. A failure to write raises: an action that cannot be recorded does not happen
quietly. The folder sits outside `curated/`, so no SQL (pages, workbench) can read it.

A line is ASCII-escaped JSON (`ensure_ascii=True`): whatever a user typed (a name, SQL with U+2028, U+2029,
U+0085, `\r`) is escaped inside the line, so the only line break in a file is the `\n` that ends each event, and
the reader splits on `\n` only. A line that still cannot be read (a torn write, an edit by hand) is counted as
unreadable (`read_day`), never dropped silently and never taken for an event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
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
    line = (json.dumps(entry, ensure_ascii=True, default=str) + "\n").encode("utf-8")
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


@dataclass
class Day:
    """One day's log: its events, oldest first, and the numbers (1-based) of the lines that could not be read."""

    events: list[dict] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)


def parse_line(raw: bytes) -> dict | None:
    """One line as an event, or None when it is not one: not UTF-8 JSON, not an object, or without a text `ts`,
    a known `event` and a text (or no) `user`."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("ts"), str) or entry.get("event") not in EVENTS:
        return None
    if entry.get("user") is not None and not isinstance(entry["user"], str):
        return None
    return entry


def read_day(base: Path, day: str) -> Day:
    """The events of one day and its unreadable lines. Lines end at `\n` only (never at U+2028, U+0085, `\r`)."""
    path = audit_dir(base) / f"{dt.date.fromisoformat(day).isoformat()}.jsonl"
    out = Day()
    if not path.is_file():
        return out
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the `\n` that ends the last event
    for number, raw in enumerate(lines, start=1):
        entry = parse_line(raw)
        if entry is None:
            out.unreadable.append(number)
        else:
            out.events.append(entry)
    return out


def read(base: Path, day: str, user: str | None = None, event: str | None = None) -> list[dict]:
    """The events of one day, oldest first, optionally of one user and one kind (unreadable lines: `read_day`)."""
    return [
        entry
        for entry in read_day(base, day).events
        if (not user or entry.get("user") == user) and (not event or entry.get("event") == event)
    ]
