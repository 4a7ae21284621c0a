"""Failover under load (the postgres suite; skipped without GATEHOUSE_PG_URL): three
``gatehouse serve`` replicas on one real PostgreSQL behind two ``gatehouse proxy`` processes
(``proxy.gateway_urls``: every replica; ``proxy.control_urls``: every proxy), on one host.

A real client runs the seed workflow (new_cluster, scale, compute, shutdown) in a loop through
the first proxy while a long-lived cluster stays up. The leader is SIGKILLed: a follower takes
over, the long-lived cluster is still listed (through either proxy) and computes, the loop goes
on, and no cluster is lost or duplicated. Then a follower is SIGKILLed and the loop goes on.
At the end no cluster process is left behind (the fixture's orphan check). Printed: the
takeover time and the count of failed client calls (a call may fail only if it was in flight
on the killed replica)."""
from __future__ import annotations

import os
import signal
import threading
import time
import traceback
import uuid

import pytest
from dask_gateway import Gateway
from distributed import Client

from conftest import wait_for_workers
from gatehouse_fixture import (PG_URL, GatehouseProxy, free_port, postgres_store, processes_of,
                               wait_until)

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs GATEHOUSE_PG_URL (the postgres suite)")

TOKEN = "failover-token-" + uuid.uuid4().hex
LEASE_SECONDS = 1.5
T0 = time.monotonic()


def step(what: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f} s] {what}", flush=True)


def logged(g, event: str) -> bool:
    return f'"event":"{event}"' in g.log_file.read_text(errors="replace")


class WorkflowLoop(threading.Thread):
    """The seed workflow in a loop, counting each call and each failed one."""

    def __init__(self, address: str, proxy_address: str):
        super().__init__(daemon=True)
        self.gateway = Gateway(address=address, proxy_address=proxy_address)
        self.calls = 0
        self.failed: list[str] = []
        self.created: list[str] = []
        self.rounds = 0
        self.halt = threading.Event()
        self.done = threading.Condition()

    def call(self, what: str, fn):
        self.calls += 1
        try:
            return fn()
        except Exception as e:  # counted, printed, and the round starts over
            self.failed.append(f"{what}: {type(e).__name__}: {e}")
            step(f"client call failed: {what}: {e!r}")
            raise

    def round(self) -> None:
        gw = self.gateway
        cluster = self.call("new_cluster", gw.new_cluster)
        self.created.append(cluster.name)
        try:
            self.call("scale", lambda: cluster.scale(1))
            assert cluster.name in [c.name for c in self.call("list_clusters", gw.list_clusters)]
            with Client(cluster, timeout=60) as client:
                self.call("wait_for_workers", lambda: client.wait_for_workers(1, timeout=60))
                assert self.call("compute", lambda: client.submit(sum, range(10)).result(60)) == 45
        finally:
            self.call("shutdown", cluster.shutdown)

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.round()
            except Exception:
                traceback.print_exc()
                continue
            with self.done:
                self.rounds += 1
                self.done.notify_all()

    def rounds_after(self, n: int, timeout: float) -> None:
        """Waits until ``n`` more rounds completed."""
        with self.done:
            goal = self.rounds + n
            assert self.done.wait_for(lambda: self.rounds >= goal, timeout), \
                f"the workflow did not complete {n} more round(s); failures: {self.failed}"


def test_sigkill_the_leader_then_a_follower_under_a_client_loop(gatehouse, tmp_path, searchable_tmp):
    ports = [free_port() for _ in range(3)]
    upstreams = [f"http://127.0.0.1:{p}" for p in ports]
    proxies = [
        GatehouseProxy(tmp_path / f"proxy{i}", TOKEN, ports[0], config={
            "proxy": {"gateway_urls": upstreams, "hold_seconds": 15, "health_period": 0.2}})
        for i in range(2)
    ]
    loop = None
    try:
        shared = tmp_path / "shared"
        store = {**postgres_store(shared), "lease_seconds": LEASE_SECONDS}
        # Replicas of the local backend share the clusters' directories: a new leader starts
        # workers of clusters another started, in their working directory.
        # (Cluster uids must reach them: under a directory every uid may traverse.)
        backend = {"clusters_directory": str(searchable_tmp / "clusters"),
                   "logs_directory": str(searchable_tmp / "logs")}
        replicas = []
        for i, port in enumerate(ports):
            replicas.append(gatehouse({"store": store, "backend": backend, "proxy": {
                "mode": "external", "api_listen": f"127.0.0.1:{port}", "token": TOKEN,
                "control_urls": [p.control_url for p in proxies], "sync_period": 1}}, name=f"r{i}"))
            if i == 0:
                wait_until(lambda: logged(replicas[0], "ha.leading"), 30, "the first replica to lead")
        leader, *followers = replicas
        assert all(r.url == proxies[0].url for r in replicas), "schedulers get the proxy's URL"
        step("three replicas behind two proxies")

        # A cluster that lives through both kills, reached through the second proxy.
        other = Gateway(address=proxies[1].url, proxy_address="gateway://" + proxies[1].url.split("://")[1])
        keep = other.new_cluster()
        keep.scale(1)
        keep_client = Client(keep, timeout=60)
        keep_client.wait_for_workers(1, timeout=60)
        assert keep_client.submit(lambda: 1 + 1).result(60) == 2
        assert processes_of(proxies[0].url + "/api"), \
            "the scheduler's DASK_GATEWAY_API_URL is the proxy's, not a replica's"

        loop = WorkflowLoop(proxies[0].url, "gateway://" + proxies[0].url.split("://")[1])
        loop.start()
        loop.rounds_after(1, 90)
        step(f"workflow running ({loop.rounds} round(s))")

        time.sleep(1)  # lands the kill inside a round
        os.kill(leader.proc.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        leader.proc.wait(10)
        leader.proc = None
        new = wait_until(lambda: next((f for f in followers if logged(f, "ha.leading")), None), 30,
                         "a follower to lead")
        takeover = time.monotonic() - killed_at
        step(f"takeover after SIGKILL of the leader: {takeover:.2f} s (lease {LEASE_SECONDS} s)")

        names = [c.name for c in other.list_clusters()]
        assert names.count(keep.name) == 1, names
        assert keep_client.submit(lambda: 2 + 3).result(60) == 5
        loop.rounds_after(1, 90)
        step(f"workflow went on after the leader's death ({loop.rounds} rounds)")

        victim = next(f for f in followers if f is not new)
        os.kill(victim.proc.pid, signal.SIGKILL)
        victim.proc.wait(10)
        victim.proc = None
        loop.rounds_after(1, 90)
        assert logged(new, "ha.leading")
        step(f"workflow went on after a follower's death ({loop.rounds} rounds)")

        loop.halt.set()
        loop.join(120)
        assert not loop.is_alive()
        print(f"failover: takeover {takeover:.2f} s; client calls {loop.calls}, "
              f"failed {len(loop.failed)}: {loop.failed}", flush=True)
        # One call at most was in flight on each killed replica.
        assert len(loop.failed) <= 2, loop.failed

        listed = [c.name for c in other.list_clusters()]
        assert len(listed) == len(set(listed)), f"a cluster is listed twice: {listed}"
        assert keep.name in listed
        # Every round's cluster was stopped; nothing else runs (none lost, none duplicated).
        running = [c.name for c in other.list_clusters(status="running")]
        assert keep.name in running, running
        # A new_cluster() in flight on the killed leader may have created one the client never
        # learnt of; it must still be listed once (the new leader adopted it), then it is stopped.
        unknown = set(running) - {keep.name}
        assert not unknown or any(f.startswith("new_cluster") for f in loop.failed), running
        for name in unknown:
            other.stop_cluster(name)
        keep_client.close()
        keep.shutdown()
        wait_until(lambda: not other.list_clusters(), 60, "the last cluster to stop")
        other.close()
        loop.gateway.close()
        # Stop the replicas here, the leader last (the fixture drops the shared database).
        new.stop()
        api = proxies[0].url + "/api"
        try:
            wait_until(lambda: not processes_of(api), 30, "every cluster process to exit")
        except AssertionError:
            left = {pid: open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ")[:300]
                    for pid in processes_of(api)}
            raise AssertionError(f"processes left behind: {left}") from None
    finally:
        if loop is not None:
            loop.halt.set()
        for p in proxies:
            p.stop()
