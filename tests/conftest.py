"""Shared fixtures: the tiny hand-made data set and a short demo data set, each built once per run."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
for _p in (str(ROOT), str(ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

DEMO_UNTIL = dt.date(2025, 9, 30)


@pytest.fixture(autouse=True)
def _no_login_on_test_data(monkeypatch):
    """The tests' fixtures are test data served without a login (mode none); tests/test_security.py takes this
    away to test the login itself."""
    monkeypatch.setenv("DASHBOARD_ALLOW_NO_AUTH", "1")
    monkeypatch.delenv("DASHBOARD_AUTH", raising=False)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory) -> Path:
    from tiny_fixture import write_tiny

    base = tmp_path_factory.mktemp("tiny")
    write_tiny(base)
    return base


@pytest.fixture(scope="session")
def demo_base(tmp_path_factory) -> Path:
    from dashboard.data.demo import generate

    base = tmp_path_factory.mktemp("demo")
    generate(base, seed=7, scale=1, until=DEMO_UNTIL, progress=False)
    return base
