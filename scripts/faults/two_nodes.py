"""Two web nodes on one database: a change made through one is seen at once through the other,
although each process caches public lookups.

    .venv/bin/python scripts/faults/two_nodes.py [--dossiers 10] [--lookups 8]

Starts the platform (scripts/faults/common.py) as node A and a second gunicorn as node B (its own
port and processes, the same database, as a second server would). For each of `--dossiers`
dossiers received through A: looks it up `--lookups` times through both nodes (so that every
process of each has it cached), withdraws it through the other node than the one that will be
asked next, then looks it up again through every process of both. Every answer after the change
must show it: the caches are keyed by the dossier's row version, never by time alone.
"""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PYTHON, ROOT, Stack, drop_database, free_port, git_commit, stamp

DB_NAME = "cchc_faults_nodes"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=10)
    parser.add_argument("--lookups", type=int, default=8)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="faults-nodes-") as tmp:
        stack = Stack(DB_NAME, work_dir=Path(tmp), web_workers=2)
        stack.prepare()
        stack.start()
        port_b = free_port()
        env = {**stack.env(), "PROMETHEUS_MULTIPROC_DIR": str(Path(tmp) / "prometheus-b")}
        node_b = subprocess.Popen(
            [
                PYTHON, "-m", "gunicorn", "cchc.wsgi", "--config", "python:cchc.ops.gunicorn_conf",
                "--bind", f"127.0.0.1:{port_b}", "--workers", "2", "--threads", "4",
            ],
            env=env, cwd=ROOT, stdout=(Path(tmp) / "b.log").open("wb"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_ready(port_b)
            result = run(stack, port_b, args)
        finally:
            node_b.send_signal(signal.SIGTERM)
            node_b.wait(timeout=60)
            stack.stop()
        if not args.keep:
            drop_database(DB_NAME)
    return result


def wait_ready(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if request(port, "GET", "/thu-tuc/")[0] == 200:
            return
        time.sleep(0.5)
    raise RuntimeError("node B did not start")


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data
    except (OSError, http.client.HTTPException):
        return 0, b""


def run(stack: Stack, port_b: int, args: argparse.Namespace) -> int:
    ports = {"A": stack.port, "B": port_b}
    stale = 0
    answers = 0
    for n in range(args.dossiers):
        status, data = request(
            stack.port, "POST", "/api/v1/dossiers", stack.receipt(n), stack.headers()
        )
        assert status == 201, (status, data[:200])
        code = json.loads(data)["code"]
        public = f"/api/v1/public/dossiers/{code}"
        for _ in range(args.lookups):
            for port in ports.values():
                assert json.loads(request(port, "GET", public)[1])["status"] == "received"
        actor = "B" if n % 2 == 0 else "A"
        detail = json.loads(
            request(ports[actor], "GET", f"/api/v1/dossiers/{code}", headers=stack.headers())[1]
        )
        status, data = request(
            ports[actor],
            "POST",
            f"/api/v1/dossiers/{code}/actions/withdraw",
            json.dumps({"version": detail["version"], "reason": "Người nộp rút hồ sơ"}).encode(),
            stack.headers(),
        )
        assert status == 200, (status, data[:300])
        for _ in range(args.lookups):
            for port in ports.values():
                answers += 1
                if json.loads(request(port, "GET", public)[1])["status"] != "withdrawn":
                    stale += 1
    print(f"\ntwo web nodes, one database ({stamp()}, commit {git_commit()})")
    print(f"  dossiers changed through one node, then looked up through both: {args.dossiers}")
    print(f"  lookups after the change  {answers} (2 nodes × 2 processes, all had it cached)")
    print(f"  stale answers             {stale}")
    print("RESULT", "OK: no stale answer" if stale == 0 else "FAILED")
    return 0 if stale == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
