"""The machinery that keeps a snapshot run safe: an exclusive kernel lock per (week, report scope), released by
the kernel when its holder dies; the atomic publication of the finished folder (and the tidying of what a dead run
left); and stop signals turned into an exception so a stopped run cleans up like a failed one. Used by
dashboard.weekly.snapshot.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
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


class WeekLock:
    """An exclusive kernel lock (`fcntl.flock`) per (week, report scope) on `snapshots/.lock-<key>`.

    The kernel releases the lock when its holder exits, however it dies (SIGKILL, a crash, a reboot), so there
    is no guessing from PIDs: a second run refuses (or waits up to `wait` seconds) exactly while the holder's
    process lives. The file also records who holds it (PID, host, since) for the refusal message; a record found
    by a run that got the lock belongs to a run that died without tidying up, and is reported in `recovered`
    (so the abandoned run gets its line in the ledger). The holder removes the file when it finishes.
    """

    def __init__(self, root: Path, key: str, wait: float = 0.0) -> None:
        self.path = root / f".lock-{key}"
        self.wait = wait
        self.recovered: list[dict] = []
        self.me = {"pid": os.getpid(), "host": socket.gethostname(), "since": now().isoformat()}
        self.fd: int | None = None

    def __enter__(self) -> WeekLock:
        deadline = time.monotonic() + self.wait
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise Locked(self._refusal(self._holder())) from None
                time.sleep(0.2)
                continue
            if not self._still_linked(fd):  # the previous holder removed the file between our open and flock
                os.close(fd)
                continue
            self.fd = fd
            break
        previous = self._holder()
        if previous:  # a record nobody holds: its run died before removing it
            self.recovered.append(previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(self.me).encode("utf-8"), 0)
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # still holding the lock: a run that opened the old file retries (_still_linked)
        os.close(self.fd)  # releases the lock
        self.fd = None

    def _still_linked(self, fd: int) -> bool:
        try:
            return os.fstat(fd).st_ino == os.stat(self.path).st_ino
        except FileNotFoundError:
            return False

    def _holder(self) -> dict | None:
        """Who the file says holds the lock; None when it is missing, empty or unreadable."""
        try:
            text = self.path.read_text(encoding="utf-8")
            return json.loads(text) if text.strip() else None
        except (FileNotFoundError, json.JSONDecodeError):
            return None

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
