"""The seed workflow (../shared/seed/using-dask-gateway.rst), line by line, as a notebook runs it.

Run as a script with DASK_CONFIG pointing at the configuration `gatehouse client-config`
printed, so `Gateway()` is called without arguments. Prints one JSON line of observations.

A notebook keeps every displayed value in its output history (`Out`), which is what keeps the
first `cluster` object alive when the seed rebinds the name; `shown(...)` does the same here.
"""
import json

Out = []


def shown(value):
    """A notebook cell whose last line is `value`: displayed and kept in the output history."""
    Out.append(value)
    repr(value)
    return value


from dask_gateway import Gateway
from distributed import Client

gateway = Gateway()

options = gateway.cluster_options()
shown(options)

cluster = gateway.new_cluster(options)
shown(cluster)

cluster.scale(2)

existing_clusters = gateway.list_clusters()
shown(existing_clusters)

cluster = cluster = gateway.connect(existing_clusters[0].name)
shown(cluster)

client = Client(cluster)
shown(client)

client.wait_for_workers(2, timeout=120)
import dask.array as da  # noqa: E402

total = float(da.ones((2000, 2000), chunks=500).sum().compute())
workers = sorted(w["name"] for w in client.scheduler_info()["workers"].values())
listed = [c.name for c in existing_clusters]
link = cluster.dashboard_link

client.close()
cluster.shutdown()

after = [c.name for c in gateway.list_clusters()]
print(json.dumps({"name": cluster.name, "total": total, "workers": workers, "listed": listed,
                  "dashboard_link": link, "after": after}))
