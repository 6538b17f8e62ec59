"""Kill -9 the job worker in the middle of deliveries: each e-mail delivered once, none stuck.

    .venv/bin/python scripts/faults/kill_worker.py [--dossiers 60] [--kills 6] [--smtp-delay 0.5]

Starts the platform (scripts/faults/common.py) with an SMTP server on 127.0.0.1 that keeps each
message, then waits `--smtp-delay` seconds before saying so: a worker killed in that time has
handed over a message it never heard was taken (the case that used to be sent again at 07:00).
Receives `--dossiers` dossiers through the API (each queues an e-mail and an SMS), then sends
SIGKILL to the job worker `--kills` times, each time while it is talking to the SMTP server;
`manage.py serve` starts it again (1 s, 2 s, 4 s… while it keeps dying). Leases and sweeps run
with the production defaults (NOTIFY_LEASE_SECONDS=20, NOTIFY_SWEEP_SECONDS=10).

It watches the message table every 0.5 s and reports: e-mails kept by the server once, twice
(must be none), never; messages possibly sent and whether the server had them; the longest time
any message stayed `sending` (must be under a minute). Loopback only; bounded by --dossiers.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Sink, Stack, drop_database, git_commit, now, stamp

DB_NAME = "cchc_faults_worker"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=60)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--smtp-delay", type=float, default=0.5)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    with Sink(delay=args.smtp_delay) as sink, tempfile.TemporaryDirectory(prefix="faults-") as tmp:
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
    # Receipts first, worker paused: then every kill lands in the middle of the backlog.
    worker = stack.job_worker_pid()
    assert worker is not None
    os.kill(worker, signal.SIGSTOP)
    for n in range(args.dossiers):
        conn = stack.connection()
        conn.request("POST", "/api/v1/dossiers", body=stack.receipt(n), headers=stack.headers())
        response = conn.getresponse()
        response.read()
        assert response.status == 201, response.status
    os.kill(worker, signal.SIGCONT)
    print(f"{stamp()} {args.dossiers} dossiers received: e-mails and SMS queued", flush=True)

    first_sending: dict[int, float] = {}
    longest_sending = 0.0
    watching = threading.Event()

    def watch() -> None:
        nonlocal longest_sending
        while not watching.wait(0.5):
            try:
                rows = stack.query("SELECT id FROM notify_message WHERE status = 'sending'")
            except Exception:
                continue
            t = now()
            current = {row[0] for row in rows}
            for pk in current:
                first_sending.setdefault(pk, t)
                longest_sending = max(longest_sending, t - first_sending[pk])
            for pk in list(first_sending):
                if pk not in current:
                    del first_sending[pk]

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    kills = 0
    started = now()
    seen_before = 0
    while kills < args.kills and now() - started < args.timeout:
        # Kill while the worker holds a message the server has just kept (kept, not yet said).
        pid = stack.job_worker_pid()
        total = sum(sink.ids.values())
        if pid and total > seen_before:
            time.sleep(args.smtp_delay / 3)
            try:
                os.kill(pid, signal.SIGKILL)
                kills += 1
                seen_before = sum(sink.ids.values())
                print(f"{stamp()} SIGKILL worker {pid} (kill {kills})", flush=True)
            except ProcessLookupError:
                pass
        time.sleep(0.05)

    # Then let the platform settle everything by itself.
    deadline = now() + args.timeout
    while now() < deadline:
        left = stack.query(
            "SELECT count(*) FROM notify_message WHERE status IN ('queued', 'sending')"
        )[0][0]
        if left == 0:
            break
        time.sleep(1)
    settled_in = now() - started
    watching.set()
    time.sleep(1)

    rows = stack.query("SELECT id, channel, status, idempotency_key FROM notify_message")
    emails = [r for r in rows if r[1] == "email"]
    import hashlib

    domain = "localhost"

    def message_id(pk: int, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return f"<cchc.{pk}.{digest}@{domain}>"

    by_status: dict[str, int] = {}
    for r in rows:
        by_status[f"{r[1]} {r[2]}"] = by_status.get(f"{r[1]} {r[2]}", 0) + 1
    delivered_once = sum(1 for r in emails if sink.ids.get(message_id(r[0], r[3]), 0) == 1)
    duplicates = sum(1 for count in sink.ids.values() if count > 1)
    never = [r for r in emails if sink.ids.get(message_id(r[0], r[3]), 0) == 0]
    unknown = [r for r in emails if r[2] == "unknown"]
    unknown_delivered = sum(1 for r in unknown if sink.ids.get(message_id(r[0], r[3]), 0) == 1)
    lost_attempts = stack.query(
        "SELECT count(*) FROM notify_deliveryattempt WHERE error = %s",
        ("cchc.notify.delivery.WorkerLost",),
    )[0][0]
    running_jobs = stack.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    )[0][0]
    restarts = len(stack.log_lines(r"job worker .* killed by SIGKILL"))

    print(f"\nkill -9 of the job worker mid-delivery ({stamp()}, commit {git_commit()})")
    print(f"  e-mails queued                  {len(emails)} (and as many SMS)")
    print(f"  worker killed / started again   {kills} / {restarts} (by manage.py serve)")
    print(f"  attempts recorded as worker lost {lost_attempts}")
    for key in sorted(by_status):
        print(f"  messages {key:<22} {by_status[key]}")
    print(f"  e-mails kept by the server once {delivered_once}")
    print(f"  kept twice or more              {duplicates}")
    print(f"  never kept                      {len(never)} ({[r[2] for r in never]})")
    print(f"  possibly sent (kept: {unknown_delivered}/{len(unknown)})")
    print(f"  longest time a message stayed sending {longest_sending:.1f} s")
    print(f"  job rows left RUNNING           {running_jobs}")
    print(f"  everything settled after        {settled_in:.0f} s")
    ok = (
        duplicates == 0
        and longest_sending < 60
        and not [r for r in never if r[2] != "dead"]
        and by_status.get("email queued", 0) == 0
        and by_status.get("email sending", 0) == 0
        and running_jobs == 0
    )
    print("RESULT", "OK: each e-mail kept once, none stuck" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
