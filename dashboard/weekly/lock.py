"""The machinery that keeps a snapshot run safe: an exclusive lock per (week, report scope) that recovers the lock
of a dead run, the atomic publication of the finished folder (and the tidying of what a dead run left), and stop
signals turned into an exception so a stopped run cleans up like a failed one. Used by dashboard.weekly.snapshot.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from dashboard.weekly.archive import now


class Interrupted(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP): unwind, clean up, record it."""


class Locked(Exception):
    """Another live run holds the lock: the message says whose, and how to wait for it."""


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
                    raise Locked(self._refusal(holder)) from None
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
        else:  # two renames: a crash in between leaves `.old-*`, which the next run puts back (see tidy)
            old = tmp.with_name(tmp.name.replace(".tmp-", ".old-", 1))
            os.rename(final, old)
            os.rename(tmp, final)
            shutil.rmtree(old)
    else:
        os.rename(tmp, final)
    _fsync_dir(final.parent)


def tidy(root: Path, key: str, final: Path) -> list[str]:
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
def signals_raise() -> Iterator[None]:
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
