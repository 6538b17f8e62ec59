"""The long fuzz: schemathesis over every endpoint of docs/api/openapi.json against the real
server on loopback: `python bench/fuzz_api.py [--examples 100] [--seed 1]`.

1. Creates the PostgreSQL database `cchc_bench_fuzz` (dropped first; BENCH_PG_URL as for the
   benchmarks), migrates it, loads the demo with its dossiers, and gives a staff account `fuzz`
   the reception, specialist, leader and TTHC-control roles in 16300 with an API token, so that
   the handlers run past the role checks.
2. Starts the server as `manage.py serve` does (gunicorn, `cchc.wsgi`, 2 workers × 4 threads,
   the platform's own settings and URLs) on a free port of 127.0.0.1, rate limits off (one
   client sends thousands of requests).
3. For each operation: `--examples` valid requests (half of them on objects that exist: a demo
   dossier, its PAKN, a counter…) and as many that break the schema on purpose, each checked:
   no 5xx, a status the schema lists, the declared content type and shape, and a request the
   schema refuses is refused. Seeded by `--seed`, so a run can be repeated exactly.
4. Prints requests, answers by status, distinct failures with a curl line to reproduce each,
   and the time taken; exits 1 if any check failed. Drops the database.

The quick version of the same checks runs in the test suite: cchc/portal/tests/test_api_fuzz.py.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_receipt import free_port, start_server
from common import ROOT, bench_environment, drop_database, recreate_database

DB_NAME = "cchc_bench_fuzz"
SCHEMA_FILE = ROOT / "docs" / "api" / "openapi.json"
# The platform's own settings and URLs, not the benchmarks' (bench.settings_bench): its
# handler500 is what answers a database outage (503 with Retry-After), and that is under test too.
SETTINGS = "cchc.settings"


# gunicorn's limit_request_line (its default): a longer request line is answered 414 by gunicorn
# itself, in HTML, before any application code runs; nginx's large_client_header_buffers (8 KB)
# does the same in production. Such answers are counted but not checked against the schema.
URI_LIMIT = 4094


def wait_ready(port: int, server: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/units")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer within 60 s")


def prepare() -> tuple[str, dict[str, Any]]:
    """Demo data, the fuzz account's token, and a value for each path parameter that names
    something which exists."""
    from django.core.management import call_command

    from cchc.accounts.models import ApiToken, User
    from cchc.dossiers.models import Dossier, DossierDocument
    from cchc.feedback.models import Feedback
    from cchc.tickets.models import Counter
    from cchc.units.choices import Role
    from cchc.units.models import Membership, Unit

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", verbosity=0)
    unit = Unit.objects.current().get(code="16300")
    user = User.objects.create_user(username="fuzz", password=None, full_name="Fuzz")
    for role in (Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.TTHC_CONTROL):
        Membership.objects.create(user=user, unit=unit, role=role, valid_from=dt.date(2025, 1, 1))
    _token, raw = ApiToken.issue(user)
    dossier = Dossier.objects.filter(processing_unit=unit).order_by("id").first()
    document = DossierDocument.objects.exclude(file="").order_by("id").first()
    feedback = Feedback.objects.filter(unit=unit).order_by("id").first()
    counter = Counter.objects.filter(unit=unit).order_by("number").first()
    known = {
        "dossier": dossier.code if dossier else "X",
        "document_id": document.pk if document else 1,
        "feedback": feedback.code if feedback else "X",
        "unit_code": unit.code,
        "counter_id": counter.pk if counter else 1,
        "counter_number": counter.number if counter else 1,
        "year": 2025,
        "procedure": dossier.procedure.code if dossier else "X",
    }
    return raw, known


def path_values(path: str, known: dict[str, Any]) -> dict[str, Any]:
    values = {
        name: known[name]
        for name in ("unit_code", "counter_id", "counter_number", "document_id", "year")
        if "{" + name + "}" in path
    }
    if "{code}" in path:
        if "/feedback/" in path:
            values["code"] = known["feedback"]
        elif "/procedures" in path:
            values["code"] = known["procedure"]
        elif "/appointments/" not in path:
            values["code"] = known["dossier"]
    return values


class Server:
    """The gunicorn under test, started again if it is gone (on a shared machine a process can
    be killed from outside; the restarts are counted and printed, never hidden)."""

    def __init__(self, port: int, workers: str, env: dict[str, str], log: Path) -> None:
        self.port, self.workers, self.env, self.log = port, workers, env, log
        self.restarts = 0
        self.process = self._start()

    def _start(self) -> Any:
        log = self.log.with_name(f"server-{self.restarts}.log")
        process = start_server(self.port, self.workers, self.env, log)
        wait_ready(self.port, process)
        return process

    def ensure_up(self) -> bool:
        """True if the server had died and was started again."""
        if self.process.poll() is None:
            return False
        print(f"  ! the server exited with {self.process.returncode}; starting it again")
        self.restarts += 1
        self.process = self._start()
        return True

    def logs(self) -> list[Path]:
        return sorted(self.log.parent.glob("server-*.log"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def fuzz(server: Server, token: str, known: dict[str, Any], examples: int, seed: int) -> int:
    import requests
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    @schemathesis.serializer("application/x-ndjson")
    def _ndjson(_ctx: Any, value: Any) -> bytes:
        return str(value).encode("utf-8", "replace")

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    base_url = f"http://127.0.0.1:{server.port}"
    schema = schemathesis.openapi.from_path(str(SCHEMA_FILE))
    headers = {"Authorization": f"Bearer {token}"}
    statuses: collections.Counter[int] = collections.Counter()
    failures: dict[str, str] = {}
    sent = 0
    operations = [result.ok() for result in schema.get_all_operations()]

    def explore(label: str, strategy: Any, mode_checks: list[Any]) -> None:
        @seeded(seed)
        @given(case=strategy)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            nonlocal sent
            try:
                response = case.call(base_url=base_url, headers=headers, timeout=30)
            except requests.ConnectionError:
                if not server.ensure_up():
                    raise
                response = case.call(base_url=base_url, headers=headers, timeout=30)
            sent += 1
            statuses[response.status_code] += 1
            if response.status_code == 414 and len(response.request.url or "") > URI_LIMIT:
                # Refused by the front door (gunicorn here, nginx in production) before the
                # platform sees it: a transport limit, answered as that server's own page.
                return
            try:
                case.validate_response(response, checks=mode_checks)
            except BaseExceptionGroup as exc:  # each distinct failure once, with its curl
                for failure in exc.exceptions:
                    key = f"{label} {getattr(failure, 'title', type(failure).__name__)}"
                    failures.setdefault(key, f"{failure}\n    {case.as_curl_command()}")

        run()

    for operation in operations:
        name = f"{operation.method.upper()} {operation.path}"
        fixed = path_values(operation.path, known)
        positive = [operation.as_strategy(GenerationMode.POSITIVE)]
        if fixed:
            positive.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
        explore(f"{name} [valid]", st.one_of(*positive), checks)
        if "application/x-ndjson" not in [body.media_type for body in operation.body]:
            negative = operation.as_strategy(GenerationMode.NEGATIVE)
            explore(f"{name} [invalid]", negative, [*checks, negative_data_rejection])
        print(f"  {name}: {sent} requests so far", flush=True)

    print(f"\noperations: {len(operations)}, requests: {sent}, seed: {seed}")
    by_class = collections.Counter(f"{code // 100}xx" for code in statuses.elements())
    print("answers by class: " + ", ".join(f"{k} {v}" for k, v in sorted(by_class.items())))
    print("answers by status: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print(f"server restarts (killed from outside): {server.restarts}")
    print(f"distinct failures: {len(failures)}")
    for key, text in failures.items():
        print(f"\n- {key}\n{text[:2000]}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--examples", type=int, default=100, help="per operation and mode (default 100)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()
    url = recreate_database(DB_NAME)
    data_dir = Path(tempfile.mkdtemp(prefix="cchc-fuzz-"))
    os.environ["DATA_DIR"] = str(data_dir)
    os.environ["RATELIMIT_ENABLE"] = "0"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()
    token, known = prepare()
    env = {
        **bench_environment(url),
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATA_DIR": str(data_dir),
        "RATELIMIT_ENABLE": "0",
    }
    started = time.perf_counter()
    server = Server(free_port(), args.workers, env, data_dir / "server.log")
    try:
        code = fuzz(server, token, known, args.examples, args.seed)
    finally:
        server.stop()
        from django.db import connections

        connections.close_all()
        drop_database(DB_NAME)
    print(f"\ntime: {time.perf_counter() - started:.0f} s; server logs in {data_dir}")
    errors = [
        line
        for log in server.logs()
        for line in log.read_text(errors="replace").splitlines()
        if '" 5' in line
    ]
    print(f"5xx in the server's access log: {len(errors)}")
    return code or (1 if errors else 0)


if __name__ == "__main__":
    sys.exit(main())
