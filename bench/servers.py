"""The two servers under test, configured equivalently, and the upstream server's environment.

``Gatehouse`` runs the built ``gatehouse`` CLI; ``Upstream`` runs ``dask-gateway-server`` (with
its Go proxy as a child process) from ``bench/.venv-upstream``, which ``ensure_upstream_venv``
creates from ``bench/requirements-upstream.txt``. Both get the same settings:

* the local process backend, running everything as the gateway's own user (Gatehouse's local
  backend; upstream's ``UnsafeLocalBackend``, which is ``LocalBackend`` without the per-user
  ``setuid``, as a benchmark run by one OS user needs);
* schedulers and workers from the project environment ``.venv`` (``.venv/bin/python -m
  distributed.cli.dask_scheduler`` / ``dask_worker``, Gatehouse's default commands), 1 core and
  2 GiB per worker (both servers' defaults);
* Basic authentication (upstream ``SimpleAuthenticator``) with no shared password;
* a SQLite database file, the same heartbeat period and the same (generous) timeouts;
* one public port carrying the API, dashboards and scheduler TLS (upstream: the Go proxy in
  shared mode in front of the private aiohttp API; api_url through the public port on both).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import procstat

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
VENV = ROOT / ".venv"
UPSTREAM_VENV = BENCH / ".venv-upstream"
UPSTREAM_REQUIREMENTS = BENCH / "requirements-upstream.txt"
CLI = ROOT / "packages" / "cli" / "bin" / "gatehouse.js"
FAKE_SCHEDULER = BENCH / "fake-scheduler.sh"


def ensure_upstream_venv(log) -> Path:
    """Creates or updates bench/.venv-upstream from its requirements; returns its python."""
    python = UPSTREAM_VENV / "bin" / "python"
    marker = UPSTREAM_VENV / ".requirements.sha256"
    digest = hashlib.sha256(UPSTREAM_REQUIREMENTS.read_bytes()).hexdigest()
    if marker.exists() and marker.read_text() == digest and python.exists():
        return python
    t0 = time.monotonic()
    log(f"installing the upstream server into {UPSTREAM_VENV.relative_to(ROOT)} …")
    if not python.exists():
        subprocess.run(["python3", "-m", "venv", str(UPSTREAM_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", str(UPSTREAM_REQUIREMENTS)],
        check=True,
    )
    marker.write_text(digest)
    log(f"upstream server installed in {time.monotonic() - t0:.1f} s")
    return python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Settings:
    """What both servers are configured with (identical for both)."""

    heartbeat_period: int = 15
    heartbeat_timeout: float = 60
    cluster_start_timeout: float = 120
    worker_start_timeout: float = 120
    check_timeouts_period: float = 5
    status_period: float = 30
    # Command prefix of schedulers; None means .venv's dask-scheduler. The control-plane
    # benchmark points it at the fake scheduler.
    scheduler_cmd: tuple[str, ...] | None = None
    environment: dict = field(default_factory=dict)


class Server:
    """One gateway process under test (subclasses say how to configure and start it)."""

    kind = ""
    label = ""

    def __init__(self, workdir: Path, settings: Settings):
        self.workdir = workdir
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_file = workdir / "server.log"
        workdir.mkdir(parents=True, exist_ok=True)
        self.write_config()

    # -- configured by subclasses ------------------------------------------------------------
    def write_config(self) -> None:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def gateway_pids(self) -> list[int]:
        """Every process of the gateway itself (not its clusters), for CPU and memory."""
        raise NotImplementedError

    def proxy_pid(self) -> int:
        """The process whose sockets carry proxied scheduler traffic."""
        raise NotImplementedError

    def dashboard_direct_url(self, host: str, dashboard_port: int, cluster: str) -> str:
        """The scheduler's own dashboard status page (what the proxy forwards to)."""
        raise NotImplementedError

    # -- common ---------------------------------------------------------------------------------
    @property
    def proxy_address(self) -> str:
        return f"gateway://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def spawn(self) -> float:
        """Starts the process; returns time.monotonic() at the spawn."""
        log = open(self.log_file, "ab")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
            start_new_session=True, env=self.environment(),
        )
        log.close()
        return t0

    def environment(self) -> dict:
        return dict(os.environ)

    def start(self, timeout: float = 120) -> float:
        """Starts and waits until /api/health answers; returns the seconds that took."""
        t0 = self.spawn()
        self.wait_http(lambda: self.get("/api/health")[0] == 200, timeout, "to serve")
        return time.monotonic() - t0

    def wait_http(self, ok, timeout: float, what: str, interval: float = 0.01) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if ok():
                    return
            except (OSError, urllib.error.URLError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.label} did not {what} within {timeout} s:\n{self.log_tail()}")
            time.sleep(interval)

    def get(self, path: str, user: str | None = None, timeout: float = 10) -> tuple[int, bytes]:
        req = urllib.request.Request(self.url + path)
        if user is not None:
            token = base64.b64encode(f"{user}:".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def list_clusters(self, user: str, status: str | None = None) -> dict:
        q = "" if status is None else f"?status={status}"
        code, body = self.get(f"/api/v1/clusters/{q}", user=user, timeout=60)
        if code != 200:
            raise RuntimeError(f"{self.label} list answered {code}: {body[:200]!r}")
        return json.loads(body)

    def cluster_processes(self) -> list[int]:
        return procstat.processes_with_env(f"DASK_GATEWAY_API_URL={self.api_url}")

    def stop(self, timeout: float = 180) -> None:
        """SIGTERM and wait (both servers stop their clusters first, as configured)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait(30)
        self.proc = None

    def cleanup(self) -> None:
        """Kills the server and anything it started for clusters (after errors, or at the end)."""
        self.kill()
        procstat.kill_all(self.cluster_processes())

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


# By its real path: isolated cluster uids cannot traverse a clone under a 0700 directory to reach
# the .venv link, only the world-readable cache it points into.
PYTHON = str(VENV.resolve() / "bin" / "python")
# What Gatehouse runs by default (distributed 2026.8 no longer installs dask-scheduler scripts).
WORKER_CMD = [PYTHON, "-m", "distributed.cli.dask_worker"]


def _scheduler_cmd(s: Settings) -> list[str]:
    if s.scheduler_cmd is not None:
        return list(s.scheduler_cmd)
    return [PYTHON, "-m", "distributed.cli.dask_scheduler"]


class Gatehouse(Server):
    kind = "gatehouse"
    label = "Gatehouse"

    def write_config(self) -> None:
        s = self.settings
        cfg = {
            "listen": f"127.0.0.1:{self.port}",
            "data_dir": str(self.workdir / "data"),
            "stop_clusters_on_shutdown": True,
            "log": {"level": "info"},
            "auth": {"type": "basic"},
            "access": {"grant_all_authenticated": True, "bootstrap_admin_token": False},
            # Room for every benchmark user's workers (the pool packs one user per machine).
            "pool": {"machine_types": [{"name": "bench", "cores": 64, "memory": "256 G", "count": 2000}]},
            "backend": {
                "type": "local",
                "python_env": str(VENV),
                "heartbeat_period": s.heartbeat_period,
                "heartbeat_timeout": s.heartbeat_timeout,
                "cluster_start_timeout": s.cluster_start_timeout,
                "worker_start_timeout": s.worker_start_timeout,
                "check_timeouts_period": s.check_timeouts_period,
                "cluster_status_period": s.status_period,
                "worker_status_period": s.status_period,
                "sigint_timeout": 10,
            },
            "cluster": {
                "scheduler_cmd": _scheduler_cmd(s),
                "worker_cmd": WORKER_CMD,
                "environment": dict(s.environment),
            },
        }
        self.config_file = self.workdir / "gatehouse.yaml"
        self.config_file.write_text(yaml.safe_dump(cfg))
        # An isolating gateway refuses a config file other users (cluster uids) could read.
        self.config_file.chmod(0o600)

    def command(self) -> list[str]:
        return ["node", str(CLI), "serve", "-c", str(self.config_file)]

    def gateway_pids(self) -> list[int]:
        return [self.proc.pid] if self.proc is not None else []

    def proxy_pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def dashboard_direct_url(self, host: str, dashboard_port: int, cluster: str) -> str:
        # Gatehouse runs each dashboard under its public prefix (--dashboard-prefix).
        return f"http://{host}:{dashboard_port}/clusters/{cluster}/status"


class Upstream(Server):
    kind = "upstream"
    label = "upstream"

    def write_config(self) -> None:
        s = self.settings
        key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        clusters = self.workdir / "clusters"
        clusters.mkdir(exist_ok=True)
        backend = "c.UnsafeLocalBackend"
        lines = [
            "# Written by bench/servers.py: the upstream server configured like Gatehouse.",
            'c.DaskGateway.address = "127.0.0.1:0"',
            'c.DaskGateway.log_level = "INFO"',
            'c.DaskGateway.backend_class = "dask_gateway_server.backends.local.UnsafeLocalBackend"',
            'c.DaskGateway.authenticator_class = "dask_gateway_server.auth.SimpleAuthenticator"',
            f'c.Proxy.address = "127.0.0.1:{self.port}"',
            f'{backend}.db_url = "sqlite:///{self.workdir / "upstream.db"}"',
            f"{backend}.db_encrypt_keys = [{key!r}]",
            f"{backend}.clusters_directory = {str(clusters)!r}",
            f"{backend}.stop_clusters_on_shutdown = True",
            f"{backend}.cluster_heartbeat_period = {s.heartbeat_period}",
            f"{backend}.cluster_heartbeat_timeout = {s.heartbeat_timeout}",
            f"{backend}.cluster_start_timeout = {s.cluster_start_timeout}",
            f"{backend}.worker_start_timeout = {s.worker_start_timeout}",
            f"{backend}.check_timeouts_period = {s.check_timeouts_period}",
            f"{backend}.cluster_status_period = {s.status_period}",
            f"{backend}.worker_status_period = {s.status_period}",
            f"{backend}.sigint_timeout = 10",
            f"c.LocalClusterConfig.scheduler_cmd = {_scheduler_cmd(s)!r}",
            f"c.LocalClusterConfig.worker_cmd = {WORKER_CMD!r}",
            f"c.LocalClusterConfig.environment = {dict(s.environment)!r}",
        ]
        self.config_file = self.workdir / "dask_gateway_config.py"
        self.config_file.write_text("\n".join(lines) + "\n")

    def command(self) -> list[str]:
        return [str(UPSTREAM_VENV / "bin" / "dask-gateway-server"), "-f", str(self.config_file)]

    def environment(self) -> dict:
        env = dict(os.environ)
        # The proxy's route API token, as upstream reads it (otherwise random per start).
        env["DASK_GATEWAY_PROXY_TOKEN"] = hashlib.sha256(str(self.workdir).encode()).hexdigest()
        return env

    def _go_proxy(self) -> int | None:
        if self.proc is None:
            return None
        for child in procstat.children(self.proc.pid):
            if procstat.exe_name(child) == "dask-gateway-proxy":
                return child
        return None

    def gateway_pids(self) -> list[int]:
        if self.proc is None:
            return []
        proxy = self._go_proxy()
        return [self.proc.pid] + ([proxy] if proxy is not None else [])

    def proxy_pid(self) -> int:
        proxy = self._go_proxy()
        if proxy is None:
            raise RuntimeError("upstream's Go proxy process was not found")
        return proxy

    def dashboard_direct_url(self, host: str, dashboard_port: int, cluster: str) -> str:
        # Upstream's proxy strips /clusters/<name> and the scheduler serves at /status.
        return f"http://{host}:{dashboard_port}/status"


SERVERS = {"gatehouse": Gatehouse, "upstream": Upstream}


def check_gatehouse_built() -> None:
    if not (ROOT / "packages" / "cli" / "dist" / "main.js").exists():
        sys.exit("bench: Gatehouse is not built; run `npm run setup` (or node scripts/setup.mjs) first")


def reset_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
