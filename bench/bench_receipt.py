"""Receipt throughput through the API: `python bench/bench_receipt.py`.

1. Creates the database `cchc_bench_receipt` (dropped first if it exists), migrates it, loads
   the demo and issues an API token for `tiepnhan.ngason` (reception officer of 16300).
2. Starts the real server as `manage.py serve` starts it (gunicorn, `cchc.wsgi`, the same
   workers, threads and access log; WEB_WORKERS or --workers, default 2, 4 threads each) on a
   free port of 127.0.0.1, with `DJANGO_SETTINGS_MODULE=bench.settings_bench`: the platform's
   settings and URLs plus `/bench/ok/`, a bare `JsonResponse({"ok": True})` behind the same
   middleware. The job worker is not started: the notifications a receipt queues stay queued.
3. Drives it with 8 client threads (--clients), each on its own keep-alive `http.client`
   connection, for 15 s per phase (--seconds) or --max-requests requests, whichever comes first:
   - bare: POST the same body to `/bench/ok/`;
   - receipt: `POST /api/v1/dossiers` with a Bearer token, procedure 1.001193 (birth
     registration) at 16300 with its required documents, a different applicant each time;
   - bare again; the baseline rate is the two bare phases pooled.
   Prints requests per second, latencies, and receipts/s ÷ bare requests/s (target ≥ 0.3).
4. Checks every receipt answered 201 with a code, that the codes are unique, and that the
   database holds exactly that many dossiers. Stops the server.

Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ROOT,
    bench_environment,
    drop_database,
    percentile,
    recreate_database,
    setup_django,
    table,
)

DB_NAME = "cchc_bench_receipt"
USERNAME = "tiepnhan.ngason"
UNIT = "16300"
PROCEDURE = "1.001193"
TARGET_RATIO = 0.3
RECEIPT_PATH = "/api/v1/dossiers"
BARE_PATH = "/bench/ok/"


@dataclass
class Phase:
    name: str
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # a few error answers, for the report

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(port: int, workers: str, env: dict[str, str], log_path: Path) -> Any:
    """gunicorn with the arguments `manage.py serve` passes (see serve.py)."""
    log = log_path.open("w")
    return subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "cchc.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", workers, "--threads", "4",
            "--access-logfile", "-", "--log-level", "warning",
            "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(M)sms",
        ],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_ready(port: int, server: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", BARE_PATH)
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer within 60 s")


def run_phase(
    name: str,
    port: int,
    path: str,
    body: Callable[[int], bytes],
    headers: dict[str, str],
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    expect: int,
    code_of: Callable[[bytes], str] | None = None,
    method: str = "POST",
    path_of: Callable[[int], str] | None = None,
) -> Phase:
    """`clients` threads send `body(n)` to `path` (or to `path_of(n)`) on keep-alive connections
    until `seconds` have passed or `max_requests` were sent."""
    phase = Phase(name)
    lock = threading.Lock()
    issued = [0]
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def next_number() -> int | None:
        with lock:
            if issued[0] >= max_requests or time.perf_counter() >= stop_at[0]:
                return None
            issued[0] += 1
            return issued[0]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        ok, errors, latencies, codes, samples = 0, 0, [], [], []
        start.wait()
        while (n := next_number()) is not None:
            t0 = time.perf_counter()
            try:
                target = path_of(n) if path_of else path
                payload = body(n) if method == "POST" else None
                conn.request(method, target, body=payload, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors += 1
                samples.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status == expect:
                ok += 1
                if code_of is not None:
                    codes.append(code_of(data))
            else:
                errors += 1
                samples.append(f"{response.status} {data[:200]!r}")
        conn.close()
        with lock:
            phase.ok += ok
            phase.errors += errors
            phase.latencies.extend(latencies)
            phase.codes.extend(codes)
            phase.samples.extend(samples[:3])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    start.wait()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - t0
    return phase


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase (default 15)")
    parser.add_argument(
        "--max-requests", type=int, default=100_000, help="per phase (default 100,000)"
    )
    parser.add_argument("--workers", default=os.environ.get("WEB_WORKERS", "2"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    print(f"database {DB_NAME}: create, migrate, load_demo, token for {USERNAME}", flush=True)
    url = recreate_database(DB_NAME)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from cchc.accounts.models import ApiToken, User
    from cchc.catalogue.models import Procedure
    from cchc.dossiers.models import Dossier

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", no_dossiers=True, stdout=io.StringIO())
    _token, raw = ApiToken.issue(User.objects.get(username=USERNAME), name="bench")
    version = Procedure.objects.get(code=PROCEDURE).version_at(timezone.localdate())
    assert version is not None, f"{PROCEDURE} has no version in force"
    positions = [d.position for d in version.documents.all() if d.required]
    connections.close_all()

    def receipt(n: int) -> bytes:
        return json.dumps(
            {
                "procedure": PROCEDURE,
                "unit": UNIT,
                "applicant": {
                    "name": f"Nguyễn Văn Thử {n}",
                    "id_number": f"038{n:09d}",
                    "phone": f"09{n:08d}",
                },
                "documents": [{"position": p, "originals": 1} for p in positions],
                "channel": "counter",
            },
            ensure_ascii=False,
        ).encode()

    headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}

    def code_of(data: bytes) -> str:
        code: str = json.loads(data)["code"]
        return code

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-receipt-") as tmp:
        log_path = Path(tmp) / "server.log"
        server = start_server(port, args.workers, bench_environment(url), log_path)
        try:
            wait_ready(port, server)
            print(
                f"server: gunicorn cchc.wsgi on 127.0.0.1:{port}, {args.workers} workers × 4 "
                f"threads; {args.clients} clients, {args.seconds:.0f} s or "
                f"{args.max_requests:,} requests per phase",
                flush=True,
            )
            limits = {"clients": args.clients, "max_requests": args.max_requests}
            # Warm-up: every worker thread imports, connects and fills its caches.
            warm_bare = run_phase(
                "warm-up bare", port, BARE_PATH, receipt, headers, seconds=2, expect=200, **limits
            )
            warm_receipt = run_phase(
                "warm-up receipt", port, RECEIPT_PATH, receipt, headers, seconds=2,
                expect=201, code_of=code_of, **limits,
            )  # fmt: skip
            # Numbers continue after the warm-up's, so every applicant differs.
            offset = 1_000_000

            def receipt_after(n: int) -> bytes:
                return receipt(offset + n)

            phases = []
            for name, path, expect in (
                ("bare 1", BARE_PATH, 200),
                ("receipt", RECEIPT_PATH, 201),
                ("bare 2", BARE_PATH, 200),
            ):
                phase = run_phase(
                    name, port, path, receipt_after, headers, seconds=args.seconds,
                    expect=expect, code_of=code_of if path == RECEIPT_PATH else None, **limits,
                )  # fmt: skip
                print(f"  {name}: {phase.ok:,} in {phase.seconds:.1f} s", flush=True)
                phases.append(phase)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        server_log = log_path.read_text(errors="replace")

    bare1, receipts, bare2 = phases
    bare_rate = (bare1.ok + bare2.ok) / (bare1.seconds + bare2.seconds)
    ratio = receipts.rate / bare_rate if bare_rate else 0.0
    all_codes = warm_receipt.codes + receipts.codes
    in_db = Dossier.objects.count()
    unique = len(set(all_codes))
    connections.close_all()
    if not args.keep:
        drop_database(DB_NAME)

    print()
    print(f"Receipt through the API vs bare JSON endpoint, {args.clients} clients, same server")
    print()
    rows = [
        [p.name, f"{p.ok:,}", p.errors, f"{p.seconds:.1f}", f"{p.rate:,.1f}",
         f"{percentile(p.latencies, 50):.1f}", f"{percentile(p.latencies, 95):.1f}"]
        for p in (bare1, receipts, bare2)
    ]  # fmt: skip
    print(table(["phase", "ok", "errors", "s", "per s", "p50 ms", "p95 ms"], rows))
    print()
    print(f"bare JSON endpoint (pooled): {bare_rate:,.1f} requests/s")
    print(f"receipts:                    {receipts.rate:,.1f} dossiers/s")
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"ratio receipts / bare:       {ratio:.3f} (target ≥ {TARGET_RATIO}: {verdict})")
    print(
        f"dossiers created: {len(all_codes):,} answered 201 (warm-up included), {unique:,} "
        f"distinct codes, {in_db:,} in the database"
    )
    failures = []
    if unique != len(all_codes):
        failures.append("duplicate dossier codes")
    if in_db != len(all_codes):
        failures.append("the database does not hold one dossier per 201")
    errors = [s for p in (warm_bare, warm_receipt, *phases) for s in p.samples]
    if errors:
        failures.append(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    tail = [line for line in server_log.splitlines() if "Traceback" in line or "ERROR" in line]
    if tail:
        print(f"server log: {len(tail)} error lines, e.g. {tail[:3]}")
    for failure in failures:
        print(f"FAILED: {failure}")
    print(f"finished {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
