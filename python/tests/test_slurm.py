"""Slurm-only behaviour on the real Slurm of scripts/slurm/slurm-up.sh (10 nodes of 4 CPUs /
16 GiB, partition 'three' of 3 nodes): packing as Slurm reports it, the pool read from sinfo,
queued jobs (PENDING with Slurm's reason; start timeouts count from running; the queue timeout),
the staging directory, and jobs submitted as the requesting Unix user."""
import getpass
import json
import os
import shutil
import stat
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from dask_gateway import BasicAuth, GatewayClusterError

from backends import SlurmBackend, slurm_jobs, squeue, worker_nodes
from conftest import wait_for_workers
from gatehouse_fixture import VENV, free_port, wait_until
from test_backend_conformance import PROFILES, TIMEOUT, admin_view, get_json
from test_pool import stays

pytestmark = [
    pytest.mark.slurm,
    pytest.mark.filterwarnings(
        r"ignore:Exception ignored in. <function Gateway\.__del__:pytest.PytestUnraisableExceptionWarning"
    ),
]

SLURM = SlurmBackend()


def blocker(nodes: int = 3) -> str:
    """A job from outside Gatehouse holding every node of partition 'three'."""
    out = subprocess.run(
        ["sbatch", "--parsable", "-p", "three", f"-N{nodes}", "--exclusive", "-o", "/dev/null",
         "--job-name=outsider", "--wrap", "sleep 600"],
        check=True, capture_output=True, text=True).stdout
    job = out.strip().split(";")[0]
    wait_until(lambda: [r for r in squeue("%i|%T") if r == [job, "RUNNING"]], 30, "the blocker to run")
    return job


def logged(g, msg: str) -> list[dict]:
    """The gateway's JSON log records with message ``msg``."""
    out = []
    for line in g.log_file.read_text(errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("msg") == msg:
            out.append(rec)
    return out


def test_small_workers_pack_two_per_node_and_the_pool_comes_from_sinfo(gatehouse, gateway_client):
    g = gatehouse(config=SLURM.config({**PROFILES, "access": {"admin_users": ["admin"]}},
                                      pool_nodes=3))
    pool = get_json(g, "/api/v1/pool")
    assert pool["machine_types"] == [{"name": "three", "cores": 4, "memory": 16 * 2**30, "count": 3}]
    cluster = gateway_client(g, auth=BasicAuth(username="alice")).new_cluster(profile="Small Worker")
    cluster.scale(4)
    wait_for_workers(cluster, exact=4, timeout=TIMEOUT)
    wait_until(lambda: len(worker_nodes(cluster.name)) == 4, TIMEOUT, "4 running worker jobs")
    assert sorted(Counter(worker_nodes(cluster.name)).values()) == [2, 2], worker_nodes(cluster.name)
    assert get_json(g, "/api/v1/pool")["machines_in_use"] == 2

    # Credentials travel in the staging directory only: 0700, files 0600, gone at stop.
    staging = Path(g.config["data_dir"]) / "staging" / cluster.name
    assert stat.S_IMODE(staging.stat().st_mode) == 0o700
    for f in [p for p in staging.rglob("*") if p.is_file()]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    token = (staging / "worker.env").read_text().split("DASK_GATEWAY_API_TOKEN=")[1].split("\n")[0]
    job = slurm_jobs(cluster.name)["workers"][0]
    script = subprocess.run(["scontrol", "write", "batch_script", job, "-"],
                            check=True, capture_output=True, text=True).stdout
    assert token.strip("'") not in script and "worker.env" in script
    cluster.shutdown()
    wait_until(lambda: not staging.exists(), 30, "the staging directory to be removed")
    wait_until(lambda: slurm_jobs(cluster.name) == {"scheduler": [], "workers": []}, 60,
               "every job to end")


# Long enough for a worker to connect once its job runs on a loaded machine; the test keeps
# the job queued for longer than this.
START = 15


def test_queued_worker_is_pending_with_the_reason_and_start_timeout_counts_from_running(
        gatehouse, gateway_client):
    g = gatehouse(config=SLURM.config(
        {**PROFILES, "backend": {"worker_start_timeout": START, "scheduler_placement": "local"}},
        pool_nodes=3))
    held = blocker()
    try:
        cluster = gateway_client(g).new_cluster(profile="Small Worker")
        cluster.scale(1)
        wait_until(lambda: logged(g, "job queued"), TIMEOUT, "the worker to be reported queued")
        [rec] = logged(g, "job queued")
        assert rec["cluster"] == cluster.name and rec["worker"] and rec["reason"] == "Resources"
        events = get_json(g, f"/api/v1/clusters/{cluster.name}/events", user=getpass.getuser())["events"]
        queued = [e for e in events if e["type"] == "worker.queued"]
        assert [(e["worker"], e["data"]["reason"]) for e in queued] == [(rec["worker"], "Resources")]
        # Longer than the start timeout in the queue: still the same pending job, not given up.
        [job] = slurm_jobs(cluster.name)["workers"]
        stays(lambda: [job, "PENDING"] in squeue("%i|%T"), START + 3,
              "the worker job to stay pending")
        assert slurm_jobs(cluster.name)["workers"] == [job]
        assert not logged(g, "worker given up")
    finally:
        subprocess.run(["scancel", held], check=True)
    wait_for_workers(cluster, exact=1, timeout=TIMEOUT)
    assert slurm_jobs(cluster.name)["workers"] == [job]
    cluster.shutdown()


def test_queue_timeout_fails_the_cluster_with_slurms_reason(gatehouse, gateway_client):
    g = gatehouse(config=SLURM.config(
        {"access": {"admin_users": ["admin"]},
         "backend": {"queue_timeout": 3, "scheduler_placement": "slurm"}}, pool_nodes=3))
    held = blocker()
    try:
        gw = gateway_client(g)
        with pytest.raises(GatewayClusterError, match="failed to start"):
            gw.new_cluster()
        [failed] = gw.list_clusters(status=["FAILED"])
        reason = admin_view(g, failed.name)["stop_reason"]
        assert reason == ("the scheduler job waited in the queue for more than 3 s "
                          "(reason: Resources)"), reason
        wait_until(lambda: slurm_jobs(failed.name)["scheduler"] == [], 30, "the job to be cancelled")
    finally:
        subprocess.run(["scancel", held], check=True)


USER = "ghslurmuser"


@pytest.fixture
def unix_user():
    """A Unix account for the submit-as-user test (created if missing, removed if created)."""
    if os.geteuid() != 0:
        pytest.skip("submitting as another user needs root")
    created = subprocess.run(["id", USER], capture_output=True).returncode != 0
    if created:
        subprocess.run(["useradd", "-M", "-s", "/bin/sh", USER], check=True)
    yield USER
    if created:
        subprocess.run(["userdel", USER], check=False)


def test_jobs_run_as_the_requesting_unix_user(unix_user, gatehouse, gateway_client):
    python = str(VENV / "bin" / "python")
    usable = subprocess.run(["runuser", "-u", unix_user, "--", python, "-c", "import distributed"],
                            capture_output=True)
    if usable.returncode != 0:
        pytest.skip(f"{python} is not usable by {unix_user} (its directory is private)")
    shared = Path(tempfile.mkdtemp(prefix="gatehouse-slurm-"))
    shared.chmod(0o711)
    try:
        g = gatehouse(config=SLURM.config({"backend": {
            "submit_as_user": True, "staging_directory": str(shared / "staging"),
            "logs_directory": str(shared / "logs")}}))
        cluster = gateway_client(g, auth=BasicAuth(username=unix_user)).new_cluster()
        cluster.scale(1)
        wait_for_workers(cluster, exact=1, timeout=TIMEOUT)
        users = {u for _i, name, u in squeue("%i|%j|%u") if cluster.name in name}
        assert users == {unix_user}
        staging = shared / "staging" / cluster.name
        assert staging.stat().st_uid == int(subprocess.run(["id", "-u", unix_user], check=True,
                                                           capture_output=True).stdout)
        cluster.shutdown()
        wait_until(lambda: slurm_jobs(cluster.name) == {"scheduler": [], "workers": []}, 60,
                   "every job to end")
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_restarted_gateway_readopts_its_slurm_jobs(gatehouse, gateway_client):
    g = gatehouse(config=SLURM.config({"stop_clusters_on_shutdown": False}), port=free_port())
    cluster = gateway_client(g).new_cluster()
    cluster.scale(1)
    wait_for_workers(cluster, exact=1, timeout=TIMEOUT)
    name = cluster.name
    before = slurm_jobs(name)
    cluster.close(shutdown=False)
    g.kill()
    assert slurm_jobs(name) == before  # jobs outlive the gateway
    g.start()
    gw = gateway_client(g)
    assert [c.name for c in gw.list_clusters()] == [name]
    again = gw.connect(name)
    again.scale(2)
    wait_for_workers(again, exact=2, timeout=TIMEOUT)
    after = slurm_jobs(name)
    assert after["scheduler"] == before["scheduler"]
    assert set(before["workers"]) < set(after["workers"]) and len(after["workers"]) == 2
    again.shutdown()
    wait_until(lambda: slurm_jobs(name) == {"scheduler": [], "workers": []}, 60, "every job to end")
