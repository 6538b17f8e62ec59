"""Kill -9 the web workers during receipts: one dossier per Idempotency-Key, none half-written.

    .venv/bin/python scripts/faults/kill_web.py [--receipts 200] [--clients 8] [--kill-every 1]

Starts the platform (scripts/faults/common.py) with 2 gunicorn workers, then sends `--receipts`
receipts from `--clients` threads, each with its own Idempotency-Key; a client that gets no
answer, a connection error or a 5xx sends the same body with the same key again (up to 60 times,
0.2 s apart), as an integration must. Meanwhile a killer sends SIGKILL, every `--kill-every`
seconds, to a random gunicorn worker that has been up for `--min-age` seconds, provided some
receipt was answered since the last kill (a worker that is serving, not one still starting;
gunicorn's master replaces it). At the end it checks, with
SQL: one dossier per key, as many dossiers as keys, every dossier with its receipt event, steps
and queued messages. Loopback only; bounded by the number of receipts.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Stack, age, drop_database, git_commit, now, percentile, stamp

DB_NAME = "cchc_faults_web"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--receipts", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--kill-every", type=float, default=1.0)
    parser.add_argument("--min-age", type=float, default=2.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="faults-web-") as tmp:
        stack = Stack(DB_NAME, web_workers=2, work_dir=Path(tmp))
        stack.prepare()
        stack.start()
        try:
            result = run(stack, args)
        finally:
            stack.stop()
        if not args.keep:
            drop_database(DB_NAME)
    return result


def run(stack: Stack, args: argparse.Namespace) -> int:
    keys = [str(uuid.uuid4()) for _ in range(args.receipts)]
    codes: dict[str, str] = {}
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    todo = list(enumerate(keys))
    done = threading.Event()
    kills = 0

    def client() -> None:
        while True:
            with lock:
                if not todo:
                    return
                n, key = todo.pop()
            body = stack.receipt(n, email=False)
            started = now()
            for _attempt in range(60):
                try:
                    conn = stack.connection(timeout=30)
                    conn.request(
                        "POST",
                        "/api/v1/dossiers",
                        body=body,
                        headers=stack.headers(**{"Idempotency-Key": key}),
                    )
                    response = conn.getresponse()
                    data = response.read()
                    conn.close()
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        outcomes[f"retried after {type(exc).__name__}"] += 1
                    time.sleep(0.2)
                    continue
                if response.status >= 500:
                    with lock:
                        outcomes[f"retried after {response.status}"] += 1
                    time.sleep(0.2)
                    continue
                with lock:
                    outcomes[str(response.status)] += 1
                    if response.status in (200, 201):
                        import json

                        codes[key] = json.loads(data)["code"]
                        latencies.append(now() - started)
                break
            else:
                with lock:
                    outcomes["gave up"] += 1

    def killer() -> None:
        nonlocal kills
        answered_at_last_kill = -1
        while not done.wait(args.kill_every):
            # Only once receipts went through since the last kill: on a slow machine a worker
            # may take seconds to start, and killing it then tests nothing.
            with lock:
                answered = len(codes)
            if answered == answered_at_last_kill:
                continue
            pids = [p for p in stack.web_workers_pids() if age(p) >= args.min_age]
            if pids:
                answered_at_last_kill = answered
                try:
                    os.kill(random.choice(pids), signal.SIGKILL)
                    kills += 1
                except ProcessLookupError:
                    pass

    print(
        f"{stamp()} {args.receipts} receipts from {args.clients} clients; "
        f"SIGKILL to a gunicorn worker (up {args.min_age} s or more) every {args.kill_every} s",
        flush=True,
    )
    started = now()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    kill_thread = threading.Thread(target=killer, daemon=True)
    kill_thread.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    elapsed = now() - started

    rows = stack.query(
        "SELECT d.code, "
        " (SELECT count(*) FROM dossiers_dossierevent e WHERE e.dossier_id = d.id), "
        " (SELECT count(*) FROM dossiers_dossierstep s WHERE s.dossier_id = d.id), "
        " (SELECT count(*) FROM notify_message m WHERE m.dossier_id = d.id) "
        "FROM dossiers_dossier d"
    )
    receipts_by_key = stack.query("SELECT count(*) FROM dossiers_idempotentreceipt")[0][0]
    in_db = {row[0] for row in rows}
    incomplete = [row for row in rows if row[1] < 1 or row[2] < 1 or row[3] < 1]
    answered = set(codes.values())

    print(f"\nkill -9 of web workers during receipts ({stamp()}, commit {git_commit()})")
    print(f"  receipts asked        {args.receipts} (one Idempotency-Key each), {elapsed:.1f} s")
    print(f"  workers killed        {kills}")
    for outcome, count in sorted(outcomes.items()):
        print(f"  answers {outcome:<22} {count}")
    print(f"  keys answered         {len(codes)}; distinct codes {len(answered)}")
    print(f"  dossiers in database  {len(in_db)}; idempotency rows {receipts_by_key}")
    print(f"  half-written dossiers {len(incomplete)} (no event, step or message)")
    print(
        f"  time to a code        p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    ok = (
        len(codes) == args.receipts
        and len(answered) == args.receipts
        and in_db == answered
        and receipts_by_key == args.receipts
        and not incomplete
        and outcomes["gave up"] == 0
    )
    print("RESULT", "OK: one dossier per key" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
