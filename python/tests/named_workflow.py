"""Named clusters with whatever dask-gateway client runs this script (the older pinned ones).

Run with DASK_CONFIG pointing at `gatehouse client-config`'s output and the name as argument:
creates a cluster of that name through cluster_options(), connects to it by name from a fresh
Gateway, scales and shuts it down through that object, and prints one JSON line of what it saw.
"""
import json
import sys
import time

from dask_gateway import Gateway
from distributed import Client

name = sys.argv[1]


def refusal(gateway, wanted):
    opts = gateway.cluster_options()
    opts.cluster_name = wanted
    try:
        gateway.stop_cluster(gateway.submit(opts))
    except ValueError as e:
        return str(e)
    return "created"


def wait(predicate, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


creator = Gateway()
opts = creator.cluster_options()
opts.cluster_name = name
first = creator.new_cluster(opts, shutdown_on_close=False)
duplicate_error = refusal(creator, name)

fresh = Gateway()
named = fresh.connect(name)
named.scale(1)
# The creator's own object sees the worker the named one asked for (through a dask client: the
# scheduler streams worker changes to its latest subscriber only).
with Client(first) as client:
    client.wait_for_workers(1, timeout=120)
    workers_seen = len(client.scheduler_info()["workers"])
named.shutdown()
wait(lambda: creator.get_cluster(first.name).status.name == "STOPPED", "the cluster to stop")
reuse_error = refusal(creator, name)

print(json.dumps({
    "id": first.name,
    "connected_name": named.name,
    "resolved_id": fresh.get_cluster(name).name,
    "workers_seen_by_creator": workers_seen,
    "status_after": creator.get_cluster(first.name).status.name,
    "duplicate_error": duplicate_error,
    "reuse_error": reuse_error,
}))
first.close()
fresh.close()
creator.close()
