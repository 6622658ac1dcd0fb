"""`python -m dashboard serve --workers N`: N Streamlit processes on free local ports and nginx in front of them.

One Python process runs every session's script on one core (the GIL), so one process cannot use a second core.
Here each worker is `python -m dashboard serve --workers 1` on 127.0.0.1 and a free port; nginx (Debian's
package, /usr/sbin/nginx) listens on the public port, with its configuration made from deploy/nginx.conf.template
and written to a private run directory (pid, logs and temporary files there too), and runs as a child, not a
daemon. Sessions are sticky: a cookie set by nginx names the process a browser's first request went to, and every
later request (the websocket /_stcore/stream, media, downloads) goes there. SIGINT (Ctrl-C) or SIGTERM stops nginx
and every worker; so does a child that stops on its own (the supervisor then exits 1, for systemd to restart).

Without nginx, `serve` runs one process and says so (`plan`). DASHBOARD_NGINX names another nginx binary (an empty
or missing path: none, as on a machine without nginx).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dashboard.config import ROOT

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
COOKIE = "dashboard_worker"  # the template's cookie: which process holds this browser's session
START_TIMEOUT_S = 120.0


def default_workers() -> int:
    """The number of cores this process may run on."""
    with contextlib.suppress(AttributeError, OSError):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def find_nginx() -> str | None:
    """nginx's binary: $DASHBOARD_NGINX when set (empty: none), else on PATH or where Debian puts it."""
    chosen = os.environ.get("DASHBOARD_NGINX")
    if chosen is not None:
        return chosen if chosen and os.access(chosen, os.X_OK) else None
    found = shutil.which("nginx")
    if found:
        return found
    return next((p for p in NGINX_PATHS if os.access(p, os.X_OK)), None)


def plan(workers: int, nginx: str | None) -> tuple[int, str | None]:
    """How many processes to start for `--workers N`, and what to tell the operator about it (or None)."""
    if workers < 1:
        raise ValueError(f"--workers must be 1 or more, not {workers}")
    if workers == 1:
        return 1, None
    if nginx is None:
        return 1, (
            f"nginx not found (apt-get install nginx, or set DASHBOARD_NGINX): serving with ONE process "
            f"instead of {workers}"
        )
    return workers, None


@dataclass(frozen=True)
class Upstream:
    """One Streamlit process as nginx sees it: a name for the cookie and its host:port."""

    name: str
    address: str


def listen_directive(port: int, address: str | None) -> str:
    """nginx's `listen` value: the port on every address, or on the one given (IPv6 in brackets)."""
    if not address:
        return str(port)
    host = f"[{address}]" if ":" in address and not address.startswith("[") else address
    return f"{host}:{port}"


def render_config(
    upstreams: Sequence[Upstream], listen: str, run_dir: Path, access_log: str = "off", template: str | None = None
) -> str:
    """deploy/nginx.conf.template with the processes, the listen address and the run directory filled in."""
    if not upstreams:
        raise ValueError("no upstream process to put behind nginx")
    for u in upstreams:  # names and addresses go into the config as they are: nothing that could break it
        if not u.name.replace("_", "").isalnum() or any(c in u.address for c in " ;{}\"'$"):
            raise ValueError(f"unusable upstream {u!r}")
    indent = " " * 8
    worker_upstreams = []
    for u in upstreams:
        lines = [f"    upstream dashboard_{u.name} {{", f"{indent}server {u.address};"]
        lines += [f"{indent}server {o.address} backup;" for o in upstreams if o != u]
        worker_upstreams.append("\n".join([*lines, "    }"]))
    slots = {
        "run_dir": str(run_dir),
        "access_log": access_log,
        "listen": listen,
        "any_servers": "\n".join(f"{indent}server {u.address};" for u in upstreams),
        "worker_upstreams": "\n".join(worker_upstreams),
        "cookie_map": "\n".join(f"{indent}{u.name} dashboard_{u.name};" for u in upstreams),
        "address_map": "\n".join(f'{indent}"{u.address}" {u.name};' for u in upstreams),
    }
    text = template if template is not None else TEMPLATE.read_text(encoding="utf-8")
    for key, value in slots.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"the nginx template has a slot nobody fills: {text[text.index('{{') :][:40]}")
    return text


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
        return answer.status == 200
    return False


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM when the supervisor dies, even by SIGKILL (no orphaned servers)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Cluster:
    """The workers and nginx, started, watched and stopped by this process."""

    def __init__(self, base: Path, port: int, workers: int, nginx: str, address: str | None = None, out=None) -> None:
        self.base, self.port, self.count, self.nginx, self.address = base, port, workers, nginx, address
        self.out = out or sys.stderr
        self.run_dir: Path | None = None
        self.workers: list[tuple[Upstream, subprocess.Popen]] = []
        self.proxy: subprocess.Popen | None = None
        self.stopping = threading.Event()

    def say(self, text: str) -> None:
        print(f"serve: {text}", file=self.out, flush=True)

    def _spawn(self, argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, preexec_fn=preexec)  # noqa: PLW1509

    def start(self) -> Cluster:
        self.run_dir = Path(tempfile.mkdtemp(prefix="dashboard-serve-"))
        self.run_dir.chmod(0o711)  # nginx's worker (user nobody when started as root) reaches temp/ below it
        (self.run_dir / "temp").mkdir()
        env = {
            **os.environ,
            "DASHBOARD_DATA_DIR": str(self.base),
            "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",  # only nginx talks to the workers
            "STREAMLIT_SERVER_HEADLESS": "true",
        }
        for i in range(self.count):
            port = free_port()
            argv = [sys.executable, "-m", "dashboard", "serve", "--data-dir", str(self.base), "--port", str(port)]
            self.workers.append((Upstream(f"w{i}", f"127.0.0.1:{port}"), self._spawn([*argv, "--workers", "1"], env)))
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = list(self.workers)
        while waiting:
            for upstream, proc in list(waiting):
                if proc.poll() is not None:
                    raise RuntimeError(f"worker {upstream.name} stopped at start (exit {proc.returncode})")
                if healthy(f"http://{upstream.address}"):
                    waiting.remove((upstream, proc))
            if self.stopping.is_set():
                raise RuntimeError("stopped while starting")
            if time.monotonic() > deadline:
                late = ", ".join(u.name for u, _ in waiting)
                raise RuntimeError(f"workers not answering after {START_TIMEOUT_S:.0f} s: {late}")
            time.sleep(0.2)
        conf = self.run_dir / "nginx.conf"
        listen = listen_directive(self.port, self.address)
        conf.write_text(render_config([u for u, _ in self.workers], listen, self.run_dir), encoding="utf-8")
        argv = [self.nginx, "-p", str(self.run_dir), "-c", str(conf), "-e", str(self.run_dir / "error.log")]
        check = subprocess.run([*argv, "-t", "-q"], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration {conf}: {check.stderr.strip()}")
        self.proxy = self._spawn(argv)
        public = f"http://{self.address or '127.0.0.1'}:{self.port}"
        while not healthy(public):
            if self.proxy.poll() is not None:
                log = (self.run_dir / "error.log").read_text(errors="replace")[-500:]
                raise RuntimeError(f"nginx stopped at start (exit {self.proxy.returncode}): {log.strip()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx not answering on {public}")
            time.sleep(0.1)
        names = ", ".join(f"{u.name}={u.address}" for u, _ in self.workers)
        self.say(f"{self.count} Streamlit processes ({names}) behind nginx on {public} (run dir {self.run_dir})")
        return self

    def children(self) -> list[tuple[str, subprocess.Popen]]:
        out = [(u.name, p) for u, p in self.workers]
        return out + ([("nginx", self.proxy)] if self.proxy else [])

    def wait(self) -> int:
        """Until SIGINT/SIGTERM (0) or until a child stops on its own (1)."""
        while not self.stopping.wait(0.5):
            for name, proc in self.children():
                if proc.poll() is not None:
                    self.say(f"{name} stopped (exit {proc.returncode}): stopping the others")
                    return 1
        return 0

    def stop(self) -> None:
        """nginx first (no new requests), then the workers; each gets 15 s after SIGTERM, then SIGKILL."""
        procs = ([self.proxy] if self.proxy else []) + [p for _, p in self.workers]
        for proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(OSError):
                    proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def run_cluster(base: Path, port: int, workers: int, nginx: str, address: str | None) -> int:
    """Start the cluster, hold it until a signal or a child's end, stop everything; the exit code."""
    cluster = Cluster(base, port, workers, nginx, address)

    def stop(signum, _frame) -> None:
        cluster.stopping.set()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        cluster.start()
        return cluster.wait()
    except (RuntimeError, ValueError, OSError) as failed:
        cluster.say(f"error: {failed}")
        return 1
    finally:
        cluster.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
