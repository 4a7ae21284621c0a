"""The fault suite (issue 5): for every registered fault point, the gateway is SIGKILLed there
while the real client creates, scales, adapts or stops a cluster, is restarted unarmed on the
same address, and must converge within 30 s: every record kept, every cluster RUNNING with the
wanted workers (computing through the proxy) or STOPPED, no orphan process, and the client saw
only documented states. Phases run in order and share clusters (docs/faults.md).
"""
from __future__ import annotations

import time
import warnings

import pytest

from fault_run import CONFIG, CONVERGE_S, DOCUMENTED_STATES, FaultRun, Want, registered_points
from gatehouse_fixture import Gatehouse, free_port, wait_until

PHASES: list[tuple[str, object]] = []


def phase(point: str):
    def register(fn):
        PHASES.append((point, fn))
        return fn

    return register


def create(run: FaultRun, point: str, role: str) -> None:
    """A user creates a cluster (`new_cluster` waits for RUNNING); it must end RUNNING."""

    def found(gw, returned):
        name = run.new_cluster_name(gw, returned)
        run.wants[name] = Want("RUNNING", 0)
        run.roles[name] = role

    run.crash_and_recover(point, lambda gw: gw.new_cluster(shutdown_on_close=False), role, found)


def stop(run: FaultRun, point: str, role: str) -> None:
    """A user stops a cluster; it must end STOPPED with no process left."""
    name = run.role(role)
    run.wants[name] = Want("STOPPED")
    run.crash_and_recover(point, lambda gw: gw.stop_cluster(name), None)


def scale(run: FaultRun, point: str, n: int, *, reaches_scheduler: bool = True) -> None:
    """A user scales the main cluster to `n`; it must end with `n` workers (or the old count when
    the gateway died before the scheduler was told)."""
    name = run.role("main")
    if reaches_scheduler:
        run.wants[name] = Want("RUNNING", n)
    run.crash_and_recover(point, lambda gw: gw.scale_cluster(name, n), "main")


def adapt(run: FaultRun, point: str, n: int, *, reaches_scheduler: bool = True) -> None:
    """A user makes the main cluster adaptive with minimum = maximum = `n`."""
    name = run.role("main")
    if reaches_scheduler:
        run.wants[name] = Want("RUNNING", n)
    run.crash_and_recover(point, lambda gw: gw.adapt_cluster(name, minimum=n, maximum=n), "main")


#: The pool of the grant phases: one machine, so a second worker waits in the gateway's queue.
GRANT_POOL = {"machine_types": [{"name": "m", "cores": 1, "memory": "64 G", "count": 1}],
              "when_full": "queue"}


def grant(run: FaultRun, point: str, holder: str, waiter: str) -> None:
    """The one-machine pool is held by `holder`'s worker; a new cluster `waiter` scales to one
    worker, which waits in the queue; `holder` is stopped, and its machine is granted to
    `waiter` (the point fires in that grant). After the restart `waiter` must have exactly one
    worker (not lost, not granted twice) and `holder` none."""
    run.g.config["pool"] = GRANT_POOL

    def act(gw):
        held = run.role(holder)
        c = gw.new_cluster(shutdown_on_close=False)
        run.roles[c.name] = waiter
        run.wants[c.name] = Want("RUNNING", 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the GatewayWarning: "0 workers now, 1 waiting"
            gw.scale_cluster(c.name, 1)
        run.wants[held] = Want("STOPPED")
        gw.stop_cluster(held)

    run.crash_and_recover(point, act, waiter)


def grant_holder(run: FaultRun) -> None:
    """Before the grant phases: a cluster holding the one machine (role `qa`), unarmed."""
    run.g.config["pool"] = GRANT_POOL
    run.start(armed=None)
    gw = run.gateway()
    try:
        c = gw.new_cluster(shutdown_on_close=False)
        run.roles[c.name] = "qa"
        run.wants[c.name] = Want("RUNNING", 1)
        gw.scale_cluster(c.name, 1)
        run.wait_converged(gw, time.monotonic() + CONVERGE_S, "grant setup")
    finally:
        gw.close()
        run.stop()


def grant_chosen(run: FaultRun, point: str) -> None:
    grant_holder(run)
    grant(run, point, "qa", "qb")


# Create and stop, alternating so that few schedulers run at once.
phase("create.record_inserted")(lambda run, p: create(run, p, "main"))
phase("create.before_scheduler_spawn")(lambda run, p: create(run, p, "b"))
phase("stop.target_saved")(lambda run, p: stop(run, p, "b"))
phase("create.scheduler_spawned")(lambda run, p: create(run, p, "c"))
phase("stop.closing_saved")(lambda run, p: stop(run, p, "c"))
phase("create.scheduler_saved")(lambda run, p: create(run, p, "d"))
phase("stop.before_scheduler_stop")(lambda run, p: stop(run, p, "d"))
phase("heartbeat.addresses_applied")(lambda run, p: create(run, p, "e"))
phase("stop.scheduler_stopped")(lambda run, p: stop(run, p, "e"))
phase("create.promoted")(lambda run, p: create(run, p, "f"))
phase("create.running_saved")(lambda run, p: create(run, p, "g"))
# Scale the main cluster up and down between one and two workers.
phase("scale.before_command")(lambda run, p: scale(run, p, 1, reaches_scheduler=False))
phase("scale.after_command")(lambda run, p: scale(run, p, 1))
phase("heartbeat.worker_running")(lambda run, p: scale(run, p, 2))
phase("heartbeat.worker_closed")(lambda run, p: scale(run, p, 1))
phase("workers.record_inserted")(lambda run, p: scale(run, p, 2))
phase("worker.before_stop")(lambda run, p: scale(run, p, 1))
phase("worker.before_spawn")(lambda run, p: scale(run, p, 2))
phase("worker.stopped")(lambda run, p: scale(run, p, 1))
phase("worker.spawned")(lambda run, p: scale(run, p, 2))
phase("heartbeat.count_applied")(lambda run, p: scale(run, p, 1))
phase("worker.saved")(lambda run, p: scale(run, p, 2))
phase("heartbeat.count_saved")(lambda run, p: scale(run, p, 1))
phase("adapt.before_command")(lambda run, p: adapt(run, p, 2, reaches_scheduler=False))
phase("adapt.after_command")(lambda run, p: adapt(run, p, 2))
# Stop the main cluster while it has workers.
phase("stop.worker_target_saved")(lambda run, p: stop(run, p, "main"))
# Pool queue grants on a one-machine pool: the machine passes from cluster to cluster.
phase("grant.chosen")(grant_chosen)
phase("grant.saved")(lambda run, p: grant(run, p, "qb", "qc"))

REGISTERED = registered_points()


@pytest.fixture(scope="module")
def run(tmp_path_factory, fault_report):
    g = Gatehouse(tmp_path_factory.mktemp("faults"), CONFIG, port=free_port())
    g.stop()
    r = FaultRun(g)
    fault_report["run"] = r
    yield r
    # Stop what is left, then make sure nothing of this gateway survives (killed if need be).
    try:
        if g.proc is None:
            r.start(armed=None)
        gw = r.gateway()
        for c in gw.list_clusters():
            gw.stop_cluster(c.name)
        gw.close()
        for name in r.wants:
            r.wants[name] = Want("STOPPED")
        wait_until(lambda: not r.process_problems(), 60, "every process to exit")
    finally:
        g.stop()
        g.kill_leftovers()


@pytest.mark.parametrize("point", [p for p, _ in PHASES])
def test_fault_point_converges(run: FaultRun, point: str):
    if run.failed is not None:
        pytest.skip(f"the phase of {run.failed} failed; later phases build on it")
    try:
        dict(PHASES)[point](run, point)
    except BaseException:
        run.failed = point
        raise
    unexpected = run.seen_states - DOCUMENTED_STATES
    assert not unexpected, f"the client saw undocumented states {unexpected}"


def test_every_registered_point_has_a_phase():
    points = [p for p, _ in PHASES]
    assert len(set(points)) == len(points), "a point has two phases"
    assert sorted(points) == sorted(REGISTERED)
    assert len(REGISTERED) >= 20


def test_every_registered_point_fired(run: FaultRun):
    missing = [p for p in REGISTERED if p not in run.fired]
    assert not missing, f"fault points that never fired: {missing}"
    assert sorted(run.fired) == sorted(REGISTERED)
    assert run.seen_states <= DOCUMENTED_STATES and {"RUNNING", "STOPPED"} <= run.seen_states
