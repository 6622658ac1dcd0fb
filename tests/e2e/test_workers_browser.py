"""`python -m dashboard serve --workers 2`: two Streamlit processes behind nginx, served on the demo data.

Sessions are sticky (nginx's cookie names the process), each browser keeps its own pages and filters, the
websocket passes through nginx, SIGTERM stops every process, and without nginx `serve` runs one process and says
so. Without nginx these tests skip, except under CI=true, where they fail (.ci/run installs nginx).
"""

from __future__ import annotations

import os
import time
import urllib.request
from pathlib import Path

import pytest
from e2e_browser import CLEARED_ENV, TODAY, choose, kpi_cards, open_page, url_params

from dashboard.devtools import loadtest
from dashboard.devtools.loadtest import Server
from dashboard.i18n import t
from dashboard.web import workers


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def need(problem: str | None) -> None:
    if problem:
        if in_ci():
            pytest.fail(f"cannot run in CI: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def cluster(e2e_base, tmp_path_factory):
    need(None if workers.find_nginx() else "nginx is not installed (apt-get install nginx)")
    log = tmp_path_factory.mktemp("serve_workers") / "server.log"
    srv = Server(e2e_base, today=TODAY, log=log, unset=(*CLEARED_ENV, "DASHBOARD_NGINX"), workers=2)
    srv.start(timeout_s=240)
    try:
        yield srv
    finally:
        srv.stop()


def worker_of(url: str, cookie: str | None = None) -> tuple[str, str]:
    """Which process answered a GET (nginx's X-Dashboard-Worker), and the cookie nginx set."""
    request = urllib.request.Request(url, headers={"Cookie": f"dashboard_worker={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.headers["X-Dashboard-Worker"], answer.headers["Set-Cookie"]


def test_new_visitors_take_turns_and_a_cookie_keeps_its_process(cluster):
    deadline = time.monotonic() + 30  # serve says so right after nginx answers: the log may lag the health check
    while "behind nginx" not in cluster.log.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.2)
    log = cluster.log.read_text(errors="replace")
    assert "2 Streamlit processes" in log and "behind nginx" in log
    # nginx runs one worker process: requests without a cookie go to w0, w1, w0, w1 in turn (round robin)
    first = [worker_of(f"{cluster.url}/")[0] for _ in range(4)]
    assert sorted(first) == ["w0", "w0", "w1", "w1"]
    assert first[0] != first[1]
    who, cookie = worker_of(f"{cluster.url}/")
    assert cookie.startswith(f"dashboard_worker={who};") and "HttpOnly" in cookie
    assert {worker_of(f"{cluster.url}/", "w1")[0] for _ in range(5)} == {"w1"}
    assert {worker_of(f"{cluster.url}/_stcore/health", "w0")[0] for _ in range(5)} == {"w0"}
    # a made-up cookie is no way around the proxy: it counts as none
    assert worker_of(f"{cluster.url}/", "127.0.0.1:22")[0] in ("w0", "w1")


def test_sessions_over_the_websocket_run_their_own_pages(cluster):
    # two sessions at once, through nginx, on different pages and languages (round robin: one on each process)
    phase = loadtest.run_phase(cluster, ["overview", "sharing"], sessions=2, caches="cold")
    assert phase.errors == []
    assert phase.workers == 2
    vi, en = (
        loadtest.open_pages(
            cluster.ws_url,
            ["overview", "sharing"],
            "lang=vi&period=last_4_weeks&scope=all",
            keep_text=True,
        ),
        loadtest.open_pages(cluster.ws_url, ["overview"], "lang=en&period=last_4_weeks&scope=all", keep_text=True),
    )
    assert all(r.problems == [] for r in [*vi, *en])
    assert t("overview.title", "vi") in vi[0].texts
    assert t("overview.title", "en") in en[0].texts
    # the peak memory counts every process: the supervisor, nginx and two Streamlit servers (each over 50 MiB)
    assert phase.peak_memory_bytes > 2 * 50 * 2**20


def test_two_browsers_each_keep_their_pages_and_filters(cluster, e2e_base, browser):
    """Two browser profiles of the session's Chromium (a second Playwright in one process would fail)."""

    from dashboard.engine.query import run_query
    from dashboard.scope import Scope

    options = run_query(e2e_base, Scope.parse("all"), "scope_options", {"lang": "vi"})
    provinces = dict(options.filter(options["scope_type"] == "province").select("scope_key", "scope_name").iter_rows())
    key = "province:HNI" if "province:HNI" in provinces else next(iter(provinces))
    scope_label, period_label = t("filter.scope", "vi"), t("filter.period", "vi")
    host = cluster.url.split("//")[1].split(":")[0]
    a, b = (browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN") for _ in range(2))
    try:
        for ctx, name in ((a, "w0"), (b, "w1")):  # one browser on each process
            ctx.set_default_timeout(90_000)
            ctx.add_cookies([{"name": "dashboard_worker", "value": name, "domain": host, "path": "/"}])
        page_a = open_page(a, cluster.url, "overview", "lang=vi").page
        page_b = open_page(b, cluster.url, "overview", "lang=vi").page
        everywhere = kpi_cards(page_a)
        assert everywhere and kpi_cards(page_b) == everywhere  # the same data read by both processes

        choose(page_a, scope_label, provinces[key])  # A picks a province, in its session on w0
        assert url_params(page_a)["scope"] == key
        in_province = kpi_cards(page_a)
        assert in_province != everywhere

        choose(page_b, period_label, t("period.last_12_weeks", "vi"))  # B changes its period, on w1
        assert (url_params(page_b)["scope"], url_params(page_b)["period"]) == ("all", "last_12_weeks")
        assert url_params(page_a)["scope"] == key  # A's session did not move
        assert kpi_cards(page_a) == in_province
        assert t("overview.title", "vi") in page_b.locator("h1").first.inner_text()

        # nginx kept each browser on its process: the cookie it set last still names it
        for ctx, name in ((a, "w0"), (b, "w1")):
            assert {c["value"] for c in ctx.cookies() if c["name"] == "dashboard_worker"} == {name}
    finally:
        a.close()
        b.close()


def test_sigterm_stops_nginx_and_every_worker(e2e_base, tmp_path):
    need(None if workers.find_nginx() else "nginx is not installed (apt-get install nginx)")
    srv = Server(e2e_base, today=TODAY, log=tmp_path / "s.log", unset=(*CLEARED_ENV, "DASHBOARD_NGINX"), workers=2)
    srv.start(timeout_s=240)
    try:
        children = loadtest.descendants(srv.proc.pid)
        names = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0] for pid in children}
        assert sum(b"nginx" in n for n in names.values()) >= 1
        assert sum(b"python" in n for n in names.values()) == 2
    finally:
        srv.stop()  # SIGTERM to the supervisor only
    assert srv.proc.returncode == 0
    alive = [pid for pid in children if os.path.exists(f"/proc/{pid}") and not _zombie(pid)]
    assert alive == []
    assert "run dir" in srv.log.read_text()


def _zombie(pid: int) -> bool:
    try:
        return " Z " in Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True


def test_without_nginx_serve_runs_one_process_and_says_so(e2e_base, tmp_path):
    srv = Server(e2e_base, today=TODAY, log=tmp_path / "s.log", unset=CLEARED_ENV, env={"DASHBOARD_NGINX": ""})
    srv.workers = 2
    with srv:
        (run,) = loadtest.open_pages(srv.ws_url, ["overview"])
        assert run.problems == []
        assert loadtest.descendants(srv.proc.pid) == []  # no nginx, no worker: this one process serves
    assert "nginx not found" in srv.log.read_text() and "ONE process" in srv.log.read_text()
