"""What a process and its descendants use, from Linux's /proc: CPU time and peak memory (the load test's server
columns), and the descendants themselves. Elsewhere the functions answer None or nothing."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """The process's children, their children, and so on (Linux /proc; elsewhere none)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                kids = [int(k) for k in task.read_text().split()]
                out += kids
                todo += kids
    return out


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by the process and its descendants (Linux /proc; elsewhere None).

    Unlike wall times, it is not inflated by other work on a shared machine: per request, it is what a page run
    costs the server."""
    total, found = 0.0, False
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for p in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14 and 15 of stat)
            found = True
    return total if found else None


def tree_peak_memory_bytes(pid: int) -> int | None:
    """The sum of the peaks of the process and its descendants (an upper bound of what they held at once)."""
    peaks = [peak_memory_bytes(p) for p in [pid, *descendants(pid)]]
    known = [p for p in peaks if p]
    return sum(known) if known else None


def peak_memory_bytes(pid: int) -> int | None:
    """The process's peak resident memory (its high-water mark) so far."""
    try:
        import psutil  # optional

        info = psutil.Process(pid).memory_full_info()
        peak = getattr(info, "peak_wset", None)  # Windows only; elsewhere /proc has the high-water mark
        if peak:
            return int(peak)
    except Exception:  # noqa: BLE001 - psutil missing or not telling: read /proc
        pass
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
