"""The test suite's own machinery (issue 15, test suite time): data built once for every xdist worker, and the
`slow` tests skipped on a developer's machine but run under CI=true."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_data import LONGEST_FIRST, SLOW_SKIPPED, built_once, longest_first, skip_slow


class WorkerTmp:
    """What built_once uses of pytest's tmp_path_factory, for the worker `name` of a run under `run`."""

    def __init__(self, run: Path, name: str) -> None:
        self.base = run / f"popen-{name}"
        self.base.mkdir(parents=True, exist_ok=True)
        self.made = 0

    def getbasetemp(self) -> Path:
        return self.base

    def mktemp(self, name: str) -> Path:
        folder = self.base / f"{name}{self.made}"
        self.made += 1
        folder.mkdir()
        return folder


def test_two_workers_build_once_and_each_gets_its_own_copy(tmp_path, monkeypatch):
    builds: list[Path] = []

    def build(folder: Path) -> None:
        builds.append(folder)
        (folder / "curated").mkdir()
        (folder / "curated" / "t.parquet").write_text("rows")

    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = built_once(WorkerTmp(tmp_path, "gw0"), "demo", build)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = built_once(WorkerTmp(tmp_path, "gw1"), "demo", build)
    assert len(builds) == 1  # the second worker found it built
    assert builds[0].parent == tmp_path  # in the run's folder, which the workers share
    assert first != second and first.parent.name == "popen-gw0" and second.parent.name == "popen-gw1"
    assert (first / "curated" / "t.parquet").read_text() == (second / "curated" / "t.parquet").read_text() == "rows"
    (first / "curated" / "t.parquet").write_text("changed by a test")  # a worker's copy is its own
    assert (second / "curated" / "t.parquet").read_text() == "rows"


def test_a_failed_build_is_built_again_by_the_next_worker(tmp_path, monkeypatch):
    calls: list[str] = []

    def build(folder: Path) -> None:
        calls.append("x")
        (folder / "half").write_text("left over")
        if len(calls) == 1:
            raise RuntimeError("the demo command failed")
        (folder / "whole").write_text("ok")

    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    with pytest.raises(RuntimeError):
        built_once(WorkerTmp(tmp_path, "gw0"), "e2e", build)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    copy = built_once(WorkerTmp(tmp_path, "gw1"), "e2e", build)
    assert len(calls) == 2 and sorted(p.name for p in copy.iterdir()) == ["half", "whole"]


def test_without_workers_the_data_is_built_where_it_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    folder = built_once(WorkerTmp(tmp_path, "main"), "tiny", lambda base: (base / "f").write_text("1"))
    assert folder.parent.name == "popen-main" and (folder / "f").read_text() == "1"
    assert not (tmp_path / "shared-tiny").exists()


class Item:
    def __init__(self, slow: bool) -> None:
        self.slow, self.added = slow, []

    def get_closest_marker(self, name: str):
        return pytest.mark.slow if name == "slow" and self.slow else None

    def add_marker(self, mark) -> None:
        self.added.append(mark)


class Config:
    def __init__(self, run_slow: bool = False, markexpr: str = "") -> None:
        self.options = {"--run-slow": run_slow, "markexpr": markexpr}

    def getoption(self, name: str):
        return self.options[name]


@pytest.mark.parametrize(
    ("ci", "config", "skipped"),
    [
        ("", Config(), True),  # a developer's `make test`
        ("false", Config(), True),
        ("true", Config(), False),  # .ci/run: every test runs
        ("", Config(run_slow=True), False),
        ("", Config(markexpr="slow"), False),
    ],
)
def test_slow_tests_are_skipped_only_outside_ci_unless_asked_for(monkeypatch, ci, config, skipped):
    monkeypatch.setenv("CI", ci)
    slow, quick = Item(slow=True), Item(slow=False)
    skip_slow(config, [slow, quick])
    assert quick.added == []
    if skipped:
        assert [(m.name, m.kwargs) for m in slow.added] == [("skip", {"reason": SLOW_SKIPPED})]
    else:
        assert slow.added == []


def test_the_slow_marker_is_registered_and_marks_the_scale_tests():
    import tomllib

    root = Path(__file__).resolve().parents[1]
    markers = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert any(m.startswith("slow:") for m in markers["markers"])
    bench = (root / "tests" / "test_bench.py").read_text(encoding="utf-8")
    assert "@pytest.mark.slow\ndef test_bench_reports_every_page_in_every_scope(" in bench


class Collected:
    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid


def test_the_longest_files_come_first_in_their_order_and_the_others_keep_theirs():
    root = Path(__file__).resolve().parents[1]
    assert all((root / name).is_file() for name in LONGEST_FIRST), "a file of LONGEST_FIRST was renamed"
    first, second = LONGEST_FIRST[0], LONGEST_FIRST[1]
    items = [Collected(n) for n in ("tests/a.py::x", f"{second}::y", "tests/b.py::z", f"{first}::p", f"{first}::q")]
    longest_first(items)
    assert [i.nodeid for i in items] == [f"{first}::p", f"{first}::q", f"{second}::y", "tests/a.py::x", "tests/b.py::z"]
