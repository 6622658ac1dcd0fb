"""Command line: python -m dashboard <command> ... (every command takes --data-dir)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap

from dashboard import __version__
from dashboard.config import data_dir
from dashboard.data.shrink import MAX_QUARANTINE, MAX_SHRINK, percent
from dashboard.i18n import DEFAULT_LANG, LANGS
from dashboard.period import PRESETS
from dashboard.scope import Scope
from dashboard.weekly.snapshot import FORMATS

EXAMPLES = {  # shown under each command's --help
    "check": "python -m dashboard check --data-dir /srv/extracts",
    "demo": "python -m dashboard demo --seed 1 --until 2026-11-30\npython -m dashboard demo --scale 10 --quiet\n"
    "python -m dashboard demo --weeks 12 --reports\npython -m dashboard demo --snapshots-in-background",
    "kpis": "python -m dashboard kpis --start 2026-11-01 --end 2026-11-30 --scope province:HNI --format csv",
    "pace": "python -m dashboard pace --end 2026-11-29 --scope province:HNI --format csv",
    "pages": "python -m dashboard pages check\n"
    "python -m dashboard pages check pages/phan_tich/du_lieu_chia_se_chua_khai_thac.sql --data-dir /srv/extracts",
    "curate": "python -m dashboard curate --source /srv/raw/2026-11 --data-dir /srv/extracts\n"
    "python -m dashboard curate --source /srv/raw/week-48 --mode append",
    "rollups": "python -m dashboard rollups --data-dir /srv/extracts",
    "snapshot": "python -m dashboard snapshot\n"
    "python -m dashboard snapshot --week 2026-W47 --force --formats xlsx,pdf --lang en\n"
    "python -m dashboard snapshot --report-scope province:HNI",
    "users": "python -m dashboard users add an.nguyen --role provincial --scope province:HNI\n"
    "python -m dashboard users add an@example.gov.vn --role leader --no-password\n"
    "python -m dashboard users unlock an.nguyen",
    "bench": "python -m dashboard bench --scale 10 --scopes all,province:HNI --json bench.json",
    "loadtest": "python -m dashboard loadtest --sessions 10,30,60 --workers 1,2 --scale 10 --json load.json",
    "serve": "python -m dashboard serve --data-dir /srv/extracts --port 8501 --workers 2",
}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def _positive_int(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of 1 or more: {text!r}")
    return int(text)


def _positive_ints(text: str) -> str:
    """Comma-separated whole numbers of 1 or more, e.g. 1,2."""
    return ",".join(str(_positive_int(item.strip())) for item in text.split(",") if item.strip())


def _scope(text: str) -> str:
    """all, province:CODE or agency:ID (checked here, so a typo is a usage error)."""
    try:
        return Scope.parse(text).key
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _scopes(text: str) -> str:
    return ",".join(_scope(item) for item in text.split(",") if item.strip())


def _formats(text: str) -> str:
    chosen = [item.strip().lower() for item in text.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in FORMATS]
    if unknown or not chosen:
        shown = ", ".join(repr(item) for item in unknown) or "none given"
        raise argparse.ArgumentTypeError(f"unknown format ({shown}); choose from {', '.join(FORMATS)}")
    return ",".join(chosen)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m dashboard",
        description="Data strategy dashboard tools.",
        epilog="Example:\n  python -m dashboard kpis --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        example = textwrap.indent(EXAMPLES.get(name, ""), "  ")
        sp = sub.add_parser(
            name,
            help=help_,
            description=textwrap.fill(help_, 100, break_on_hyphens=False),
            epilog=f"Example{'s' if chr(10) in example else ''}:\n{example}" if example else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sp.add_argument("--data-dir", help="data dir (default: $DASHBOARD_DATA_DIR or data/)")
        return sp

    cmd("check", "Validate <data dir>/curated against the data contract; exit 1 on any violation.")

    demo = cmd("demo", "Generate deterministic demo data into <data dir>/curated.")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    demo.add_argument("--scale", type=float, default=1.0, help="multiplies fact rows and bodies (default 1)")
    demo.add_argument("--until", type=_date, default=None, help="last day of daily facts (default: today)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.add_argument(
        "--weeks",
        type=int,
        default=8,
        help="then store the weekly snapshots (kpis.parquet, manifest.json) of the last N complete weeks of the "
        "data, as `snapshot --force` would (default 8; 0: none)",
    )
    demo.add_argument("--reports", action="store_true", help="with those snapshots, their XLSX, HTML and PDF reports")
    demo.add_argument(
        "--snapshots-in-background",
        action="store_true",
        help="store the snapshots in a background process once the data is written, so the app can start at once "
        "(`make run`); its output goes to <data dir>/snapshots/demo-snapshots.log",
    )
    demo.add_argument("--snapshots-only", action="store_true", help=argparse.SUPPRESS)  # the background process

    kpis = cmd("kpis", "Print the KPI table for a period and scope.")
    kpis.add_argument("--start", type=_date, required=True, help="first day of the period (YYYY-MM-DD)")
    kpis.add_argument("--end", type=_date, required=True, help="last day of the period (YYYY-MM-DD)")
    kpis.add_argument("--scope", type=_scope, default="all", help="all, province:CODE or agency:ID (default all)")
    kpis.add_argument("--format", choices=("table", "csv", "json"), default="table")
    kpis.add_argument(
        "--minutes-per-dossier",
        type=float,
        default=None,
        help="minutes saved per reusing dossier for hours_saved_estimate (default 15)",
    )
    pace = cmd(
        "pace",
        "Print the pace to 2030 of every KPI with a target (kpi_targets) for a scope as of a date: the target that "
        "applies, the current value, the slope per week over the last 12 complete ISO weeks, the projected value "
        "and date, the gain per week still required and the status (metrics.md).",
    )
    pace.add_argument("--end", type=_date, required=True, help="the as-of date (YYYY-MM-DD)")
    pace.add_argument("--scope", type=_scope, default="all", help="all, province:CODE or agency:ID (default all)")
    pace.add_argument("--format", choices=("table", "csv", "json"), default="table")
    pages = cmd(
        "pages",
        "Analyst SQL pages. `check`: validate every page's header, prepare its SQL against the contract's "
        "tables and run its own tests on the data (demo data when the data dir is empty); exit 1 on failure.",
    )
    pages.add_argument("action", choices=("check",), help="what to do with the pages")
    pages.add_argument("paths", nargs="*", help="page files or folders (default: every page under pages/)")
    curate = cmd(
        "curate",
        "Validate raw extracts (CSV, XLSX, Parquet; one file or folder per contract table) into <data dir>/curated; "
        "invalid rows go to <data dir>/quarantine/<run-id>/ with the reason.",
    )
    curate.add_argument("--source", required=True, help="folder of raw extracts named after the contract's tables")
    curate.add_argument(
        "--mode",
        choices=("replace", "append"),
        default="replace",
        help="replace the tables in the source (default) or append new fact rows (idempotent)",
    )
    curate.add_argument(
        "--max-shrink",
        type=percent,
        default=MAX_SHRINK,
        metavar="PERCENT",
        help="stop before the swap when a table would lose more than this share of its rows (default 20)",
    )
    curate.add_argument(
        "--max-quarantine",
        type=percent,
        default=MAX_QUARANTINE,
        metavar="PERCENT",
        help="stop before the swap when more than this share of a table's rows read is quarantined (default 5)",
    )
    curate.add_argument(
        "--accept-shrink",
        action="store_true",
        help="swap even when a table is emptied, shrinks or is quarantined beyond the thresholds",
    )
    cmd("rollups", "Rebuild the weekly rollups of <data dir>/curated from its daily facts.")
    snap = cmd(
        "snapshot",
        "Freeze one ISO week into <data dir>/snapshots/YYYY-Www/: kpis.parquet, report.xlsx, report.html, "
        "report.pdf and manifest.json. Exit 0 written, 1 failed, 2 bad arguments, 3 written but a report part "
        "failed, 4 the week exists (use --force), 5 another run holds the week.",
    )
    snap.add_argument("--week", default=None, help="ISO week, e.g. 2026-W47 (default: the last complete week)")
    snap.add_argument("--force", action="store_true", help="replace the week's existing snapshot (atomically)")
    snap.add_argument(
        "--formats", type=_formats, help=f"comma-separated, from {','.join(FORMATS)} (default all; parquet always)"
    )
    snap.add_argument("--report-scope", type=_scope, default="all", help="all (default) or province:CODE")
    snap.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="language of the report (default vi)")
    snap.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another run of the week (default 0)")
    users = cmd(
        "users",
        "Users of the password and oidc logins (<data dir>/auth/users.json or $DASHBOARD_USERS_FILE). "
        "The password is read without echo (or one line of stdin when it is not a terminal).",
    )
    users.add_argument("action", choices=("add", "remove", "list", "set-password", "unlock"))
    users.add_argument("name", nargs="?", help="user name (the e-mail address for oidc users)")
    users.add_argument("--role", choices=("leader", "provincial", "analyst", "admin"), help="role (add)")
    users.add_argument("--scope", type=_scope, help="all (default) or province:CODE (required for provincial)")
    users.add_argument("--no-password", action="store_true", help="add without a password (oidc users)")
    bench = cmd(
        "bench",
        "Time every leader page's queries (cold, warm, against the same SQL on the raw daily Parquet), memory, "
        "app start and the weekly snapshot, on demo data at --scale (generated in /tmp unless --data-dir).",
    )
    bench.add_argument("--scale", type=float, default=1.0, help="demo data scale when generating (default 1)")
    bench.add_argument(
        "--scopes",
        type=_scopes,
        default="all,province:HNI,province:smallest,agency:VPTW",
        help="comma-separated scopes (default all,province:HNI,province:smallest,agency:VPTW; province:smallest is "
        "the province with the fewest exchanges)",
    )
    bench.add_argument("--period", choices=PRESETS, default="last_4_weeks", help="period preset (default last_4_weeks)")
    bench.add_argument("--no-app", action="store_true", help="skip the app start measurement")
    bench.add_argument("--no-snapshot", action="store_true", help="skip the snapshot measurement")
    bench.add_argument("--json", default=None, help="also write the report as JSON to this path")
    bench.add_argument(
        "--compare-data-dir", default=None, help="the same demo at a smaller scale: prints each cold time's growth"
    )
    bench.add_argument("--no-fresh", action="store_true", help="skip the fresh-process measures")
    load = cmd(
        "loadtest",
        "Simulated sessions over Streamlit's websocket protocol open the overview and two other pages at once, "
        "cold and warm caches; reports p50/p95 to script finish, errors and the server's peak memory. Serves "
        "--data-dir if it holds data, else demo data at --scale (generated once into a cache folder).",
    )
    load.add_argument(
        "--workers",
        type=_positive_ints,
        default="1,2",
        help="comma-separated `serve --workers` counts, each measured in the same run (default 1,2)",
    )
    load.add_argument("--sessions", default="10,30", help="comma-separated concurrent session counts (default 10,30)")
    load.add_argument("--scale", type=float, default=10.0, help="demo data scale when generating (default 10)")
    load.add_argument("--pages", default="overview,sharing,quality", help="URL paths each session opens in turn")
    load.add_argument("--today", type=_date, default=None, help="the server's today (default: the demo's last day)")
    load.add_argument("--json", default=None, help="also write the figures as JSON to this path")
    load.add_argument("--log", default=None, help="append the server's output to this file")
    load.add_argument("--timeout", type=float, default=120.0, help="seconds before a page counts as failed (120)")
    load.add_argument(
        "--spread", type=float, default=0.0, help="sessions arrive evenly over this many seconds (default 0: at once)"
    )
    serve = cmd(
        "serve",
        "Start the dashboard (Streamlit) on the data dir: --workers processes behind nginx with sticky sessions, "
        "or one process (--workers 1, or when nginx is missing).",
    )
    serve.add_argument("--port", type=int, default=None, help="port (default 8501)")
    serve.add_argument(
        "--workers", type=_positive_int, default=None, help="Streamlit processes (default: the number of cores)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command == "pages" and not any(a.startswith("-") for a in extra):
        args.paths += extra  # page paths given after --data-dir
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    base = data_dir(args.data_dir)
    if args.command == "check":
        from dashboard.data.check import run_check

        return run_check(base)
    if args.command == "demo":
        return _demo(base, args)
    if args.command == "kpis":
        from dashboard.engine.kpis import run_kpis_command

        return run_kpis_command(base, args)
    if args.command == "pace":
        from dashboard.engine.pace import run_pace_command

        return run_pace_command(base, args)
    if args.command == "pages":
        from dashboard.sqlpages.check import run_pages_command

        return run_pages_command(args)
    if args.command == "curate":
        from dashboard.data.curate import run_curate_command
        from dashboard.data.shrink import Limits

        limits = Limits(args.max_shrink, args.max_quarantine, args.accept_shrink)
        return run_curate_command(base, args.source, args.mode, limits)
    if args.command == "rollups":
        from dashboard.data.rollups import run_rollups_command

        return run_rollups_command(base)
    if args.command == "snapshot":
        from dashboard.weekly.snapshot import run

        return run(
            base,
            args.week,
            formats=args.formats,
            force=args.force,
            report_scope=args.report_scope,
            lang=args.lang,
            wait=args.wait,
        )
    if args.command == "users":
        from dashboard.access.auth import run_users_command

        return run_users_command(base, args)
    if args.command == "bench":
        from dashboard.devtools.bench import run_bench_command

        return run_bench_command(args)
    if args.command == "loadtest":
        from dashboard.devtools.loadtest import run_loadtest_command

        return run_loadtest_command(args)
    if args.command == "serve":
        from dashboard.web.serve import serve
        from dashboard.web.workers import default_workers

        return serve(base, args.port, workers=args.workers or default_workers())
    return 2


def _demo(base, args) -> int:
    """`python -m dashboard demo`: the data, then the snapshots of its last weeks (here, or in the background)."""
    from dashboard.config import ROOT, today

    until = args.until or today()
    if args.weeks < 0:
        print("--weeks must be 0 or more", file=sys.stderr)
        return 2
    if not args.snapshots_only:
        from dashboard.data.demo import generate

        counts = generate(base, seed=args.seed, scale=args.scale, until=until, progress=not args.quiet)
        total = sum(counts.values())
        print(f"Demo data written to {base / 'curated'}: {total:,} rows in {len(counts)} tables.")
    if not args.weeks:
        return 0
    if args.snapshots_in_background and not args.snapshots_only:
        import subprocess

        log = base / "snapshots" / "demo-snapshots.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "dashboard", "demo", "--data-dir", str(base), "--until", until.isoformat()]
        command += ["--weeks", str(args.weeks), "--snapshots-only", "--quiet"] + (["--reports"] if args.reports else [])
        with open(log, "w", encoding="utf-8") as out:
            subprocess.Popen(
                command,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        print(f"The snapshots of the last {args.weeks} weeks are being stored in the background (log: {log}).")
        return 0
    import io

    from dashboard.weekly.snapshot import store_recent_weeks

    sink = io.StringIO() if args.quiet else None
    codes = store_recent_weeks(base, until, args.weeks, reports=args.reports, out=sink, err=sink)
    failed = [week for week, code in codes.items() if code != 0]
    weeks = list(codes)
    print(
        f"Snapshots of {len(weeks)} week{'s' if len(weeks) != 1 else ''} ({weeks[0]} to {weeks[-1]}) "
        f"stored in {base / 'snapshots'}"
        + (f"; FAILED or partial: {', '.join(failed)} (see snapshots/ledger.jsonl)" if failed else ".")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
