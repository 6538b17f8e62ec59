"""Restart PostgreSQL under load: 503 only while it is away, back by itself, nothing half-written.

    .venv/bin/python scripts/faults/restart_db.py [--clients 6] [--before 10] [--after 20]

Starts the platform (scripts/faults/common.py), receives 20 dossiers and looks each up a few
times (so the public lookup has them cached), then drives a mixed load from `--clients` threads:
7 in 10 requests are public lookups (API and page) of those dossiers, 3 in 10 receipts with their
own Idempotency-Key, sent again with the same key after a connection error or a 503, as an
integration must. After `--before` seconds it restarts the PostgreSQL cluster
(`pg_ctlcluster <version> main restart -m fast`: every connection is cut) and keeps the load on
for `--after` seconds. A probe connects to PostgreSQL every 0.1 s to time the outage.

It checks: no answer 500 (or any 5xx other than 503); 503 only from the outage's start to a few
seconds after PostgreSQL accepts connections again; every answer 2xx after that; one dossier per
key, none half-written; the job worker back by itself (every message queued before, during and
after the restart is sent, none twice). The cluster is shared: the outage lasts a few seconds.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SERVER, Sink, Stack, drop_database, git_commit, now, stamp

DB_NAME = "cchc_faults_db"
# After PostgreSQL accepts connections again, a request already in flight may still fail (its
# connection was cut) and be answered 503: this long is counted as part of the outage.
GRACE = 3.0


def pg_version() -> str:
    return sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--before", type=float, default=10)
    parser.add_argument("--after", type=float, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    with Sink() as sink, tempfile.TemporaryDirectory(prefix="faults-db-") as tmp:
        stack = Stack(DB_NAME, sink=sink, work_dir=Path(tmp), web_workers=2)
        stack.prepare()
        stack.start()
        try:
            result = run(stack, sink, args)
        finally:
            stack.stop()
        if not args.keep:
            drop_database(DB_NAME)
    return result


def run(stack: Stack, sink: Sink, args: argparse.Namespace) -> int:
    codes = []
    for n in range(20):
        conn = stack.connection()
        conn.request("POST", "/api/v1/dossiers", body=stack.receipt(n), headers=stack.headers())
        response = conn.getresponse()
        codes.append(json.loads(response.read())["code"])
    for _ in range(4):  # each gunicorn worker caches what it answered
        for code in codes:
            stack.get(f"/api/v1/public/dossiers/{code}")
            stack.get(f"/tra-cuu/{code}/")

    log: list[tuple[float, str, int]] = []
    keys: dict[str, str] = {}
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(1000, 10**6))

    def client() -> None:
        rng = random.Random()
        while not stop.is_set():
            if rng.random() < 0.3:
                key = str(uuid.uuid4())
                with lock:
                    n = next(counter)
                body = stack.receipt(n)
                for _ in range(200):
                    status = post(stack, body, key)
                    with lock:
                        log.append((now(), "receipt", status))
                    if status in (200, 201):
                        with lock:
                            keys[key] = ""
                        break
                    time.sleep(0.25)
            else:
                code = rng.choice(codes)
                path = (
                    f"/api/v1/public/dossiers/{code}" if rng.random() < 0.5 else f"/tra-cuu/{code}/"
                )
                status, _ = stack.get(path)
                with lock:
                    log.append((now(), "lookup", status))

    down: list[float] = []

    def probe() -> None:
        import psycopg

        while not stop.is_set():
            try:
                with psycopg.connect(f"{SERVER}/postgres", connect_timeout=1) as conn:
                    conn.execute("SELECT 1")
            except Exception:
                down.append(now())
            time.sleep(0.1)

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    prober = threading.Thread(target=probe)
    started = now()
    for t in [*threads, prober]:
        t.start()
    time.sleep(args.before)
    version = pg_version()
    print(f"{stamp()} restarting PostgreSQL {version}/main", flush=True)
    restart_at = now()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
        check=True,
    )
    restarted_in = now() - restart_at
    print(f"{stamp()} PostgreSQL restarted in {restarted_in:.1f} s", flush=True)
    time.sleep(args.after)
    stop.set()
    for t in [*threads, prober]:
        t.join()

    outage_start = min([restart_at, *down])
    outage_end = max([restart_at + restarted_in, *down])
    window_end = outage_end + GRACE

    # The worker comes back by itself: everything queued is sent.
    settle_deadline = now() + 120
    while now() < settle_deadline:
        left = stack.query(
            "SELECT count(*) FROM notify_message WHERE status IN ('queued', 'sending')"
        )[0][0]
        if left == 0:
            break
        time.sleep(1)
    messages = dict(
        stack.query("SELECT status, count(*) FROM notify_message GROUP BY status")  # type: ignore[arg-type]
    )
    duplicates = sum(1 for count in sink.ids.values() if count > 1)
    rows = stack.query(
        "SELECT d.id, "
        " (SELECT count(*) FROM dossiers_dossierevent e WHERE e.dossier_id = d.id), "
        " (SELECT count(*) FROM dossiers_dossierstep s WHERE s.dossier_id = d.id), "
        " (SELECT count(*) FROM notify_message m WHERE m.dossier_id = d.id) "
        "FROM dossiers_dossier d"
    )
    incomplete = [r for r in rows if r[1] < 1 or r[2] < 1 or r[3] < 1]
    idempotent = stack.query("SELECT count(*) FROM dossiers_idempotentreceipt")[0][0]
    worker_exits = stack.log_lines(r"job worker .* (killed|exited)")
    worker_waits = stack.log_lines(r"database unavailable")

    statuses: Counter[tuple[str, str, int]] = Counter()
    late_errors = []
    for t, kind, status in log:
        phase = "before" if t < outage_start else "during" if t <= window_end else "after"
        statuses[(phase, kind, status)] += 1
        if (
            status >= 500
            and status != 503
            or status == 503
            and not (outage_start - 0.5 <= t <= window_end)
            or phase == "after"
            and not 200 <= status < 300
        ):
            late_errors.append((t - started, kind, status))

    print(f"\nPostgreSQL restarted under load ({stamp()}, commit {git_commit()})")
    print(
        f"  load                     {args.clients} clients, {len(log)} requests in {now() - started:.0f} s"
    )
    print(
        f"  outage                   {outage_end - outage_start:.1f} s without PostgreSQL "
        f"(pg_ctlcluster took {restarted_in:.1f} s); window counted to +{GRACE:.0f} s"
    )
    for key in sorted(statuses):
        print(f"  {key[0]:<7} {key[1]:<8} {key[2]:<4} {statuses[key]}")
    unavailable = [t for t, _kind, status in log if status in (0, 503)]
    if unavailable:
        print(
            f"  503 or no answer         from {min(unavailable) - outage_start:+.1f} s to "
            f"{max(unavailable) - outage_end:+.1f} s after PostgreSQL was back"
        )
    print(f"  unexpected answers       {len(late_errors)} {late_errors[:5]}")
    print(
        f"  receipts (keys)          {len(keys)}; dossiers {len(rows)} (20 before the load); "
        f"idempotency rows {idempotent}"
    )
    print(f"  half-written dossiers    {len(incomplete)}")
    print(f"  messages                 {messages}; sent twice {duplicates}")
    print(
        f"  job worker               exits {len(worker_exits)}, waited out the outage "
        f"{len(worker_waits)} time(s)"
    )
    ok = (
        not late_errors
        and not incomplete
        and idempotent == len(keys)
        and len(rows) == len(keys) + 20
        and messages.get("queued", 0) == 0
        and messages.get("sending", 0) == 0
        and duplicates == 0
    )
    print("RESULT", "OK: 503 only during the outage, recovered by itself" if ok else "FAILED")
    return 0 if ok else 1


def post(stack: Stack, body: bytes, key: str) -> int:
    try:
        conn = stack.connection(timeout=30)
        conn.request(
            "POST", "/api/v1/dossiers", body=body, headers=stack.headers(**{"Idempotency-Key": key})
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0


if __name__ == "__main__":
    sys.exit(main())
