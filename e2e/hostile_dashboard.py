"""Clusters for the hostile-dashboard browser test (e2e/hostile-dashboard.test.mjs).

Started by the test with the gateway's URL, a records file and the probe page's HTML. As the
unmodified dask-gateway client would, it creates two real clusters:

* bob's, where bob (through ``client.run_on_scheduler``, which any cluster owner may call) stops
  the scheduler's Bokeh HTTP server and serves, on the very same dashboard port, a small
  recording HTTP server: every request's method, path and headers go to the records file as one
  JSON line, a GET answers the hostile page, and a POST to ``.../report`` stores what the page's
  script found. The gateway's proxy reaches it exactly as it reaches a real dashboard.
* alice's, a real dashboard scaled to two workers.

It prints one JSON line (cluster names and dashboard links) and keeps both clusters until its
standard input closes, then shuts them down.
"""
from __future__ import annotations

import json
import sys

from dask_gateway import BasicAuth, Gateway


def serve_hostile(dask_scheduler, records: str, html: str) -> int:
    """Runs in bob's scheduler: replaces the Bokeh server by a recording one on its port."""
    import http.server
    import threading

    from urllib.parse import urlparse

    # The scheduler's own address: with isolation the firewall lets a cluster answer only there.
    host, port = urlparse(dask_scheduler.address).hostname, dask_scheduler.http_server.port
    dask_scheduler.http_server.stop()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self, extra: dict) -> None:
            entry = {"method": self.command, "path": self.path, "headers": dict(self.headers.items())}
            with open(records, "a", encoding="utf-8") as f:
                f.write(json.dumps({**entry, **extra}) + "\n")

        def do_GET(self):  # noqa: N802 (http.server's naming)
            self._record({})
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            # A dashboard may try to plant a cookie in whatever origin it is served from.
            self.send_header("Set-Cookie", "planted=1; Path=/")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):  # noqa: N802
            n = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(n).decode("utf-8", errors="replace")
            self._record({"report": data} if self.path.endswith("/report") else {})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host or "127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return port


def main() -> None:
    url, records, html_file = sys.argv[1:4]
    with open(html_file, encoding="utf-8") as f:
        html = f.read()
    bob = Gateway(url, auth=BasicAuth("bob", "secret"))
    alice = Gateway(url, auth=BasicAuth("alice", "secret"))
    hostile = bob.new_cluster()
    real = alice.new_cluster()
    real.scale(2)
    port = hostile.get_client().run_on_scheduler(serve_hostile, records=records, html=html)
    client = real.get_client()
    client.wait_for_workers(2, timeout=240)
    print(
        json.dumps(
            {
                "hostile": hostile.name,
                "hostile_link": hostile.dashboard_link,
                "hostile_port": port,
                "real": real.name,
                "real_link": real.dashboard_link,
            }
        ),
        flush=True,
    )
    sys.stdin.read()
    for c in (hostile, real):
        c.shutdown()


if __name__ == "__main__":
    main()
