"""gunicorn settings shared by `manage.py serve` and the systemd unit
(`gunicorn -c python:cchc.ops.gunicorn_conf …`); bind address and worker count come from the
command line.

Metrics from several worker processes are merged by prometheus_client's multiprocess mode: each
process writes its counters under PROMETHEUS_MULTIPROC_DIR, emptied when the master starts, and a
worker's files are marked dead when it exits (a worker killed by the master or by kill -9 is
replaced, and its counts stay in the totals).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# The application writes one access line per request, with its request id, as JSON
# (cchc.ops.middleware); gunicorn's own log says only what goes wrong with its processes.
accesslog = None
errorlog = "-"
loglevel = "warning"
# A request that takes longer is stuck (the slowest report is a few seconds): the worker is
# replaced. Workers finish what they serve within graceful_timeout on SIGTERM.
timeout = 60
graceful_timeout = 20
# Requests after which a worker is replaced (with jitter, so all workers do not restart together):
# a slow leak never grows for weeks.
max_requests = 5000
# An idle keep-alive connection is closed by gunicorn after `keepalive` seconds (default 2). A
# client that sends on it at that moment gets no answer (seen in the load test: 3-7 receipts in
# 37,000, `docs/reliability.md`, "Load"); nginx would answer 502 for a POST it cannot retry. So
# the server keeps idle connections longer than nginx's upstream `keepalive_timeout` (60 s in
# deploy/nginx/cchc.conf): nginx, not gunicorn, is the side that closes them.
keepalive = 75
max_requests_jitter = 500


# Under systemd (RuntimeDirectory=cchc-web) the folder is /run/cchc-web/prometheus unless the
# environment names one. Set here, in the master, before any worker imports prometheus_client.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR") and os.environ.get("RUNTIME_DIRECTORY"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(
        Path(os.environ["RUNTIME_DIRECTORY"].split(":")[0]) / "prometheus"
    )


def _multiproc_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(value) if value else None


def on_starting(server: Any) -> None:
    directory = _multiproc_dir()
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if _multiproc_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
