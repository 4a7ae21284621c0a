"""The machinery of the fault suite: one Gatehouse on a fixed port with a file store, armed at a
fault point, driven by the real client until it SIGKILLs itself, restarted unarmed, and checked
for convergence (see docs/faults.md)."""
from __future__ import annotations

import json
import subprocess
import threading
import time
from dataclasses import dataclass, field

import aiohttp
import yaml
from dask_gateway import Gateway
from distributed import Client

from cluster_processes import gateway_process_groups
from gatehouse_fixture import ROOT, Gatehouse

#: Seconds a restarted gateway has to converge (issue 5's acceptance).
CONVERGE_S = 30
#: Seconds an armed gateway has to reach its point once the client acted.
FIRE_S = 60

#: The shortened timeouts the suite runs with (printed in the summary).
TIMEOUTS = {
    "heartbeat_period": 1,
    "heartbeat_timeout": 20,
    "check_timeouts_period": 0.5,
    "cluster_status_period": 1,
    "worker_status_period": 1,
    "orphan_scan_period": 2,
    "cluster_start_timeout": 60,
    "worker_start_timeout": 60,
    "sigint_timeout": 3,
    "sigterm_timeout": 2,
    "sigkill_timeout": 3,
}

CONFIG = {
    "log": {"level": "info"},
    # Clusters must outlive every restart (SIGTERM between phases included).
    "stop_clusters_on_shutdown": False,
    "backend": TIMEOUTS,
    "cluster": {"idle_timeout": 0},
}

DOCUMENTED_STATES = {"PENDING", "RUNNING", "STOPPING", "STOPPED", "FAILED"}
ALL_STATES = sorted(DOCUMENTED_STATES)
#: What the client may raise while the gateway dies under it: the connection breaks.
ALLOWED_DURING_CRASH = (aiohttp.ClientConnectionError, ConnectionError)


def registered_points() -> list[str]:
    """The fault points registered in the server code (FAULT_POINT_NAMES), in order."""
    entry = (ROOT / "packages" / "server" / "dist" / "index.js").as_uri()
    script = f"const m = await import({json.dumps(entry)}); process.stdout.write(JSON.stringify(m.FAULT_POINT_NAMES));"
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@dataclass
class Want:
    """What a cluster must converge to."""

    status: str
    workers: int = 0


@dataclass
class PhaseResult:
    point: str
    client_saw: str
    fired_after: float
    converged_after: float
    #: Seconds spent in each step of the phase (boots, compute check, stop).
    steps: dict[str, float]


@dataclass
class FaultRun:
    """State carried from phase to phase: the gateway, the clusters and what was observed."""

    g: Gatehouse
    wants: dict[str, Want] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    fired: list[str] = field(default_factory=list)
    seen_states: set[str] = field(default_factory=set)
    results: list[PhaseResult] = field(default_factory=list)
    instance_id: str = ""
    #: The point whose phase failed (later phases are skipped), or None.
    failed: str | None = None

    # -- the gateway ---------------------------------------------------------------------------

    def start(self, armed: str | None) -> None:
        self.g.config["testing"] = {"crash_at": armed}
        self.g.config_file.write_text(yaml.safe_dump(self.g.config))
        self.g.start()
        ready = json.loads((self.g.workdir / "ready.json").read_text())
        assert not self.instance_id or ready["instance_id"] == self.instance_id, "instance id changed"
        self.instance_id = ready["instance_id"]

    def stop(self) -> None:
        self.g.stop()

    def gateway(self) -> Gateway:
        return Gateway(address=self.g.address, proxy_address=self.g.proxy_address)

    def role(self, role: str) -> str:
        return next(n for n, r in self.roles.items() if r == role)

    # -- one phase -----------------------------------------------------------------------------

    def crash_and_recover(self, point: str, action, touched: str | None, after_restart=None):
        """Arms `point`, runs `action(gateway)` until the gateway SIGKILLs itself there, restarts
        it unarmed and waits for convergence. `after_restart(gateway)` updates the wants."""
        steps: dict[str, float] = {}
        mark = time.monotonic()

        def step(name: str) -> None:
            nonlocal mark
            now = time.monotonic()
            steps[name] = now - mark
            mark = now

        self.start(armed=point)
        step("boot armed")
        gw = self.gateway()
        outcome: dict = {}

        def act():
            try:
                outcome["value"] = action(gw)
            except BaseException as exc:  # judged below
                outcome["error"] = exc

        t0 = time.monotonic()
        thread = threading.Thread(target=act, daemon=True)
        thread.start()
        proc = self.g.proc
        try:
            proc.wait(FIRE_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{point}: the gateway did not reach the point within {FIRE_S} s")
        fired_after = time.monotonic() - t0
        assert proc.returncode == -9, f"{point}: the gateway exited with {proc.returncode}, not SIGKILL"
        assert self.fired_in_log() == point, f"{point}: the log names {self.fired_in_log()!r}"
        self.g.proc = None
        self.fired.append(point)
        # The client must be done (its own cleanup included) before the gateway is back.
        thread.join(CONVERGE_S)
        assert not thread.is_alive(), f"{point}: the client call hung after the gateway died"
        gw.close()
        err = outcome.get("error")
        if err is not None and not isinstance(err, ALLOWED_DURING_CRASH):
            raise AssertionError(f"{point}: the client raised an unexpected {type(err).__name__}: {err}")
        client_saw = "ok" if err is None else type(err).__name__
        step("crash")

        self.start(armed=None)
        step("boot unarmed")
        t1 = time.monotonic()
        gw = self.gateway()
        try:
            if after_restart is not None:
                after_restart(gw, outcome.get("value"))
            self.wait_converged(gw, t1 + CONVERGE_S, point)
            converged_after = time.monotonic() - t1
            step("converge")
            if touched is not None and self.wants[self.role(touched)].status == "RUNNING":
                self.check_compute(gw, self.role(touched), t1 + CONVERGE_S, point)
            step("compute")
        finally:
            gw.close()
        self.stop()
        step("stop")
        self.results.append(PhaseResult(point, client_saw, fired_after, converged_after, steps))

    def fired_in_log(self) -> str | None:
        last = None
        for line in self.g.log_file.read_text(errors="replace").splitlines():
            if '"fault_point_fired"' in line:
                last = json.loads(line)["fault_point"]
        return last

    # -- convergence -----------------------------------------------------------------------------

    def problems(self, gw: Gateway) -> list[str]:
        """Why the gateway has not converged yet (empty when it has)."""
        reports = {r.name: r for r in gw.list_clusters(status=ALL_STATES)}
        out = []
        for r in reports.values():
            self.seen_states.add(r.status.name)
        for name, want in self.wants.items():
            r = reports.get(name)
            if r is None:
                out.append(f"the record of {name} is lost")
            elif r.status.name != want.status:
                out.append(f"{name} is {r.status.name}, wanted {want.status}")
        out.extend(self.process_problems())
        for name, want in self.wants.items():
            if want.status == "RUNNING" and reports.get(name) is not None:
                recorded = self.recorded_running(name)
                if recorded != want.workers:
                    # A worker the store still holds as starting would turn RUNNING at the next
                    # boot's first heartbeat and fire that boot's armed point before its action.
                    out.append(f"{name}: the gateway recorded {recorded} running workers, wanted {want.workers}")
        return out

    def recorded_running(self, name: str) -> int:
        """How many of the cluster's workers the gateway has recorded as running (their latest
        event is worker.running; events are recorded as the records are saved)."""
        status, body = self.g.get_json(f"/api/v1/clusters/{name}/events")
        assert status == 200, f"events of {name}: {status} {body}"
        latest: dict[str, str] = {}
        for e in body["events"]:
            if e["worker"] is not None and e["type"].startswith("worker."):
                latest[e["worker"]] = e["type"]
        return sum(1 for t in latest.values() if t == "worker.running")

    def process_problems(self) -> list[str]:
        out = []
        groups = gateway_process_groups(self.instance_id)
        for g in groups:
            want = self.wants.get(g["cluster"])
            if not g["leader"]:
                out.append(f"orphan: group {g['pgid']} of {g['cluster']} has lost its leader")
            elif want is None or want.status != "RUNNING":
                out.append(f"orphan: {g['worker'] or 'scheduler'} of {g['cluster']} (pids {g['pids']})")
        for name, want in self.wants.items():
            if want.status != "RUNNING":
                continue
            mine = [g for g in groups if g["cluster"] == name and g["leader"]]
            schedulers = [g for g in mine if g["worker"] is None]
            workers = {g["worker"] for g in mine if g["worker"] is not None}
            if len(schedulers) != 1:
                out.append(f"{name} has {len(schedulers)} scheduler processes")
            if len(workers) != want.workers or len(mine) - len(schedulers) != want.workers:
                out.append(f"{name} has {len(mine) - len(schedulers)} worker processes, wanted {want.workers}")
        return out

    def wait_converged(self, gw: Gateway, deadline: float, point: str) -> None:
        while True:
            problems = self.problems(gw)
            if not problems:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{point}: not converged within {CONVERGE_S} s: {problems}")
            time.sleep(0.2)

    def check_compute(self, gw: Gateway, name: str, deadline: float, point: str) -> None:
        """The client connects through the proxy and sees the wanted workers compute."""
        want = self.wants[name].workers
        cluster = gw.connect(name)
        try:
            with Client(cluster, set_as_default=False) as client:
                while len(client.scheduler_info()["workers"]) != want:
                    if time.monotonic() > deadline:
                        have = len(client.scheduler_info()["workers"])
                        raise AssertionError(f"{point}: the scheduler has {have} workers, wanted {want}")
                    time.sleep(0.2)
                if want > 0:
                    assert client.submit(lambda x: x + 1, 41).result(timeout=30) == 42
        finally:
            cluster.close(shutdown=False)

    def new_cluster_name(self, gw: Gateway, returned) -> str:
        """The one cluster the crashed create left (found by listing: the client never got it)."""
        names = {r.name for r in gw.list_clusters(status=ALL_STATES)} - set(self.wants)
        if returned is not None:
            assert names <= {returned.name}
            return returned.name
        assert len(names) == 1, f"expected exactly one new cluster record, found {sorted(names)}"
        return names.pop()
