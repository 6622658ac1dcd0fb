"""Profile a warm run of each leader page: `python -m dashboard.devtools.profile --data-dir DIR [--runs 5]`.

Each page is opened once in an AppTest session of app.py (cold: queries run and their results are cached), then
run again `--runs` times in the same session (warm: every query and KPI table comes from the result caches, as for
the second leader who opens the page). The warm runs' script thread is profiled with cProfile on that thread's CPU
time (`time.thread_time`: other processes on a shared machine do not inflate it); printed per page: the mean CPU
seconds of a warm run's script (without cProfile's own cost, measured on separate runs), and the functions with
the largest cumulative time (`--top N` lines). `--out DIR` also writes each page's stats (pstats) there.
AppTest compiles the page scripts again on every run (a server keeps them compiled): `script_cache` lines in the
profile are AppTest's, not the server's.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import time
from pathlib import Path

from dashboard.config import ROOT

LEADER_PAGES = ("overview", "sharing", "reuse", "quality", "roadmap", "governance")


def profile_pages(
    base: Path,
    pages=LEADER_PAGES,
    runs: int = 5,
    query: dict | None = None,
    today: dt.date | None = None,
) -> dict[str, tuple[float, pstats.Stats]]:
    """For each page: (mean CPU seconds of a warm run's script thread, the cProfile stats of other warm runs)."""
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    os.environ["DASHBOARD_DATA_DIR"] = str(base)
    if today:
        os.environ["DASHBOARD_TODAY"] = today.isoformat()
    holder: dict = {"profile": None, "cpu": []}
    original = LocalScriptRunner._run_script_thread

    def profiled(self) -> None:  # the script runs in this thread: profile it there
        profile, started = holder["profile"], time.thread_time()
        if profile is None:
            try:
                return original(self)
            finally:
                holder["cpu"].append(time.thread_time() - started)
        profile.enable()
        try:
            return original(self)
        finally:
            profile.disable()

    LocalScriptRunner._run_script_thread = profiled
    out = {}
    try:
        for page in pages:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.query_params.update(query or {"lang": "vi", "period": "last_4_weeks", "scope": "all"})
            at.switch_page(f"pages/leaders/{page}.py")
            at.run()  # cold: fills the caches
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].message}")
            at.run()  # one more run: lazy imports and first-use costs out of the way
            holder["cpu"] = []
            for _ in range(runs):
                at.run()
            cpu = sum(holder["cpu"]) / runs
            profile = cProfile.Profile(time.thread_time)
            holder["profile"] = profile
            for _ in range(runs):
                at.run()
            holder["profile"] = None
            out[page] = (cpu, pstats.Stats(profile))
    finally:
        LocalScriptRunner._run_script_thread = original
    return out


def top_lines(stats: pstats.Stats, n: int, sort: str = "cumulative") -> str:
    buffer = io.StringIO()
    stats.stream = buffer
    stats.sort_stats(sort).print_stats(n)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dashboard.devtools.profile", description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--pages", default=",".join(LEADER_PAGES))
    p.add_argument("--today", type=dt.date.fromisoformat, default=None)
    p.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    p.add_argument("--out", default=None, help="write <page>.pstats here")
    args = p.parse_args(argv)
    pages = [x.strip() for x in args.pages.split(",") if x.strip()]
    results = profile_pages(Path(args.data_dir).resolve(), pages, args.runs, today=args.today)
    for page, (seconds, stats) in results.items():
        print(f"==== {page}: warm run {seconds:.3f} s of CPU (mean of {args.runs}, without cProfile)")
        print(top_lines(stats, args.top, args.sort))
        if args.out:
            Path(args.out).mkdir(parents=True, exist_ok=True)
            stats.dump_stats(str(Path(args.out) / f"{page}.pstats"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
