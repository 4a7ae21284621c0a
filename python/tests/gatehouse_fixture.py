"""Starts and stops a real Gatehouse server (the built `gatehouse` CLI) for the test suites.

A ``Gatehouse`` is one gateway process with its own data directory and configuration. Tests
get one from the ``gatehouse`` fixture factory, talk to it with the unmodified dask-gateway
client, and the fixture checks at teardown that no scheduler or worker process was left behind.
"""
from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "packages" / "cli" / "bin" / "gatehouse.js"
VENV = ROOT / ".venv"


def free_port() -> int:
    """A TCP port that was free a moment ago (for tests that must restart on one address)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for k, v in extra.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def processes_of(api_url: str) -> list[int]:
    """Pids of live processes started for clusters of the gateway whose API URL is ``api_url``."""
    pids = []
    needle = f"DASK_GATEWAY_API_URL={api_url}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in env and state not in ("Z", "X"):
            pids.append(int(entry))
    return pids


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Polls ``predicate`` until it returns a truthy value; fails with ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


BASE_CONFIG = {
    "log": {"level": "debug"},
    # Most suites test the client contract, not access control: let every user in.
    "access": {"grant_all_authenticated": True, "bootstrap_admin_token": False},
    "stop_clusters_on_shutdown": True,
    "backend": {
        "type": "local",
        "heartbeat_period": 2,
        # Generous: on two loaded CI cores a scheduler's heartbeat can slip by several seconds.
        "heartbeat_timeout": 60,
        "check_timeouts_period": 0.5,
        "cluster_status_period": 1,
        "worker_status_period": 1,
        "sigint_timeout": 5,
    },
}


#: Cluster uids each pytest-xdist worker's gateways allocate from (``backend.isolation_uids``):
#: worker ``gwN`` takes ``XDIST_FIRST_UID + N * XDIST_UID_BLOCK`` onwards.
XDIST_FIRST_UID = 1_000_000
XDIST_UID_BLOCK = 20000


def xdist_worker_config() -> dict:
    """Config that keeps the gateways of parallel pytest-xdist workers (``-n 2``) apart.

    A gateway picks a cluster uid by scanning for uids that run no process, so two gateways
    started at the same instant by two workers could pick the same one (and then each kill
    what the other's cluster runs under it). Each worker gets its own block of uids, and with
    them their own loopback addresses; data and cluster directories are already per test
    (``tmp_path``). The blocks start at 1,000,000, above the schema's default range
    (900000-949999) and the ranges single tests set (97x000), so gateways that other runs on
    the same machine start with the default range never race them either. Outside xdist
    nothing changes. A test's own ``isolation_uids`` still wins.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return {}
    index = int(worker[2:])
    return {"backend": {"isolation_uids": {"first": XDIST_FIRST_UID + XDIST_UID_BLOCK * index,
                                           "count": XDIST_UID_BLOCK}}}


class Gatehouse:
    """One gateway process started from the built CLI."""

    def __init__(self, workdir: Path, config: dict | None = None, port: int = 0):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        cfg = deep_merge(deep_merge(BASE_CONFIG, xdist_worker_config()), config or {})
        if cfg["backend"].get("type") == "kubernetes":
            # Pods stop through the API: the process backends' signal timeouts do not apply.
            cfg["backend"] = {k: v for k, v in cfg["backend"].items() if k != "sigint_timeout"}
        cfg.setdefault("listen", f"127.0.0.1:{port}")
        cfg.setdefault("data_dir", str(workdir / "data"))
        self.config = cfg
        self.config_file = workdir / "gatehouse.yaml"
        self.config_file.write_text(yaml.safe_dump(cfg))
        self.log_file = workdir / "gatehouse.log"
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.instance_id = ""
        self.start()

    @property
    def address(self) -> str:
        return self.url + self.config.get("prefix", "")

    @property
    def proxy_address(self) -> str:
        return "gateway://" + self.url.split("://", 1)[1]

    @property
    def api_url(self) -> str:
        return self.address + "/api"

    def start(self, timeout: float = 60) -> None:
        ready = self.workdir / "ready.json"
        ready.unlink(missing_ok=True)
        log = open(self.log_file, "ab")
        self.proc = subprocess.Popen(
            ["node", str(CLI), "serve", "-c", str(self.config_file), "--ready-file", str(ready)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
        )
        log.close()

        def is_ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"gatehouse exited with {self.proc.returncode}:\n{self.log_tail()}")
            return ready.exists() and ready.read_text()

        ready_info = json.loads(wait_until(is_ready, timeout, "gatehouse to serve"))
        self.url = ready_info["url"]
        self.instance_id = ready_info["instance_id"]

    def get_json(self, path: str, user: str | None = None, timeout: float = 30) -> tuple[int, dict]:
        """GET ``path`` as ``user`` (Basic auth without a password, as the client's default;
        the current OS user when None): the status code and the decoded JSON body."""
        creds = b64encode(f"{user or getpass.getuser()}:".encode()).decode()
        req = urllib.request.Request(self.address + path, headers={"Authorization": f"Basic {creds}"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM and wait (clusters are stopped when ``stop_clusters_on_shutdown`` is set)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: no cleanup code runs, as when a machine or a container dies."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def leftover_processes(self) -> list[int]:
        return processes_of(self.api_url)

    @property
    def firewall_table(self) -> str:
        """The nftables table of this gateway's loopback firewall (may not exist)."""
        return "gatehouse_" + "".join(c if c.isalnum() or c == "_" else "_" for c in self.instance_id)

    def delete_firewall(self) -> None:
        """Deletes the gateway's loopback firewall table, if any (a killed gateway leaves it)."""
        if self.instance_id and os.geteuid() == 0 and shutil.which("nft"):
            subprocess.run(["nft", "delete", "table", "inet", self.firewall_table], capture_output=True)

    def kill_leftovers(self) -> None:
        for pid in self.leftover_processes():
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


class GatehouseProxy:
    """A ``gatehouse proxy`` process: the public port, in front of gateways in external mode."""

    def __init__(self, workdir: Path, token: str, api_port: int, config: dict | None = None):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.token = token
        cfg = deep_merge(
            {
                "listen": "127.0.0.1:0",
                "log": {"level": "debug"},
                "proxy": {
                    "api_listen": f"127.0.0.1:{api_port}",
                    "control_listen": "127.0.0.1:0",
                    "token": token,
                },
            },
            config or {},
        )
        self.config_file = workdir / "proxy.yaml"
        self.config_file.write_text(yaml.safe_dump(cfg))
        self.log_file = workdir / "proxy.log"
        ready = workdir / "proxy-ready.json"
        log = open(self.log_file, "ab")
        self.proc = subprocess.Popen(
            ["node", str(CLI), "proxy", "-c", str(self.config_file), "--ready-file", str(ready)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
        log.close()

        def is_ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"gatehouse proxy exited with {self.proc.returncode}")
            return ready.exists() and ready.read_text()

        info = json.loads(wait_until(is_ready, 60, "gatehouse proxy to serve"))
        self.url: str = info["url"]
        self.control_url: str = info["control_url"]

    def control(self, path: str):
        """GET ``path`` of the control API with the token; the decoded JSON."""
        import urllib.request

        req = urllib.request.Request(
            self.control_url + path, headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
