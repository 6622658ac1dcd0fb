"""`serve --workers N` without starting anything: how many processes, the nginx configuration made from
deploy/nginx.conf.template (checked by nginx itself when installed), and the command line. The served cluster is
tested end to end in tests/e2e/test_workers_browser.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from dashboard.cli import _parser
from dashboard.web import workers
from dashboard.web.workers import Upstream

TWO = [Upstream("w0", "127.0.0.1:9001"), Upstream("w1", "127.0.0.1:9002")]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def test_one_worker_is_one_process_and_nginx_is_not_needed():
    assert workers.plan(1, None) == (1, None)
    assert workers.plan(1, "/usr/sbin/nginx") == (1, None)


def test_several_workers_need_nginx_else_one_process_said_so():
    assert workers.plan(3, "/usr/sbin/nginx") == (3, None)
    count, note = workers.plan(3, None)
    assert count == 1
    assert "nginx not found" in note and "ONE process" in note and "3" in note


def test_zero_workers_is_refused():
    with pytest.raises(ValueError, match="1 or more"):
        workers.plan(0, "/usr/sbin/nginx")


def test_dashboard_nginx_names_the_binary_or_none(monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_NGINX", "")
    assert workers.find_nginx() is None
    monkeypatch.setenv("DASHBOARD_NGINX", str(tmp_path / "no-such-nginx"))
    assert workers.find_nginx() is None
    fake = tmp_path / "nginx"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("DASHBOARD_NGINX", str(fake))
    assert workers.find_nginx() == str(fake)


def test_the_config_sends_each_cookie_to_its_process_and_new_visitors_to_any(tmp_path):
    text = workers.render_config(TWO, "8501", tmp_path)
    assert "{{" not in text
    any_block = re.search(r"upstream dashboard_any \{(.*?)\}", text, re.S).group(1)
    assert any_block.split() == ["server", "127.0.0.1:9001;", "server", "127.0.0.1:9002;"]
    # w0's own upstream: w0 first, w1 only as its backup (and the other way round)
    w0 = re.search(r"upstream dashboard_w0 \{(.*?)\}", text, re.S).group(1)
    assert w0.split() == ["server", "127.0.0.1:9001;", "server", "127.0.0.1:9002", "backup;"]
    w1 = re.search(r"upstream dashboard_w1 \{(.*?)\}", text, re.S).group(1)
    assert w1.split() == ["server", "127.0.0.1:9002;", "server", "127.0.0.1:9001", "backup;"]
    cookie_map = re.search(r"map \$cookie_dashboard_worker \$dashboard_upstream \{(.*?)\}", text, re.S).group(1)
    assert cookie_map.split() == ["default", "dashboard_any;", "w0", "dashboard_w0;", "w1", "dashboard_w1;"]
    address_map = re.search(r"map \$upstream_addr \$dashboard_worker \{(.*?)\}", text, re.S).group(1)
    assert address_map.split() == ["default", '"";', '"127.0.0.1:9001"', "w0;", '"127.0.0.1:9002"', "w1;"]
    assert "listen 8501;" in text
    assert f"pid {tmp_path}/nginx.pid;" in text
    assert "daemon off;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text  # the websocket /_stcore/stream


def test_listen_on_one_address_or_every_one():
    assert workers.listen_directive(8501, None) == "8501"
    assert workers.listen_directive(8501, "127.0.0.1") == "127.0.0.1:8501"
    assert workers.listen_directive(80, "::1") == "[::1]:80"


def test_an_upstream_that_would_break_the_config_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unusable"):
        workers.render_config([Upstream("w0", "127.0.0.1:1; include /etc/passwd")], "8501", tmp_path)
    with pytest.raises(ValueError, match="no upstream"):
        workers.render_config([], "8501", tmp_path)


def test_nginx_accepts_the_config(tmp_path):
    nginx = workers.find_nginx()
    if nginx is None:
        if in_ci():
            pytest.fail("nginx is not installed (apt-get install nginx): .ci/run installs it")
        pytest.skip("nginx is not installed")
    (tmp_path / "temp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(workers.render_config(TWO, f"127.0.0.1:{workers.free_port()}", tmp_path))
    check = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_the_command_line_takes_workers():
    parser = _parser()
    assert parser.parse_args(["serve", "--workers", "3"]).workers == 3
    assert parser.parse_args(["serve"]).workers is None  # then: the number of cores
    assert parser.parse_args(["loadtest"]).workers == "1,2"
    assert parser.parse_args(["loadtest", "--workers", "2, 1"]).workers == "2,1"
    for bad in (["serve", "--workers", "0"], ["loadtest", "--workers", "1,x"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


def test_default_workers_is_the_number_of_usable_cores():
    assert workers.default_workers() == len(os.sched_getaffinity(0))


def test_ci_and_make_run_install_nginx_when_missing():
    from dashboard.config import ROOT

    ci = (ROOT / ".ci" / "run").read_text()
    assert 'missing="$missing nginx"' in ci  # installed with chromium and poppler, by apt-get as root
    make = (ROOT / "Makefile").read_text()
    assert "\nrun: venv nginx\n" in make
    assert "apt-get install -y nginx" in make


def test_cpu_and_memory_of_a_process_tree_count_the_children(tmp_path):
    from dashboard.devtools import loadtest

    # a child that burns about 0.5 s of CPU in a grandchild, then both wait
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass\ntime.sleep(30)\n"
    (tmp_path / "burn.py").write_text(burn)
    parent = f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, {str(tmp_path / 'burn.py')!r}])\n"
    parent += "time.sleep(30)\n"
    proc = subprocess.Popen([sys.executable, "-c", parent])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (loadtest.tree_cpu_seconds(proc.pid) or 0) < 0.45:
            time.sleep(0.1)
        kids = loadtest.descendants(proc.pid)
        assert len(kids) == 1  # the grandchild
        assert loadtest.tree_cpu_seconds(proc.pid) >= 0.45
        assert loadtest.tree_cpu_seconds(proc.pid) > loadtest.tree_cpu_seconds(kids[0]) - 1e-9
        both = loadtest.tree_peak_memory_bytes(proc.pid)
        assert both >= loadtest.peak_memory_bytes(proc.pid) + loadtest.peak_memory_bytes(kids[0]) - 1
    finally:
        for pid in loadtest.descendants(proc.pid):
            os.kill(pid, 9)
        proc.kill()
        proc.wait()


def test_no_full_garbage_collection_after_every_run():
    # Streamlit's gc.collect(2) after each script run was half of a warm page run's CPU (docs/performance.md)
    import tomllib

    from dashboard.config import ROOT
    from dashboard.web.serve import production_flags

    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["runner"]["postScriptGC"] is False
    # also when served from another directory (config.toml is read from the working directory only)
    flags = production_flags(lambda option: False)
    assert flags[flags.index("--runner.postScriptGC") + 1] == "false"


def test_no_source_watcher_registers_every_module_for_each_new_session():
    # A fresh tab waited 0.35 s on the event loop for its session's watches of every loaded module (py-spy)
    import tomllib

    from dashboard.config import ROOT
    from dashboard.web.serve import production_flags

    assert tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["fileWatcherType"] == "none"
    flags = production_flags(lambda option: False)
    assert flags[flags.index("--server.fileWatcherType") + 1] == "none"
    # what the configuration sets is left as it is
    assert "--server.fileWatcherType" not in production_flags(lambda option: option == "server.fileWatcherType")
    assert "--runner.postScriptGC" in production_flags(lambda option: option == "server.fileWatcherType")
