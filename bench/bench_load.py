"""The load test of issue 10: `python bench/bench_load.py [--minutes 10] [--scale 10]`.

Needs Locust (`pip install -r requirements/load.lock`; not part of `make test` or `make bench`).

1. Creates the database `cchc_load_bench` (dropped first), migrates it, loads the demo province
   and generates a province of 168 communes with --dossiers dossiers over the last year
   (`generate_demo`); gives every commune used a reception officer (API token) and a specialist
   (password), and collects (code, phone) pairs of generated dossiers for the public lookups.
2. Collects the static files and starts the production-style server as docs/deploy.md runs it:
   `manage.py serve` (gunicorn, --web-workers processes × 4 threads, and the supervised job worker)
   on 127.0.0.1, with the production settings of `.env.example` (CCHC_DEMO=0, JSON logs with the
   access line, BEHIND_TLS_PROXY=1, TRUSTED_PROXY_COUNT=1, rate limits on) except what the
   loopback needs: no Redis (cache and rate-limit counters in PostgreSQL), cookies without the
   Secure flag (no TLS on the loopback; Locust sends `X-Forwarded-Proto: https` as nginx would),
   e-mail to nowhere and SMS to a file. Every simulated citizen comes from its own address in
   `X-Forwarded-For`, as nginx would pass it, so the per-address limits count per citizen.
3. Runs Locust headless (`bench/load/locustfile.py`) for --minutes (or --seconds) at --scale times
   the peak of `bench/load/workload.py`, users and spawn rate bounded by that plan, statistics
   reset once every user has started; samples the CPU time of the server's processes, of the
   PostgreSQL backends serving this database and of Locust meanwhile.
4. Prints per request type: count, failures, p50/p95/p99 and rate against the plan's; the error
   rate; the CPU split. Checks that every receipt acknowledged (201) has exactly one dossier, by
   its Idempotency-Key and code, and that no answer was a 5xx (Locust's count and the server's
   access log). Stops the server; drops the database unless --keep.

Prints `RESULT OK` (error rate 0, receipts consistent, no 5xx) or `RESULT FAILED` (exit 1).
Whether the rate kept up with the plan is printed beside it: that is a property of the machine.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, database_url, drop_database, recreate_database, table

from bench.load import workload

DB_NAME = "cchc_load_bench"
PROCEDURE = "1.001193"  # birth registration: a commune's everyday procedure
PASSWORD = "tai-thu-2026"
SEARCHES = ["khai sinh", "chung thuc", "ket hon", "ho tich", "dat dai", "bao tro xa hoi"]
PORTS = range(8100, 8200)
PYTHON = sys.executable


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8100-8199")


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def say(text: str) -> None:
    print(f"{stamp()} {text}", flush=True)


def git_commit() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()


# -- preparing the province -------------------------------------------------------------------


def prepare(db_url: str, dossiers: int, communes: int, work: Path) -> dict[str, Any]:
    """Migrate, load, generate; staff and tokens; the configuration Locust reads."""
    os.environ["DATABASE_URL"] = db_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    os.environ["DATA_DIR"] = str(work)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cchc.accounts.models import ApiToken, User
    from cchc.catalogue.models import Procedure
    from cchc.dossiers.models import Dossier
    from cchc.units.choices import Role, UnitKind
    from cchc.units.models import Membership, Unit

    say("migrate, load_demo")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", no_dossiers=True, verbosity=0)
    say(f"generate_demo --dossiers {dossiers} --years 1 --communes {workload.COMMUNES}")
    call_command(
        "generate_demo",
        dossiers=dossiers,
        years=1,
        communes=workload.COMMUNES,
        verbosity=0,
    )
    procedure = Procedure.objects.get(code=PROCEDURE)
    positions = [
        d.position for d in procedure.version_at(timezone.localdate()).documents.all() if d.required
    ]
    units = list(
        Unit.objects.current()
        .filter(
            kind__in=UnitKind.commune_level(),
            adoptions__procedure=procedure,
            adoptions__implemented=True,
        )
        .exclude(agency_identifier="")
        .order_by("code")[:communes]
    )
    people = []
    for unit in units:
        reception = User.objects.create_user(f"tai.tn.{unit.code}", password=PASSWORD)
        specialist = User.objects.create_user(f"tai.cv.{unit.code}", password=PASSWORD)
        Membership.objects.create(user=reception, unit=unit, role=Role.RECEPTION)
        Membership.objects.create(user=specialist, unit=unit, role=Role.SPECIALIST)
        _token, raw = ApiToken.issue(reception, "load")
        people.append(
            {
                "unit": unit.code,
                "reception": reception.username,
                "reception_token": raw,
                "specialist": specialist.username,
            }
        )
    lookups = [
        list(pair)
        for pair in Dossier.objects.exclude(applicant_phone="").values_list(
            "code", "applicant_phone"
        )
    ]
    random.Random(7).shuffle(lookups)
    procedures = list(Procedure.objects.order_by("code").values_list("code", flat=True))
    connection.close()
    return {
        "procedure": PROCEDURE,
        "positions": positions,
        "communes": people,
        "password": PASSWORD,
        "lookups": lookups,
        "procedures": procedures,
        "searches": SEARCHES,
        "receipts_log": str(work / "receipts.tsv"),
        "status_log": str(work / "statuses.json"),
    }


def server_env(db_url: str, work: Path) -> dict[str, str]:
    env = {
        **os.environ,
        # .env.example's production values ...
        "CCHC_DEMO": "0",
        "DEBUG": "0",
        "SECRET_KEY": "load-test-" + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": db_url,
        "DB_CONN_MAX_AGE": "60",
        "DB_CONN_HEALTH_CHECKS": "1",
        "DATA_DIR": str(work),
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
        "BEHIND_TLS_PROXY": "1",
        "TRUSTED_PROXY_COUNT": "1",
        "SECURE_SSL_REDIRECT": "1",
        "RATELIMIT_ENABLE": "1",
        "REQUIRE_2FA": "1",
        "LOG_FORMAT": "json",
        "LOG_ACCESS": "1",
        "PYTHONUNBUFFERED": "1",
        # ... and what the loopback needs instead.
        "SECURE_COOKIES": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "SMS_GATEWAY": "cchc.notify.sms.FileSmsGateway",
        "SMS_FILE_PATH": str(work / "sms.log"),
    }
    env.pop("REDIS_URL", None)
    return env


# -- CPU --------------------------------------------------------------------------------------


class CpuMeter:
    """CPU seconds of three groups of processes, sampled: the server (serve and everything it
    started), PostgreSQL (the backends connected to our database), Locust (its process)."""

    def __init__(self, serve_pid: int, locust_pid: int, db_url: str) -> None:
        import psutil

        self.psutil = psutil
        self.serve_pid = serve_pid
        self.locust_pid = locust_pid
        self.db_url = database_url("postgres")
        self.db_name = DB_NAME
        # pid -> (group, first seen cpu, last seen cpu)
        self.seen: dict[int, list[Any]] = {}
        self.machine_start = psutil.cpu_times()
        self.wall_start = time.monotonic()

    def _cpu(self, pid: int) -> float | None:
        try:
            t = self.psutil.Process(pid).cpu_times()
        except (self.psutil.NoSuchProcess, self.psutil.AccessDenied):
            return None
        return float(t.user + t.system)

    def _pids(self) -> dict[int, str]:
        import psycopg

        pids = {self.locust_pid: "locust"}
        try:
            root = self.psutil.Process(self.serve_pid)
            pids[root.pid] = "server"
            for child in root.children(recursive=True):
                pids[child.pid] = "server"
        except self.psutil.NoSuchProcess:
            pass
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.db_name,),
            ).fetchall()
        for (pid,) in rows:
            pids[int(pid)] = "postgresql"
        return pids

    def sample(self, *, baseline: bool = False) -> None:
        for pid, group in self._pids().items():
            cpu = self._cpu(pid)
            if cpu is None:
                continue
            if pid not in self.seen:
                # A process seen for the first time after the baseline started within the window
                # (a new backend, a restarted worker): all its CPU counts.
                self.seen[pid] = [group, cpu if baseline else 0.0, cpu]
            self.seen[pid][2] = cpu

    def start(self) -> None:
        self.seen.clear()
        self.machine_start = self.psutil.cpu_times()
        self.wall_start = time.monotonic()
        self.sample(baseline=True)

    def totals(self) -> dict[str, float]:
        out: Counter[str] = Counter()
        for group, first, last in self.seen.values():
            out[group] += last - first
        end = self.psutil.cpu_times()
        busy = sum(
            getattr(end, f) - getattr(self.machine_start, f)
            for f in ("user", "nice", "system", "irq", "softirq", "steal")
        )
        out["machine (all processes)"] = busy
        out["wall"] = time.monotonic() - self.wall_start
        return dict(out)


# -- running ----------------------------------------------------------------------------------


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes] | None, timeout: float = 60) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def read_stats(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def check_receipts(db_url: str, receipts_log: Path) -> tuple[list[str], dict[str, int]]:
    """Every receipt answered 201 has exactly one dossier: its key names one idempotency row,
    whose dossier has the code answered; codes are distinct. Returns (problems, figures)."""
    import psycopg

    acknowledged: dict[tuple[str, str], str] = {}
    attempts: Counter[tuple[str, str]] = Counter()
    for line in receipts_log.read_text().splitlines():
        key, code, status, username, _error = line.split("\t")
        attempts[(username, key)] += 1
        if status == "201":
            acknowledged[(username, key)] = code
    retried = sum(1 for n in attempts.values() if n > 1)
    unanswered = len(set(attempts) - set(acknowledged))
    problems = []
    codes = Counter(acknowledged.values())
    doubled = [c for c, n in codes.items() if n > 1]
    if doubled:
        problems.append(f"{len(doubled)} codes answered for two keys, e.g. {doubled[:3]}")
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT u.username, r.key, d.code FROM dossiers_idempotentreceipt r "
            "JOIN accounts_user u ON u.id = r.user_id JOIN dossiers_dossier d ON d.id = r.dossier_id"
        ).fetchall()
        keyed_codes = {code for _u, _k, code in rows}
        # Dossiers received through the load's tokens without a key row would be receipts that
        # happened twice (a key row is written in the same transaction as its dossier).
        unkeyed = conn.execute(
            "SELECT count(*) FROM dossiers_dossier d JOIN accounts_user u ON u.id = d.received_by_id "
            "WHERE u.username LIKE 'tai.tn.%%' AND NOT EXISTS "
            "(SELECT 1 FROM dossiers_idempotentreceipt r WHERE r.dossier_id = d.id)"
        ).fetchone()
    by_key: dict[tuple[str, str], list[str]] = {}
    for username, key, code in rows:
        by_key.setdefault((username, key), []).append(code)
    wrong = 0
    for ident, code in acknowledged.items():
        found = by_key.get(ident, [])
        if found != [code]:
            wrong += 1
            if wrong <= 3:
                problems.append(f"key {ident[1]} answered {code}, database has {found}")
    if wrong:
        problems.append(f"{wrong} acknowledged receipts without exactly their one dossier")
    extra = len(keyed_codes - set(acknowledged.values()))
    if unkeyed and unkeyed[0]:
        problems.append(f"{unkeyed[0]} dossiers received by the load without a key")
    return problems, {
        "keys sent": len(attempts),
        "sent more than once": retried,
        "acknowledged": len(acknowledged),
        "distinct codes": len(codes),
        "idempotency rows": len(rows),
        "never answered 201": unanswered,
        "dossiers of keys never acknowledged": extra,
    }


def server_5xx(log: Path) -> Counter[int]:
    found: Counter[int] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            status = int(json.loads(line).get("status", 0))
        except (ValueError, AttributeError):
            continue
        if status >= 500:
            found[status] += 1
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the run (10)")
    parser.add_argument("--seconds", type=float, help="length of the run, instead of --minutes")
    parser.add_argument(
        "--scale", type=float, default=workload.TARGET_SCALE, help="multiple of the peak (10)"
    )
    parser.add_argument("--dossiers", type=int, default=200_000, help="generated first (200000)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes (2)")
    parser.add_argument("--spawn-seconds", type=float, default=20.0, help="ramp-up (20)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    args = parser.parse_args()
    if importlib.util.find_spec("locust") is None:
        print("Locust is needed: .venv/bin/pip install -r requirements/load.lock")
        return 2
    run_seconds = args.seconds if args.seconds else args.minutes * 60
    plan = workload.plan(args.scale)
    users = sum(p.users for p in plan.values())
    spawn_rate = max(1.0, users / args.spawn_seconds)
    planned_rps = workload.requests_per_second(args.scale)
    commit = git_commit()
    print(
        f"bench_load: {args.scale:g} × peak = {args.scale * workload.PEAK_DOSSIERS_PER_SECOND:.2f} "
        f"dossiers/s, {planned_rps:.0f} requests/s planned; {users} users "
        f"({', '.join(f'{k} {p.users} × {p.per_user:.3f}/s' for k, p in plan.items())}); "
        f"{run_seconds:.0f} s after a {args.spawn_seconds:.0f} s ramp; commit {commit}",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="cchc-load-"))
    db_url = recreate_database(DB_NAME)
    serve: subprocess.Popen[bytes] | None = None
    locust: subprocess.Popen[bytes] | None = None
    failed = False
    try:
        t0 = time.monotonic()
        config = prepare(db_url, args.dossiers, plan["counter"].users, work)
        say(
            f"prepared in {time.monotonic() - t0:.0f} s: {len(config['communes'])} communes staffed, "
            f"{len(config['lookups']):,} dossiers to look up"
        )
        port = free_port()
        config["origin"] = f"https://127.0.0.1:{port}"
        config_path = work / "config.json"
        config_path.write_text(json.dumps(config, ensure_ascii=False))
        env = server_env(db_url, work)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        serve_log = work / "serve.log"
        serve = subprocess.Popen(
            [PYTHON, "manage.py", "serve", "--port", str(port), "--workers", str(args.web_workers)],
            env=env,
            cwd=ROOT,
            stdout=serve_log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while not healthy(port):
            if time.monotonic() > deadline or serve.poll() is not None:
                raise SystemExit(f"server not healthy; see {serve_log}")
            time.sleep(0.5)
        say(f"serve ready on 127.0.0.1:{port} ({args.web_workers} workers × 4 threads)")
        csv_prefix = work / "locust"
        locust = subprocess.Popen(
            [
                # As a module of this interpreter: the `locust` script's first line names the
                # interpreter of whatever path the venv was installed through.
                PYTHON, "-m", "locust",
                "-f", str(ROOT / "bench" / "load" / "locustfile.py"),
                "--headless", "--host", f"http://127.0.0.1:{port}",
                "--users", str(users), "--spawn-rate", f"{spawn_rate:.2f}",
                "--run-time", f"{int(run_seconds + args.spawn_seconds)}s",
                "--reset-stats", "--stop-timeout", "10", "--only-summary",
                "--csv", str(csv_prefix), "--loglevel", "WARNING",
            ],
            env={**os.environ, "LOAD_CONFIG": str(config_path), "LOAD_SCALE": str(args.scale)},
            cwd=ROOT,
            stdout=(work / "locust.log").open("ab"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        meter = CpuMeter(serve.pid, locust.pid, db_url)
        # The statistics are reset once every user has started: the CPU window starts then too.
        time.sleep(args.spawn_seconds)
        meter.start()
        say(f"{users} users started; measuring for {run_seconds:.0f} s")
        while locust.poll() is None:
            time.sleep(2)
            meter.sample()
        cpu = meter.totals()
        say(f"locust exited with {locust.returncode}")

        # -- figures ---------------------------------------------------------------------
        stats = read_stats(Path(f"{csv_prefix}_stats.csv"))
        per_dossier_rate = args.scale * workload.PEAK_DOSSIERS_PER_SECOND
        rows = []
        total = failures = 0
        for row in stats:
            name = row["Name"]
            count, fails = int(row["Request Count"]), int(row["Failure Count"])
            if name == "Aggregated":
                total, failures = count, fails
            planned = workload.PER_DOSSIER.get(name, 0) * per_dossier_rate
            rows.append(
                [
                    f"{row['Type']} {name}" if name != "Aggregated" else "all",
                    f"{count:,}",
                    fails,
                    row["50%"],
                    row["95%"],
                    row["99%"],
                    f"{float(row['Requests/s']):.2f}",
                    f"{planned:.2f}" if name != "Aggregated" else f"{planned_rps:.2f}",
                ]
            )
        print()
        print(
            table(
                [
                    "request",
                    "count",
                    "failures",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "req/s",
                    "planned/s",
                ],
                rows,
            )
        )
        error_rate = failures / total if total else math.nan
        achieved = next((float(r["Requests/s"]) for r in stats if r["Name"] == "Aggregated"), 0.0)
        print(
            f"\nerror rate {failures} / {total:,} = {error_rate:.4%}; "
            f"{achieved:.1f} requests/s of {planned_rps:.1f} planned ({achieved / planned_rps:.1%})"
        )
        wall = cpu.pop("wall")
        print(f"\nCPU over {wall:.0f} s (2 cores = {2 * wall:.0f} CPU-seconds available):")
        print(
            table(
                ["processes", "CPU s", "cores", "share of machine busy"],
                [
                    [g, f"{s:.0f}", f"{s / wall:.2f}", f"{s / cpu['machine (all processes)']:.0%}"]
                    for g, s in sorted(cpu.items(), key=lambda kv: -kv[1])
                ],
            )
        )

        statuses = json.loads(Path(config["status_log"]).read_text())
        client_5xx = sum(r["count"] for r in statuses if r["status"] >= 500)
        other = Counter()
        for r in statuses:
            if r["status"] >= 400 or r["status"] == 0:
                other[f"{r['name']} {r['status']}"] += r["count"]
        logged_5xx = server_5xx(serve_log)
        problems, figures = check_receipts(db_url, Path(config["receipts_log"]))
        print("\nreceipts: " + ", ".join(f"{k} {v:,}" for k, v in figures.items()))
        print(
            f"5xx answers: {client_5xx} seen by Locust (whole run, ramp included), "
            f"{sum(logged_5xx.values())} in the server's access log {dict(logged_5xx) or ''}"
        )
        if other:
            print("non-2xx/3xx answers by request (whole run): " + ", ".join(
                f"{k} × {v}" for k, v in other.most_common(10)
            ))  # fmt: skip
        failure_rows = read_stats(Path(f"{csv_prefix}_failures.csv"))
        for row in failure_rows:
            print(f"failure: {row['Method']} {row['Name']} × {row['Occurrences']}: {row['Error']}")
        for problem in problems:
            print("PROBLEM", problem)
        failed = bool(failures or problems or client_5xx or logged_5xx or locust.returncode > 1)
        kept_up = achieved >= 0.97 * planned_rps
        print(
            f"\nRESULT {'FAILED' if failed else 'OK'}: error rate {error_rate:.4%}; "
            f"rate {'kept up with' if kept_up else 'fell short of'} the plan "
            f"({achieved:.1f} of {planned_rps:.1f} requests/s); commit {commit}"
        )
    finally:
        stop(locust)
        stop(serve)
        if args.keep:
            print(f"kept: database {DB_NAME}, files in {work}")
        else:
            drop_database(DB_NAME)
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
