"""`python -m dashboard loadtest`: many simulated sessions against a real server, over Streamlit's own protocol.

A simulated session is what a browser tab is to the server: one websocket on `/_stcore/stream` that sends
`BackMsg.rerun_script` (the page's name and the URL's query string, as the frontend does) and reads `ForwardMsg`s
until `script_finished`. No browser runs, so the server is what gets measured. The time of a page is from the
request to the script's finish; an error is a failed connection, a timeout, a page not found, a script that does
not finish, or an exception or error box (`st.exception`, `st.error`) in what the page drew.

The same pieces serve the end-to-end tests (tests/e2e): `Server` starts `python -m dashboard serve` on a free
port and stops it, `app_pages` reads the navigation the app offers, `Session` opens pages.

`cpu ms/req` is the CPU time the server's processes used during a phase, per request: unlike the wall times, other
work on a shared machine does not inflate it. `--workers 1,2` measures the same sessions against `serve --workers 1`
(one process) and `serve --workers 2` (two processes behind nginx, dashboard/web/workers.py) in the same run; peak
memory is then the sum of every process's peak (the supervisor, nginx and the workers).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.config import ROOT
from dashboard.devtools.procs import (  # noqa: F401 - part of this module's face (tests, e2e)
    descendants,
    peak_memory_bytes,
    tree_cpu_seconds,
    tree_peak_memory_bytes,
)

DEMO_UNTIL = dt.date(2025, 9, 30)  # demo data ends here; the server's "today" then gives the default period data
DEFAULT_PAGES = ("overview", "sharing", "quality")
DEFAULT_QUERY = "lang=vi&period=last_4_weeks&scope=all"
TARGET_P95_WARM_S = 1.0  # at 10 sessions, warm caches (issue 8)
PAGE_TIMEOUT_S = 120.0  # a page not finished by then counts as an error (a frozen server never finishes)


# ---- the server --------------------------------------------------------------------------------------------


def free_port() -> int:
    """A port nobody listens on right now (the system picks it), on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m dashboard serve` on 127.0.0.1 and a free port, in a child process; a context manager.

    `today` fixes the server's date (DASHBOARD_TODAY) so that the default period has data; `script` serves
    another Streamlit script instead of the app (`streamlit run`), e.g. a one-metric page to compare with;
    `unset` names environment variables the server must not inherit; `workers` is `serve --workers` (more than 1:
    processes behind nginx, or one process when nginx is missing)."""

    def __init__(
        self,
        base: Path | None,
        *,
        port: int | None = None,
        today: dt.date | None = None,
        env: dict[str, str] | None = None,
        script: Path | None = None,
        log: Path | None = None,
        unset: Sequence[str] = (),
        workers: int = 1,
    ) -> None:
        self.base, self.port, self.today, self.script = base, port or free_port(), today, script
        self.workers = workers
        self.extra_env, self.unset = dict(env or {}), tuple(unset)
        self.log = log
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/_stcore/stream"

    def environment(self) -> dict[str, str]:
        env = {
            **{k: v for k, v in os.environ.items() if k not in self.unset},
            "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",  # loopback only
            "STREAMLIT_SERVER_HEADLESS": "true",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
            "STREAMLIT_SERVER_RUN_ON_SAVE": "false",
            "PYTHONUNBUFFERED": "1",
        }
        if self.today:
            env["DASHBOARD_TODAY"] = self.today.isoformat()
        return {**env, **self.extra_env}

    def command(self) -> list[str]:
        if self.script is not None:
            return [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(self.port)]
        serve = [sys.executable, "-m", "dashboard", "serve", "--data-dir", str(self.base), "--port", str(self.port)]
        return [*serve, "--workers", str(self.workers)]

    def start(self, timeout_s: float = 90.0) -> Server:
        if self.log:
            self._log_file = open(self.log, "ab")  # noqa: SIM115 - closed in stop()
        out = self._log_file or subprocess.DEVNULL
        self.proc = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.environment(), stdout=out, stderr=subprocess.STDOUT, stdin=None
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped at start (exit {self.proc.returncode}); log: {self.log}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as ok:
                if ok.status == 200:
                    return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not answer on {self.url} within {timeout_s:.0f} s; log: {self.log}")

    def peak_memory_bytes(self) -> int | None:
        return tree_peak_memory_bytes(self.proc.pid) if self.proc else None

    def cpu_seconds(self) -> float | None:
        return tree_cpu_seconds(self.proc.pid) if self.proc else None

    def stop(self) -> None:
        """Stop the child (only the process this object started)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---- one simulated session ----------------------------------------------------------------------------------


@dataclass
class PageRun:
    """One page request of one session: how long until the script finished, and what went wrong."""

    page: str
    seconds: float
    problems: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown, headings and metric values drawn, in order


@dataclass(frozen=True)
class AppPageInfo:
    url_path: str
    title: str
    section: str
    hidden: bool
    default: bool


def _rerun(page: str, query: str):
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page  # the URL path, as the frontend sends it on a fresh tab
    msg.rerun_script.page_script_hash = ""
    return msg.SerializeToString()


class Session:
    """One websocket session, like one browser tab: `await s.run(page)`, then `await s.close()`."""

    def __init__(self, ws_url: str, timeout_s: float = PAGE_TIMEOUT_S) -> None:
        self.ws_url, self.timeout_s = ws_url, timeout_s
        self.ws = None
        self.navigation = None  # the last Navigation message: the pages the app offers

    async def open(self) -> Session:
        from websockets.asyncio.client import connect

        self.ws = await connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout_s, ping_interval=None
        )
        return self

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    async def run(self, page: str, query: str = DEFAULT_QUERY, keep_text: bool = False) -> PageRun:
        """Ask for a run of `page` (its URL path) and read until the script finishes."""
        started = time.perf_counter()
        run = PageRun(page, 0.0)
        try:
            await self.ws.send(_rerun(page, query))
            await asyncio.wait_for(self._read_until_finished(run, keep_text), self.timeout_s)
        except TimeoutError:
            run.problems.append(f"timeout: no script_finished within {self.timeout_s:.0f} s")
        except Exception as exc:  # noqa: BLE001 - a broken connection is an error of this request
            run.problems.append(f"{type(exc).__name__}: {exc}")
        run.seconds = time.perf_counter() - started
        return run

    async def _read_until_finished(self, run: PageRun, keep_text: bool) -> None:
        from streamlit.proto.Alert_pb2 import Alert
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        detail_next = False
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    run.problems.append(f"exception: {element.exception.type}: {element.exception.message}")
                elif which == "alert" and element.alert.format == Alert.ERROR:
                    run.problems.append(f"error box: {element.alert.body}")
                    detail_next = True
                elif which == "code" and detail_next:  # ui.part's detail under its error box: the exception
                    run.problems[-1] += f" [{element.code.code_text.strip()[:300]}]"
                    detail_next = False
                elif keep_text:
                    text = _element_text(element, which)
                    if text:
                        run.texts.append(text)
            elif kind == "navigation":
                self.navigation = msg.navigation
            elif kind == "page_not_found":
                run.problems.append(f"page not found: {msg.page_not_found.page_name or run.page}")
            elif kind == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    run.problems.append("the script did not compile")
                if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:  # a rerun follows: read on
                    return


def _element_text(element, which: str | None) -> str:
    if which == "markdown":
        return element.markdown.body
    if which == "heading":
        return element.heading.body
    if which == "metric":
        return f"{element.metric.label}: {element.metric.body}"
    return ""


def _pages_from(navigation) -> list[AppPageInfo]:
    out, section = [], ""
    for page in navigation.app_pages:
        section = page.section_header or section  # set on the first page of each section
        out.append(AppPageInfo(page.url_pathname, page.page_name, section, page.is_hidden, page.is_default))
    return out


async def _app_pages(ws_url: str, query: str) -> list[AppPageInfo]:
    session = await Session(ws_url).open()
    try:
        run = await session.run("", query)
        if run.problems or session.navigation is None:
            raise RuntimeError(f"the app's first page failed: {run.problems or 'no navigation message'}")
        return _pages_from(session.navigation)
    finally:
        await session.close()


def _run(make_coroutine):
    """Run a coroutine to its end, also from a thread whose event loop is busy (e.g. under Playwright's sync API)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def app_pages(ws_url: str, query: str = DEFAULT_QUERY) -> list[AppPageInfo]:
    """The pages the app's navigation offers to a fresh session (hidden ones included, flagged)."""
    return _run(lambda: _app_pages(ws_url, query))


def open_pages(
    ws_url: str,
    pages: Sequence[str],
    query: str = DEFAULT_QUERY,
    keep_text: bool = False,
    timeout_s: float = PAGE_TIMEOUT_S,
) -> list[PageRun]:
    """Each page in a fresh session of its own, one after the other."""

    async def each() -> list[PageRun]:
        runs = []
        for page in pages:
            session = await Session(ws_url, timeout_s).open()
            try:
                runs.append(await session.run(page, query, keep_text))
            finally:
                await session.close()
        return runs

    return _run(each)


# ---- many sessions ---------------------------------------------------------------------------------------------


@dataclass
class Phase:
    """N sessions at once, each opening the pages one after the other in its own websocket."""

    sessions: int
    caches: str  # cold | warm
    runs: list[PageRun]
    wall_seconds: float
    peak_memory_bytes: int | None = None
    workers: int = 1
    server_cpu_seconds: float | None = None  # CPU time the server (all its processes) used during the phase

    @property
    def errors(self) -> list[str]:
        return [f"{r.page}: {p}" for r in self.runs for p in r.problems]

    def percentile(self, q: float) -> float:
        return percentile([r.seconds for r in self.runs], q)

    def summary(self) -> dict:
        by_page = {}
        for page in dict.fromkeys(r.page for r in self.runs):
            times = [r.seconds for r in self.runs if r.page == page]
            by_page[page] = {"p50_s": round(percentile(times, 50), 3), "p95_s": round(percentile(times, 95), 3)}
        return {
            "sessions": self.sessions,
            "caches": self.caches,
            "requests": len(self.runs),
            "errors": len(self.errors),
            "p50_s": round(self.percentile(50), 3),
            "p95_s": round(self.percentile(95), 3),
            "max_s": round(max((r.seconds for r in self.runs), default=0.0), 3),
            "wall_s": round(self.wall_seconds, 3),
            "peak_memory_mib": round(self.peak_memory_bytes / 2**20) if self.peak_memory_bytes else None,
            "workers": self.workers,
            "server_cpu_ms_per_request": round(1000 * self.server_cpu_seconds / len(self.runs))
            if self.server_cpu_seconds and self.runs
            else None,
            "by_page": by_page,
            "first_errors": self.errors[:5],
        }


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile, interpolated between the closest ranks (q=50: the median)."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[int(q) - 1]


async def _phase(
    ws_url: str, pages: Sequence[str], sessions: int, query: str, timeout_s: float, spread_s: float = 0.0
) -> tuple[list[PageRun], float]:
    async def one(i: int) -> list[PageRun]:
        await asyncio.sleep(spread_s * i / max(sessions - 1, 1))  # arrivals evenly over the spread; 0: all at once
        try:
            session = await Session(ws_url, timeout_s).open()
        except Exception as exc:  # noqa: BLE001 - a refused connection is an error of every request it carried
            return [PageRun(p, 0.0, [f"connect: {type(exc).__name__}: {exc}"]) for p in pages]
        try:
            return [await session.run(page, query) for page in pages]
        finally:
            await session.close()

    started = time.perf_counter()
    results = await asyncio.gather(*(one(i) for i in range(sessions)))
    return [r for runs in results for r in runs], time.perf_counter() - started


def run_phase(
    server: Server,
    pages: Sequence[str],
    sessions: int,
    caches: str,
    query: str = DEFAULT_QUERY,
    timeout_s: float = PAGE_TIMEOUT_S,
    spread_s: float = 0.0,
) -> Phase:
    cpu_before = server.cpu_seconds()
    runs, wall = _run(lambda: _phase(server.ws_url, pages, sessions, query, timeout_s, spread_s))
    cpu_after = server.cpu_seconds()
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return Phase(sessions, caches, runs, wall, server.peak_memory_bytes(), server.workers, cpu)


def load_test(
    base: Path,
    sessions: Sequence[int],
    pages: Sequence[str] = DEFAULT_PAGES,
    *,
    today: dt.date | None = None,
    query: str = DEFAULT_QUERY,
    log: Path | None = None,
    out=None,
    timeout_s: float = PAGE_TIMEOUT_S,
    spread_s: float = 0.0,
    workers: Sequence[int] = (1,),
) -> list[Phase]:
    """For each worker count and session count: a fresh server (cold caches), the sessions once, then once more
    (warm)."""
    phases = []
    for count in workers:
        for n in sessions:
            with Server(base, today=today, log=log, workers=count) as server:  # a fresh server: nothing cached
                for caches in ("cold", "warm"):  # a page missing from the app counts as "page not found" errors
                    phase = run_phase(server, pages, n, caches, query, timeout_s, spread_s)
                    phases.append(phase)
                    print(_row(phase.summary()), file=out or sys.stdout, flush=True)
    return phases


# ---- the command ------------------------------------------------------------------------------------------------

_HEADER = f"{'sessions':>8} {'caches':>6} {'requests':>8} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} "
_HEADER += f"{'wall s':>7} {'peak MiB':>8} {'workers':>7} {'cpu ms/req':>10}"


def _row(s: dict) -> str:
    mem = s["peak_memory_mib"] if s["peak_memory_mib"] is not None else "?"
    return (
        f"{s['sessions']:>8} {s['caches']:>6} {s['requests']:>8} {s['errors']:>6} {s['p50_s']:>7.2f} "
        f"{s['p95_s']:>7.2f} {s['max_s']:>7.2f} {s['wall_s']:>7.1f} {mem:>8} {s['workers']:>7} "
        f"{s['server_cpu_ms_per_request'] if s['server_cpu_ms_per_request'] is not None else '?':>10}"
    )


def cache_dir() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "dashboard" / "loadtest"


def _has_data(base: Path) -> bool:
    return any((base / "curated").glob("**/*.parquet"))


def demo_data(base: Path | None, scale: float, until: dt.date = DEMO_UNTIL) -> tuple[Path, bool]:
    """The data dir to serve, and whether it holds demo data made here (then its "today" is `until`).

    A given data dir with data is served as it is; an empty or new one, or none given (a cache folder per
    scale), gets demo data until `until` at `scale`."""
    if base is None:
        base = cache_dir() / f"demo-scale-{scale:g}-until-{until.isoformat()}"
    if _has_data(base):
        return base, False
    from dashboard.data.demo import generate

    print(f"Generating demo data (scale {scale:g}) into {base} ...", flush=True)
    staging = Path(tempfile.mkdtemp(prefix=".loadtest-", dir=base.parent if base.parent.exists() else None))
    generate(staging, scale=scale, until=until, progress=False)
    base.mkdir(parents=True, exist_ok=True)
    (staging / "curated").rename(base / "curated")
    with contextlib.suppress(OSError):
        staging.rmdir()
    return base, True


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
        mem = f", {kib / 2**20:.0f} GiB"
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}){mem}, {system}"


def run_loadtest_command(args) -> int:
    """Prints the table; exit 0 when the targets hold (no errors at the largest count, p95 at 10 warm), else 1."""
    sessions = [int(n) for n in str(args.sessions).split(",") if n.strip()]
    pages = [p.strip() for p in str(args.pages).split(",") if p.strip()]
    workers = [int(n) for n in str(getattr(args, "workers", "1")).split(",") if n.strip()]
    base, generated = demo_data(Path(args.data_dir).expanduser().resolve() if args.data_dir else None, args.scale)
    today = args.today or (DEMO_UNTIL if generated or "demo-scale-" in base.name else None)
    spread = getattr(args, "spread", 0.0)
    arrival = f"arriving evenly over {spread:g} s" if spread else "all at once"
    print(f"Data: {base}; pages: {', '.join(pages)}; sessions: {', '.join(map(str, sessions))}, {arrival}")
    print(f"Workers: {', '.join(map(str, workers))} (serve --workers; more than 1: processes behind nginx)")
    print(f"Machine: {machine()}; {dt.datetime.now().isoformat(timespec='minutes')}")
    print(_HEADER)
    log = Path(args.log) if args.log else None
    phases = load_test(
        base,
        sessions,
        pages,
        today=today,
        log=log,
        timeout_s=getattr(args, "timeout", PAGE_TIMEOUT_S),
        spread_s=getattr(args, "spread", 0.0),
        workers=workers,
    )
    failed = []
    largest = max(sessions)
    errors = [e for p in phases if p.sessions == largest for e in p.errors]
    if errors:
        failed.append(f"{len(errors)} errors at {largest} sessions, first: {errors[0]}")
    checked = [f"no errors at {largest} sessions"]
    for p in phases:
        if p.sessions == 10 and p.caches == "warm":
            checked.append(f"p95 <= {TARGET_P95_WARM_S} s at 10 sessions, warm caches, {p.workers} worker(s)")
            if p.percentile(95) > TARGET_P95_WARM_S:
                failed.append(
                    f"p95 {p.percentile(95):.2f} s > {TARGET_P95_WARM_S} s at 10 sessions, warm caches, "
                    f"{p.workers} worker(s)"
                )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "date": dt.datetime.now().isoformat(timespec="seconds"),
                    "machine": machine(),
                    "data_dir": str(base),
                    "pages": pages,
                    "spread_s": spread,
                    "workers": workers,
                    "phases": [p.summary() for p in phases],
                    "targets_missed": failed,
                },
                indent=1,
            )
        )
    for line in failed:
        print(f"Target missed: {line}")
    if not failed:
        print(f"Targets met: {'; '.join(checked)}.")
    return 1 if failed else 0
