"""The test suite's machinery for speed (issue 15): data built once per run, and the `slow` tests.

Data a test session builds once, even when pytest-xdist runs the tests in several processes (`make test`).

`built_once(tmp_path_factory, name, build)`: the first process to ask runs `build(folder)` into a folder the
processes share (the run's temporary root), under a file lock; the others wait for it. Each process then gets its
own copy, since the app writes into its data folder (audit log, scope databases). Without xdist, the folder is
built where it is used, as before.

`skip_slow(config, items)` (tests/conftest.py): tests marked `slow` (scale, many rounds) run under CI=true, with
`--run-slow` or `-m slow`; a developer's run skips them. Import from here, not from conftest: tests/ and tests/e2e/
each have a module named conftest.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

SLOW_SKIPPED = "slow (scale or many rounds): runs under CI=true, with --run-slow or with -m slow"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "e2e"  # screenshots and figures of the browser tests


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def skip_slow(config, items) -> None:
    """Tests marked `slow` run in CI (CI=true) and when asked for; a local run skips them (README, Tests)."""
    if in_ci() or config.getoption("--run-slow") or "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason=SLOW_SKIPPED)
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)


# The files that take longest (seconds in a `make test` run, 2026-12-03), handed out first: xdist's own order (files
# with most tests first) left the two page passes, with few tests each, to the end of the run on one process. The
# second is not a browser file, so that one process builds the browser tests' data while the other works.
LONGEST_FIRST = (
    "tests/e2e/test_pages.py",  # 52
    "tests/test_security.py",  # 27
    "tests/e2e/test_workers_browser.py",  # 40
    "tests/e2e/test_filters.py",  # 33
    "tests/test_demo_story.py",  # 28
    "tests/e2e/test_pages_en.py",  # 21
    "tests/test_rollups.py",  # 21
    "tests/e2e/test_numbers.py",  # 19
    "tests/e2e/test_freshness_banner.py",  # 19
    "tests/e2e/test_loadtest.py",  # 19
    "tests/e2e/test_offline.py",  # 16
    "tests/test_snapshot_browser.py",  # 16
    "tests/e2e/test_provinces.py",  # 14
    "tests/test_snapshot_reliability.py",  # 13
    "tests/e2e/test_snapshots_pdf.py",  # 12
)


def longest_first(items) -> None:
    """Sort the collected tests so that the files of LONGEST_FIRST come first, in its order; the others keep theirs.
    `make test` passes --no-loadscope-reorder, so pytest-xdist hands out files in this order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def xdist_worker() -> str | None:
    """The pytest-xdist worker this process is ("gw0", ...), or None in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER") or None


def built_once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> Path:
    if xdist_worker() is None:
        base = tmp_path_factory.mktemp(name)
        build(base)
        return base
    shared = tmp_path_factory.getbasetemp().parent  # the run's folder, above each worker's own
    built = shared / f"shared-{name}"
    done = shared / f"shared-{name}.done"
    with open(shared / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if build() raises
        if not done.exists():
            shutil.rmtree(built, ignore_errors=True)  # what a failed build left
            built.mkdir()
            build(built)
            done.touch()
    copy = tmp_path_factory.mktemp(name)
    shutil.copytree(built, copy, dirs_exist_ok=True)
    return copy


def remove_if_empty(folder: Path) -> None:
    """Keep the artifacts folder, but not an empty one."""
    if folder.exists() and not any(folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)
