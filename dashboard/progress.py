"""Progress of long command-line work, on stderr: redrawn in place on a terminal, one plain line per step in a
log (cron, systemd, a file), so that a log never holds carriage returns or terminal escapes."""

from __future__ import annotations

import sys


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Bar:
    """A labelled bar from 0 to `total`. On a terminal: one line redrawn with `\\r`. Elsewhere: a line at each
    quarter (25 %, 50 %, 75 %, 100 %) and none in between, or with `each_step` a line at each step (each `done`
    that moved on: e.g. one per file read), and at `close(detail)` a last one. `detail` (e.g. "1.234 rows") is
    shown beside it."""

    QUARTERS = (25, 50, 75, 100)

    def __init__(self, label: str, total: int, enabled: bool = True, stream=None, each_step: bool = False) -> None:
        self.label, self.total, self.enabled, self.each_step = label, max(int(total), 1), enabled, each_step
        self.stream = stream if stream is not None else sys.stderr
        self.tty = is_terminal(self.stream)
        self.shown = -1
        self.logged = 0  # the last quarter (each_step: the last step) written to a log
        self.update(0)

    def update(self, done: int, detail: str = "") -> None:
        if not self.enabled:
            return
        pct = min(100, int(100 * done / self.total))
        if self.tty:
            if pct == self.shown and not detail:
                return
            filled = pct // 5
            self.stream.write(f"\r{self.label:<17} [{'#' * filled}{'-' * (20 - filled)}] {pct:3d}% {detail}\x1b[K")
        elif self.each_step:
            if done <= self.logged:
                return
            self.logged = done
            self.stream.write(f"{self.label:<17} {pct:3d}%" + (f"  {detail}" if detail else "") + "\n")
        else:
            due = [q for q in self.QUARTERS if self.logged < q <= pct]
            if not due:
                return
            self.logged = due[-1]
            self.stream.write(f"{self.label:<17} {self.logged:3d}%" + (f"  {detail}" if detail else "") + "\n")
        self.shown = pct
        self.stream.flush()

    def close(self, detail: str = "") -> None:
        if not self.enabled:
            return
        if self.each_step and not self.tty and detail and self.logged >= self.total:
            self.logged -= 1  # the last step is logged already: its summary is one more line
        self.update(self.total, detail)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
