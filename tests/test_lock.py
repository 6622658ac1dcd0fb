"""The locks agree with pyproject.toml, and pyproject.toml declares what the code imports.

requirements.txt locks [project].dependencies and requirements-dev.txt the dev group (`make lock` writes both from
pyproject.toml): every declared dependency is pinned there at a version its declaration allows, every pin carries
its hashes, no index host is named, and a package in both locks has one version and one set of hashes. Every
third-party module that dashboard/, app.py and pages/ import (and, for the dev group, tests/) is declared.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")
OPTIONAL_GUARDS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Pin:
    version: str
    marker: str | None
    hashes: set[str] = field(default_factory=set)


def read_lock(text: str, label: str) -> tuple[dict[str, Pin], list[str]]:
    """A pip requirements file written with hashes: {name: Pin} and what is wrong with its form."""
    pins: dict[str, Pin] = {}
    problems: list[str] = []
    current: Pin | None = None
    if "://" in text:
        problems.append(f"{label} names a URL (an index host?)")
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip().removesuffix("\\").strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash"):
            if current is None or not HASH.match(line):
                problems.append(f"{label}: stray or malformed {line!r}")
            else:
                current.hashes.add(line)
            continue
        if line.startswith("-"):
            problems.append(f"{label}: option line {line!r} (a lock holds pins and hashes only)")
            current = None
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
            problems.append(f"{label}: {line!r} is not pinned to one version")
            current = None
            continue
        name = normal(req.name)
        if name in pins and pins[name].marker == (str(req.marker) if req.marker else None):
            problems.append(f"{label}: {name} pinned twice")
        current = pins[name] = Pin(specs[0].version, str(req.marker) if req.marker else None)
    problems += [f"{label}: {name}=={pin.version} has no --hash" for name, pin in pins.items() if not pin.hashes]
    return pins, problems


def lock_problems(project: dict, runtime_text: str, dev_text: str) -> list[str]:
    """Where the two locks and the pyproject.toml declarations disagree (empty when they agree)."""
    runtime, problems = read_lock(runtime_text, "requirements.txt")
    dev, dev_problems = read_lock(dev_text, "requirements-dev.txt")
    problems += dev_problems
    declared = [(d, runtime, "requirements.txt") for d in project["project"].get("dependencies", [])]
    declared += [(d, dev, "requirements-dev.txt") for d in project.get("dependency-groups", {}).get("dev", [])]
    if not project.get("dependency-groups", {}).get("dev"):
        problems.append("pyproject.toml has no [dependency-groups] dev")
    for text, pins, label in declared:
        req = Requirement(text)
        pin = pins.get(normal(req.name))
        if pin is None:
            problems.append(f"{req.name} is declared ({text}) but not pinned in {label}")
        elif not req.specifier.contains(Version(pin.version), prereleases=True):
            problems.append(f"{label} pins {req.name}=={pin.version}, outside the declared {text}")
    for name in sorted(runtime.keys() & dev.keys()):
        a, b = runtime[name], dev[name]
        if (a.version, a.hashes) != (b.version, b.hashes):
            problems.append(
                f"{name}: requirements.txt has {a.version}, requirements-dev.txt {b.version} (or other hashes)"
            )
    return problems


def _is_optional(handlers: list[ast.ExceptHandler]) -> bool:
    """A try whose handlers catch a failed import: what it imports is optional."""
    for handler in handlers:
        if handler.type is None:
            return True
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(isinstance(t, ast.Name) and t.id in OPTIONAL_GUARDS for t in types):
            return True
    return False


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules a source imports for sure (not inside a try that survives an ImportError),
    counting importlib.import_module("name") with a literal name."""
    found: set[str] = set()

    def visit(node: ast.AST, optional: bool) -> None:
        if isinstance(node, ast.Try | ast.TryStar):
            guarded = optional or _is_optional(node.handlers)
            for child in node.body:
                visit(child, guarded)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, optional)
            return
        if not optional:
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child, optional)

    visit(ast.parse(source), False)
    return found


def undeclared_imports(
    sources: dict[str, str], declared: list[str], local: set[str], distributions: dict[str, list[str]]
) -> dict[str, list[str]]:
    """{module: [files]} for third-party modules whose distribution is not among the declared requirements."""
    names = {normal(Requirement(d).name) for d in declared}
    missing: dict[str, list[str]] = {}
    for path, source in sorted(sources.items()):
        for module in sorted(imported_modules(source)):
            if module in sys.stdlib_module_names or module in local or module == "__future__":
                continue
            if not {normal(d) for d in distributions.get(module, [])} & names:
                missing.setdefault(module, []).append(path)
    return missing


def _sources(*parts: str) -> dict[str, str]:
    files: list[Path] = []
    for part in parts:
        path = ROOT / part
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return {str(f.relative_to(ROOT)): f.read_text(encoding="utf-8") for f in files}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _locks() -> tuple[str, str]:
    return tuple((ROOT / name).read_text(encoding="utf-8") for name in ("requirements.txt", "requirements-dev.txt"))


# ---- the repository -----------------------------------------------------------------------------------------------


def test_locks_agree_with_pyproject():
    assert lock_problems(_project(), *_locks()) == []


def test_the_test_environment_is_the_locked_one():
    """The tests run on the locked versions (what `make test` and .ci/run install)."""
    drift = []
    for text, label in zip(_locks(), ("requirements.txt", "requirements-dev.txt")):
        pins, _ = read_lock(text, label)
        for name, pin in pins.items():
            if pin.marker and not Marker(pin.marker).evaluate():
                continue
            try:
                installed = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                installed = None
            if installed is None or Version(installed) != Version(pin.version):
                drift.append(f"{name}: locked {pin.version}, installed {installed}")
    assert drift == []


def test_app_imports_are_declared():
    """Every third-party module that the app and its commands import is a declared runtime dependency."""
    sources = _sources("dashboard", "app.py", "pages")
    assert len(sources) > 50
    found = undeclared_imports(
        sources, _project()["project"]["dependencies"], {"dashboard"}, importlib.metadata.packages_distributions()
    )
    assert found == {}


def test_test_imports_are_declared():
    """What the tests import is declared, at runtime or in the dev group."""
    project = _project()
    sources = _sources("tests")
    local = {Path(path).stem for path in sources} | {"dashboard"}
    declared = project["project"]["dependencies"] + project["dependency-groups"]["dev"]
    assert undeclared_imports(sources, declared, local, importlib.metadata.packages_distributions()) == {}


# ---- the checks can fail ------------------------------------------------------------------------------------------

H1, H2 = "--hash=sha256:" + "1" * 64, "--hash=sha256:" + "2" * 64
SYNTHETIC = {
    "project": {"dependencies": ["duckdb==2.0.1", "polars>=2,<3", "streamlit[auth]==1.67.0"]},
    "dependency-groups": {"dev": ["pytest==9.2.0"]},
}
GOOD_RUNTIME = f"""# made by make lock
duckdb==2.0.1 \\
    {H1} \\
    {H2}
    # via data-strategy-dashboard (pyproject.toml)
polars==2.1.0 \\
    {H1}
Streamlit==1.67.0 \\
    {H2}
watchdog==7.1.0 ; sys_platform != 'darwin' \\
    {H1}
packaging==26.4 \\
    {H1}
"""
GOOD_DEV = f"pytest==9.2.0 \\\n    {H2}\npackaging==26.4 \\\n    {H1}\n"


def test_synthetic_locks_that_agree_pass():
    assert lock_problems(SYNTHETIC, GOOD_RUNTIME, GOOD_DEV) == []


def test_a_version_outside_the_declaration_fails():
    runtime = GOOD_RUNTIME.replace("duckdb==2.0.1", "duckdb==2.0.0").replace("polars==2.1.0", "polars==3.0.0")
    problems = lock_problems(SYNTHETIC, runtime, GOOD_DEV)
    assert problems == [
        "requirements.txt pins duckdb==2.0.0, outside the declared duckdb==2.0.1",
        "requirements.txt pins polars==3.0.0, outside the declared polars>=2,<3",
    ]


def test_a_missing_pin_or_hash_fails():
    runtime = GOOD_RUNTIME.replace(f"polars==2.1.0 \\\n    {H1}\n", "polars==2.1.0\n")
    runtime = runtime.replace(f"Streamlit==1.67.0 \\\n    {H2}\n", "")
    problems = lock_problems(SYNTHETIC, runtime, "packaging==26.4 \\\n    " + H1 + "\n")
    assert problems == [
        "requirements.txt: polars==2.1.0 has no --hash",
        "streamlit is declared (streamlit[auth]==1.67.0) but not pinned in requirements.txt",
        "pytest is declared (pytest==9.2.0) but not pinned in requirements-dev.txt",
    ]


def test_unpinned_lines_index_hosts_and_split_versions_fail():
    runtime = "--index-url https://mirror.example.org/simple\n" + GOOD_RUNTIME.replace("duckdb==2.0.1", "duckdb>=2.0.1")
    dev = GOOD_DEV.replace("packaging==26.4", "packaging==26.3")
    problems = lock_problems(SYNTHETIC, runtime, dev)
    assert problems[0] == "requirements.txt names a URL (an index host?)"
    assert (
        "requirements.txt: option line '--index-url https://mirror.example.org/simple' (a lock holds pins and "
        "hashes only)" in problems
    )
    assert "requirements.txt: 'duckdb>=2.0.1' is not pinned to one version" in problems
    assert "duckdb is declared (duckdb==2.0.1) but not pinned in requirements.txt" in problems
    assert "packaging: requirements.txt has 26.4, requirements-dev.txt 26.3 (or other hashes)" in problems


def test_an_undeclared_import_fails_and_an_optional_one_does_not():
    sources = {
        "dashboard/a.py": "import duckdb\nfrom yaml import safe_load\nimport os, json\nfrom dashboard import cli\n",
        "dashboard/b.py": "def f():\n    import pygments.lexers\n",
        "dashboard/c.py": "try:\n    import psutil\nexcept ImportError:\n    psutil = None\n",
        "dashboard/d.py": "import importlib\nmod = importlib.import_module('authlib.jose')\n",
        "dashboard/e.py": "try:\n    import numpy\nexcept ValueError:\n    pass\n",
    }
    distributions = {
        "duckdb": ["duckdb"],
        "yaml": ["PyYAML"],
        "pygments": ["Pygments"],
        "authlib": ["Authlib"],
        "numpy": ["numpy"],
    }
    found = undeclared_imports(sources, ["duckdb==2.0.1", "pyyaml==6.0.4"], {"dashboard"}, distributions)
    assert found == {"authlib": ["dashboard/d.py"], "numpy": ["dashboard/e.py"], "pygments": ["dashboard/b.py"]}
    # a module that no installed distribution provides is undeclared too
    assert undeclared_imports({"x.py": "import notinstalled\n"}, ["duckdb"], set(), {}) == {"notinstalled": ["x.py"]}
