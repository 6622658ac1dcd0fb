"""The command line explains itself: --version, choices listed in --help, a clear error for a bad value, and an
example under every command's --help that the parser accepts."""

from __future__ import annotations

import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import dashboard
from dashboard.cli import EXAMPLES, _parser, main

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (
    "check",
    "demo",
    "kpis",
    "pace",
    "pages",
    "curate",
    "rollups",
    "snapshot",
    "users",
    "bench",
    "loadtest",
    "serve",
)


def _exit(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    return stop.value.code, out, err


def test_version_is_printed_and_matches_pyproject():
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "--version"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert done.stdout == "python -m dashboard 0.1.0\n"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert dashboard.__version__ == project["version"] == "0.1.0"


def test_a_bad_lang_exits_2_naming_the_choices(capsys):
    code, _, err = _exit(["snapshot", "--lang", "fr"], capsys)
    assert code == 2
    assert "argument --lang: invalid choice: 'fr' (choose from 'vi', 'en')" in err


def test_a_bad_format_exits_2_naming_each_unknown_and_the_choices(capsys):
    code, _, err = _exit(["snapshot", "--formats", "pdf,docx,CSV"], capsys)
    assert code == 2
    assert "argument --formats: unknown format ('docx', 'csv'); choose from parquet, xlsx, html, pdf" in err
    code, _, err = _exit(["snapshot", "--formats", " , "], capsys)
    assert code == 2 and "unknown format (none given)" in err


def test_good_formats_and_scopes_are_normalised():
    args = _parser().parse_args(["snapshot", "--formats", " PDF, xlsx", "--report-scope", "province:HNI"])
    assert (args.formats, args.report_scope, args.lang) == ("pdf,xlsx", "province:HNI", "vi")
    assert _parser().parse_args(["bench", "--scopes", "all, agency:A1"]).scopes == "all,agency:A1"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["kpis", "--start", "2026-01-01", "--end", "2026-01-31", "--scope", "HNI"], "argument --scope: scope must be"),
        (["snapshot", "--report-scope", "city:HN"], "argument --report-scope: unknown scope type 'city'"),
        (["users", "add", "an", "--role", "provincial", "--scope", "province:"], "argument --scope: not a valid code"),
        (["bench", "--scopes", "all,HNI"], "argument --scopes: scope must be"),
        (["bench", "--period", "last_month"], "argument --period: invalid choice: 'last_month'"),
        (["users", "add", "an", "--role", "boss"], "argument --role: invalid choice: 'boss'"),
        (["curate", "--source", "x", "--mode", "merge"], "argument --mode: invalid choice: 'merge'"),
        (["kpis", "--start", "2026-01-01", "--end", "2026-01-31", "--format", "xml"], "argument --format: invalid"),
    ],
)
def test_bad_values_are_usage_errors(argv, message, capsys):
    code, _, err = _exit(argv, capsys)
    assert code == 2 and message in err


@pytest.mark.parametrize(
    "command, listed",
    [
        ("snapshot", "--lang {vi,en}"),
        ("users", "--role {leader,provincial,analyst,admin}"),
        ("curate", "--mode {replace,append}"),
        ("kpis", "--format {table,csv,json}"),
        ("pace", "--format {table,csv,json}"),
        ("bench", "{last_week,last_4_weeks,last_12_weeks,last_quarter,year_to_date}"),
        ("snapshot", "comma-separated, from parquet,xlsx,html,pdf"),
    ],
)
def test_help_lists_the_choices(command, listed, capsys):
    code, out, _ = _exit([command, "--help"], capsys)
    assert code == 0 and listed in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_an_example_that_parses(command, capsys):
    code, out, _ = _exit([command, "--help"], capsys)
    assert code == 0
    assert "Example" in out or "Ví dụ" in out
    lines = [line.strip() for line in EXAMPLES[command].splitlines()]
    assert lines and all(line in out for line in lines)
    for line in lines:
        words = shlex.split(line)
        assert words[:4] == ["python", "-m", "dashboard", command]
        _parser().parse_known_args(words[3:])  # exits 2 if the example does not parse


def test_the_commands_tested_are_all_the_commands():
    assert set(_parser()._subparsers._group_actions[0].choices) == set(COMMANDS)
