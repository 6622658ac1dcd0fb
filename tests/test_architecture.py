"""The layout rules of docs/architecture.md, checked on the source itself with `ast` (every import, at any depth).

1. Rooms: a module of dashboard/ imports only from its own room or rooms below it; a module or package directly under
   dashboard/ that is not in ROOMS fails, so none is added without a room.
2. Streamlit only in dashboard/web/, dashboard/sqlpages/view.py, dashboard/devtools/, app.py and pages/.
3. No private name (leading underscore) taken from another dashboard module, in dashboard/, app.py and pages/:
   neither `from dashboard.x import _y` nor `x._y` on a name imported from dashboard.
4. No dashboard module over MAX_LINES lines unless a line of its module docstring starts with `Long:` (saying why).

Each rule is a small checker `check_*(source) -> list of violations`; the tests at the end feed each one a made-up
module that breaks it, so a checker that never fails is caught too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP = 99  # dashboard/cli.py and __main__.py (and app.py, pages/, tests/): may import any room
ROOMS = {
    # 0 base: modules directly under dashboard/
    "dashboard": 0,
    "dashboard.config": 0,
    "dashboard.period": 0,
    "dashboard.scope": 0,
    "dashboard.i18n": 0,
    "dashboard.sqltext": 0,
    "dashboard.progress": 0,
    "dashboard.csvsafe": 0,
    "dashboard.data": 1,
    "dashboard.engine": 2,
    "dashboard.access": 3,
    "dashboard.web": 4,
    "dashboard.sqlpages": 5,
    "dashboard.weekly": 6,
    "dashboard.devtools": 7,
    "dashboard.cli": TOP,
    "dashboard.__main__": TOP,
}
ROOM_NAMES = {0: "base", 1: "data", 2: "engine", 3: "access", 4: "web", 5: "sqlpages", 6: "weekly", 7: "devtools"}
ROOM_NAMES[TOP] = "top"
STREAMLIT_ALLOWED = ("dashboard/web/", "dashboard/sqlpages/view.py", "dashboard/devtools/", "app.py", "pages/")
MAX_LINES = 600
SKIPPED_DIRS = {".venv", ".git", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class Source:
    """One .py file: its path relative to the repository ('dashboard/web/ui.py') and its text."""

    path: str
    text: str

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.text, filename=self.path)

    @property
    def module(self) -> str:
        """The dotted module name: dashboard/web/__init__.py -> dashboard.web."""
        parts = self.path.removesuffix(".py").split("/")
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    @property
    def package(self) -> str:
        """The package a relative import starts from."""
        return self.module if self.path.endswith("__init__.py") else self.module.rpartition(".")[0]

    def in_(self, *prefixes: str) -> bool:
        return any(self.path == p or (p.endswith("/") and self.path.startswith(p)) for p in prefixes)


@dataclass(frozen=True)
class Import:
    """One imported module, the names taken from it (empty for `import x`) and the names the import binds."""

    line: int
    module: str
    names: tuple[str, ...] = ()
    bound: tuple[str, ...] = ()


def imports(source: Source) -> list[Import]:
    """Every import of the file, at any depth (inside functions, `if`, `try`), relative ones made absolute;
    `importlib.import_module("x")` and `__import__("x")` with a literal name count too."""
    found = []
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Import):
            found += [Import(node.lineno, a.name, (), (a.asname or a.name.split(".")[0],)) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = source.package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            names, bound = tuple(a.name for a in node.names), tuple(a.asname or a.name for a in node.names)
            found.append(Import(node.lineno, module, names, bound))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append(Import(node.lineno, node.args[0].value))
    return found


def room(module: str) -> int | None:
    """The room of a dashboard module (dashboard.engine.db -> 2), None if it is in none."""
    return ROOMS.get(".".join(module.split(".")[:2]))


def targets(imp: Import) -> list[str]:
    """The dashboard modules an import reaches: `from dashboard import config` reaches dashboard.config, `from
    dashboard import __version__` the package dashboard itself."""
    if imp.module == "dashboard" and imp.names:
        return [f"dashboard.{name}" if f"dashboard.{name}" in ROOMS else "dashboard" for name in imp.names]
    return [imp.module] if imp.module.split(".")[0] == "dashboard" else []


def check_rooms(source: Source) -> list[str]:
    """A dashboard module imports only from its own room or rooms below; every module is in a room."""
    if not source.in_("dashboard/"):
        return []
    own = room(source.module)
    if own is None:
        return [f"{source.path}: in no room: add it to the rooms (tests/test_architecture.py, docs/architecture.md)"]
    found = []
    for imp in imports(source):
        for target in targets(imp):
            other = room(target)
            if other is None:
                found.append(f"{source.path}:{imp.line}: imports {target}, which is in no room")
            elif other > own:
                found.append(
                    f"{source.path}:{imp.line}: {ROOM_NAMES[own]} ({own}) imports {target} "
                    f"from the higher room {ROOM_NAMES[other]} ({other})"
                )
    return found


def check_streamlit(source: Source) -> list[str]:
    """Streamlit is imported only where the web is drawn (tests drive it through AppTest: not checked)."""
    if source.in_("tests/", *STREAMLIT_ALLOWED):
        return []
    return [
        f"{source.path}:{imp.line}: imports {imp.module}: Streamlit is for {', '.join(STREAMLIT_ALLOWED)} only"
        for imp in imports(source)
        if imp.module.split(".")[0] == "streamlit"
    ]


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def check_private_names(source: Source) -> list[str]:
    """No `from dashboard.x import _y`, nor `x._y` on a name imported from dashboard, in dashboard/, app.py, pages/:
    make the name public or move it."""
    if not source.in_("dashboard/", "app.py", "pages/"):
        return []
    ours = [imp for imp in imports(source) if imp.module.split(".")[0] == "dashboard" and imp.module != source.module]
    found = [
        f"{source.path}:{imp.line}: imports the private name {name} from {imp.module}"
        for imp in ours
        for name in imp.names
        if private(name)
    ]
    bound = {name for imp in ours for name in imp.bound}
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound:
                found.append(f"{source.path}:{node.lineno}: uses the private name {node.attr} of {root.id}")
    return found


def check_size(source: Source) -> list[str]:
    """A dashboard module over MAX_LINES lines says why on a docstring line starting with `Long:`."""
    lines = len(source.text.splitlines())
    if not source.in_("dashboard/") or lines <= MAX_LINES:
        return []
    docstring = ast.get_docstring(source.tree) or ""
    if any(line.strip().startswith("Long:") for line in docstring.splitlines()):
        return []
    return [f"{source.path}: {lines} lines (> {MAX_LINES}) and no `Long:` line in its docstring saying why"]


def sources() -> list[Source]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if not SKIPPED_DIRS.intersection(rel.parts):
            found.append(Source(rel.as_posix(), path.read_text(encoding="utf-8")))
    return found


SOURCES = sources()
CHECKS = [check_rooms, check_streamlit, check_private_names, check_size]


def test_the_source_is_found():
    paths = {s.path for s in SOURCES}
    assert {"app.py", "dashboard/cli.py", "dashboard/engine/db.py", "tests/test_architecture.py"} <= paths
    assert any(p.startswith("pages/") for p in paths)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_the_source_keeps_the_rule(check):
    found = [violation for source in SOURCES for violation in check(source)]
    assert not found, "\n".join(found)


# --- each checker fails on a made-up module that breaks its rule --------------------------------------------------


def test_a_lower_room_importing_a_higher_one_fails():
    assert check_rooms(Source("dashboard/engine/kpis.py", "def f():\n    from dashboard.web import ui\n")) == [
        "dashboard/engine/kpis.py:2: engine (2) imports dashboard.web from the higher room web (4)"
    ]
    assert check_rooms(Source("dashboard/config.py", "from dashboard import scope, weekly\n")) == [
        "dashboard/config.py:1: base (0) imports dashboard.weekly from the higher room weekly (6)"
    ]
    relative = Source("dashboard/access/audit.py", "from ..sqlpages import run\nfrom . import auth\n")
    assert check_rooms(relative) == [
        "dashboard/access/audit.py:1: access (3) imports dashboard.sqlpages from the higher room sqlpages (5)"
    ]
    upward = "import dashboard.devtools.bench\nimport dashboard.cli\nfrom dashboard.engine.db import connect\n"
    assert len(check_rooms(Source("dashboard/weekly/snapshot.py", upward))) == 2  # devtools and cli, not engine


def test_a_module_in_no_room_fails():
    assert check_rooms(Source("dashboard/helpers.py", "")) == [
        "dashboard/helpers.py: in no room: add it to the rooms (tests/test_architecture.py, docs/architecture.md)"
    ]
    assert check_rooms(Source("dashboard/misc/util.py", "")) != []
    assert check_rooms(Source("dashboard/web/ui.py", "from dashboard.helpers import x\n")) == [
        "dashboard/web/ui.py:1: imports dashboard.helpers, which is in no room"
    ]
    assert check_rooms(Source("dashboard/cli.py", "import dashboard.devtools.loadtest\n")) == []  # top


def test_streamlit_outside_the_web_fails():
    lazy = "def draw():\n    if True:\n        import streamlit as st\n"
    assert check_streamlit(Source("dashboard/engine/kpis.py", lazy)) == [
        "dashboard/engine/kpis.py:3: imports streamlit: Streamlit is for "
        "dashboard/web/, dashboard/sqlpages/view.py, dashboard/devtools/, app.py, pages/ only"
    ]
    assert len(check_streamlit(Source("dashboard/sqlpages/run.py", "from streamlit.runtime import exists\n"))) == 1
    by_name = "import importlib\nst = importlib.import_module('streamlit')\n"
    assert len(check_streamlit(Source("dashboard/access/auth.py", by_name))) == 1
    for allowed in ("dashboard/web/cards.py", "dashboard/sqlpages/view.py", "pages/leaders/overview.py", "app.py"):
        assert check_streamlit(Source(allowed, "import streamlit as st\n")) == []


def test_a_private_name_from_another_module_fails():
    text = "from dashboard.web.ui import _query, card\n\ndef f():\n    from .header import _parse\n"
    assert check_private_names(Source("dashboard/sqlpages/view.py", text)) == [
        "dashboard/sqlpages/view.py:1: imports the private name _query from dashboard.web.ui",
        "dashboard/sqlpages/view.py:4: imports the private name _parse from dashboard.sqlpages.header",
    ]
    assert len(check_private_names(Source("pages/leaders/overview.py", "from dashboard.web import _cache\n"))) == 1
    through = (
        "import dashboard.web.ui\nfrom dashboard.web import ui as face\nface._query('x')\ndashboard.web.ui._kpis()\n"
    )
    assert check_private_names(Source("dashboard/devtools/bench.py", through)) == [
        "dashboard/devtools/bench.py:3: uses the private name _query of face",
        "dashboard/devtools/bench.py:4: uses the private name _kpis of dashboard",
    ]
    assert check_private_names(Source("dashboard/web/ui.py", "import polars as pl\npl._x\nself._y\n")) == []
    assert check_private_names(Source("dashboard/web/ui.py", "from dashboard import __version__\n")) == []
    assert check_private_names(Source("tests/test_x.py", "from dashboard.web.ui import _query\n")) == []


def test_a_long_module_without_a_reason_fails():
    body = "x = 1\n" * MAX_LINES
    assert check_size(Source("dashboard/engine/big.py", '"""Big."""\n' + body)) == [
        f"dashboard/engine/big.py: {MAX_LINES + 1} lines (> {MAX_LINES}) and no `Long:` line in its docstring saying why"
    ]
    assert check_size(Source("dashboard/engine/big.py", body + "x = 2\n")) != []  # no docstring at all
    reason = '"""Big.\n\nLong: one table of every KPI, kept together for review.\n"""\n'
    assert check_size(Source("dashboard/engine/big.py", reason + body)) == []
    assert check_size(Source("dashboard/engine/small.py", body)) == []  # MAX_LINES is allowed
    assert check_size(Source("pages/leaders/big.py", '"""Big."""\n' + body)) == []  # pages are not checked
