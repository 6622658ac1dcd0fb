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
