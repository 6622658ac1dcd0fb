"""`python -m dashboard serve`: start the Streamlit app in this process, or several behind nginx (web/workers.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dashboard.config import ROOT

DEFAULT_PORT = 8501
# Flags every start gets, wherever it is started from (Streamlit reads .streamlit/config.toml from the cwd only):
# no CSV export or copy from a table's toolbar, so data leaves only through the audited download buttons.
SERVER_FLAGS = ("--client.disableDataExport", "true")
SHOW_ERROR_DETAILS = "none"  # also in .streamlit/config.toml
# Options a server runs with unless .streamlit/config.toml or the environment sets them (both are in config.toml
# too, which Streamlit reads from the working directory only):
PRODUCTION_DEFAULTS = {
    # Streamlit runs a full garbage collection (gc.collect(2)) after every script run: with the caches' objects in
    # the heap that was half of a warm page run's CPU (py-spy, docs/performance.md). Python's own collector still
    # runs.
    "runner.postScriptGC": "false",
    # Streamlit's source watcher: every new session walked every loaded module on the server's event loop and
    # registered a watch for each, 0.35 s per fresh tab before its page was sent (py-spy, docs/performance.md,
    # sixth pass). Sources do not change under a running server; `runOnSave` is off anyway.
    "server.fileWatcherType": "none",
}


def serve(base: Path, port: int | None = None, extra: list[str] | None = None, workers: int = 1) -> int:
    """Run `streamlit run app.py` here, with the data dir in the environment; with `workers` > 1, that many
    processes behind nginx (dashboard/web/workers.py), or this one process when nginx is missing (said so).

    Streamlit's legacy multipage mode switches on for a process whose entry script sits next to a
    `pages/` folder, until the first `st.navigation` call; the first request after a start would
    then show "Page not found" before app.py takes over. Our pages/ is routed by st.navigation,
    so the legacy mode is switched off before the server starts.
    """
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    from dashboard.access.auth import AuthConfigError
    from dashboard.i18n import t
    from dashboard.web.settings import resolve_mode

    PagesManager.uses_pages_directory = False
    os.environ["DASHBOARD_DATA_DIR"] = str(base)
    argv = ["streamlit", "run", str(ROOT / "app.py"), *SERVER_FLAGS]
    if port:
        argv += ["--server.port", str(port)]
    # Last, so no extra argument can turn it back on: no traceback or server path reaches a browser.
    sys.argv = argv + list(extra or []) + ["--client.showErrorDetails", SHOW_ERROR_DETAILS]
    # Secure by default: a login that cannot serve this data stops here, before the server starts.
    config.get_config_options()  # reads config.toml and the environment, so the cookie secret check sees them
    sys.argv += production_flags(config.is_manually_set)
    try:
        mode = resolve_mode(base)
    except AuthConfigError as refused:
        print(f"error: {t(refused.code, 'en', **refused.values)}", file=sys.stderr)
        return 1
    print(f"login mode: {mode}", file=sys.stderr)
    from dashboard.web import workers as cluster

    count, note = cluster.plan(workers, cluster.find_nginx() if workers > 1 else None)
    if note:
        print(f"serve: {note}", file=sys.stderr, flush=True)
    if count > 1:
        address = str(config.get_option("server.address") or "") or None
        public_port = port or int(config.get_option("server.port") or DEFAULT_PORT)
        return cluster.run_cluster(base, public_port, count, cluster.find_nginx(), address)
    # The `all` database ready before the first page asks (issue 11), built while the page libraries load: the
    # build is mostly DuckDB's, which lets go of the GIL, the imports are Python's (docs/performance.md, sixth pass).
    preload(DATABASE_LIBRARIES)
    from dashboard.config import data_dir
    from dashboard.engine.db import warm_all

    warm_all(data_dir())
    preload(PAGE_LIBRARIES)
    try:
        cli.main()
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


def production_flags(is_manually_set) -> list[str]:
    """The command-line flags of PRODUCTION_DEFAULTS that the configuration leaves unset."""
    return [
        flag
        for option, value in PRODUCTION_DEFAULTS.items()
        if not is_manually_set(option)
        for flag in (f"--{option}", value)
    ]


# Libraries only: our modules with Streamlit caches must be imported once the runtime runs. What building a database
# imports comes first, so that the thread building `all` imports nothing while the others load.
DATABASE_LIBRARIES = ("duckdb", "pyarrow", "polars")
PAGE_LIBRARIES = (
    "pandas",
    "pandas.io.formats.style",
    "xlsxwriter",
    "plotly.graph_objects",
    "plotly.io",
    "pydantic",
    "yaml",
)


def preload(names: tuple[str, ...] = DATABASE_LIBRARIES + PAGE_LIBRARIES) -> None:
    """Import what pages need, here, before sessions run pages in threads of their own. Many sessions' first runs
    at once otherwise import the same libraries concurrently, and some get a half-initialised module (pandas
    through Plotly: "partially initialized module 'pandas' has no attribute 'Series'"; found by
    `python -m dashboard loadtest` at 30 sessions)."""
    import importlib

    for name in names:
        importlib.import_module(name)
