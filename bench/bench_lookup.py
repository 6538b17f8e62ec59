"""Public status lookup: requests per second with 16 concurrent clients against the real server
(gunicorn, as `manage.py serve` starts it), and the ratio to a bare Django JSON endpoint served
the same way in the same run. Target: ratio ≥ 0.5.

    .venv/bin/python bench/bench_lookup.py [--clients 16] [--seconds 15] [--dossiers 500]

Rate limits are switched off in the server for the run: the benchmark measures the lookup itself,
from one address, which the limits would otherwise (rightly) stop after 120 requests a minute.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_receipt import BARE_PATH, free_port, run_phase, start_server, wait_ready
from common import (
    bench_environment,
    drop_database,
    percentile,
    recreate_database,
    setup_django,
    table,
)

DB_NAME = "cchc_bench_lookup"
TARGET_RATIO = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--dossiers", type=int, default=500)
    parser.add_argument("--workers", default=os.environ.get("WEB_WORKERS", "2"))
    args = parser.parse_args()

    url = recreate_database(DB_NAME)
    setup_django(url)
    import datetime as dt

    from django.core.management import call_command
    from django.db import connections

    from cchc.accounts.models import User
    from cchc.dossiers import actions
    from cchc.units.models import Unit

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", no_dossiers=True, stdout=io.StringIO())
    officer = User.objects.get(username="tiepnhan.ngason")
    unit = Unit.objects.current().get(code="16300")
    start = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    version = unit.adoptions.get(procedure__code="1.001193").procedure.version_at(start.date())
    assert version is not None
    documents = [
        actions.ReceivedDocument(position=d.position, originals=1)
        for d in version.documents.all()
        if d.required
    ]
    codes = []
    for n in range(args.dossiers):
        receipt = actions.Receipt(
            procedure_code="1.001193",
            processing_unit=unit,
            applicant=actions.Applicant(name=f"Người thử {n}", phone=f"09{n:08d}"),
            documents=documents,
        )
        codes.append(
            actions.receive_dossier(receipt, by=officer, at=start + dt.timedelta(minutes=n)).code
        )
    connections.close_all()

    env = {**bench_environment(url), "RATELIMIT_ENABLE": "0"}
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-lookup-") as tmp:
        server = start_server(port, args.workers, env, Path(tmp) / "server.log")
        try:
            wait_ready(port, server)
            limits = {"clients": args.clients, "max_requests": 1_000_000}

            def no_body(n: int) -> bytes:
                return b""

            def lookup_path(n: int) -> str:
                return f"/api/v1/public/dossiers/{codes[n % len(codes)]}"

            run_phase(
                "warm-up",
                port,
                BARE_PATH,
                no_body,
                {},
                seconds=2,
                expect=200,
                method="GET",
                **limits,
            )
            run_phase(
                "warm-up lookup",
                port,
                "",
                no_body,
                {},
                seconds=2,
                expect=200,
                method="GET",
                path_of=lookup_path,
                **limits,
            )
            phases = [
                run_phase(
                    "bare 1",
                    port,
                    BARE_PATH,
                    no_body,
                    {},
                    seconds=args.seconds,
                    expect=200,
                    method="GET",
                    **limits,
                ),
                run_phase(
                    "lookup",
                    port,
                    "",
                    no_body,
                    {},
                    seconds=args.seconds,
                    expect=200,
                    method="GET",
                    path_of=lookup_path,
                    **limits,
                ),
                run_phase(
                    "bare 2",
                    port,
                    BARE_PATH,
                    no_body,
                    {},
                    seconds=args.seconds,
                    expect=200,
                    method="GET",
                    **limits,
                ),
            ]
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    drop_database(DB_NAME)
    bare1, lookup, bare2 = phases
    bare_rate = (bare1.ok + bare2.ok) / (bare1.seconds + bare2.seconds)
    ratio = lookup.rate / bare_rate if bare_rate else 0.0
    rows = [
        [
            p.name,
            f"{p.ok:,}",
            p.errors,
            f"{p.rate:,.1f}",
            f"{percentile(p.latencies, 50):.1f}",
            f"{percentile(p.latencies, 95):.1f}",
        ]
        for p in phases
    ]
    print(f"Public status lookup vs bare JSON endpoint, {args.clients} clients, same server")
    print(table(["phase", "ok", "errors", "per s", "p50 ms", "p95 ms"], rows))
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"ratio lookup / bare: {ratio:.3f} (target ≥ {TARGET_RATIO}: {verdict})")
    errors = [s for p in phases for s in p.samples]
    if errors:
        print(f"FAILED: {len(errors)} failed requests, e.g. {errors[:3]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
