"""The mixed load of issue 10 against the real doors: run by `bench/bench_load.py`, which starts
the server, writes the configuration and reads what this file records.

Four kinds of people, in the proportions of `workload.py` at `LOAD_SCALE` times the peak:
- **counter** (a commune's reception officer, API token): receives a dossier through
  `POST /api/v1/dossiers` with an `Idempotency-Key`, hands it over to the commune's specialist with
  the `version` the receipt answered, and returns a result the specialist recorded (reads the
  dossier through the API for its version, then `return_result`);
- **specialist** (staff session, logged in through the login page): opens the worklist "mine",
  the page of a dossier handed to them, and records its result through the page's own form with
  the version the page showed;
- **citizen**: looks a dossier up by code and phone, half through the API, half through the
  /tra-cuu/ form (form, POST, the dossier's page), each time as a new visitor from a new address;
- **visitor**: searches the catalogue and opens a procedure's page.

Every request carries what nginx would add (`X-Forwarded-Proto: https`, `X-Forwarded-For`), so the
server runs with its production settings (`TRUSTED_PROXY_COUNT=1`): rate limits count per
simulated address and stay on. Any answer but the one `workload.REQUESTS` expects is a failure; a
receipt without an answer (or a 503) is sent again under its key, counted as "receipt retry".

Environment: LOAD_CONFIG (JSON written by bench_load.py), LOAD_SCALE (multiple of the peak).
Records: every receipt's key, code and status in `receipts_log`; the status codes by request
name in `status_log`, written when the test stops.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
import uuid
from collections import Counter, defaultdict, deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from locust import FastHttpUser, constant_throughput, events, task  # noqa: E402

from bench.load import workload  # noqa: E402

CONFIG: dict[str, Any] = json.loads(Path(os.environ["LOAD_CONFIG"]).read_text())
SCALE = float(os.environ.get("LOAD_SCALE", "1"))
PLAN = workload.plan(SCALE)
ORIGIN = CONFIG["origin"]  # https://127.0.0.1:PORT, as the browser behind nginx would say
PROXIED = {"X-Forwarded-Proto": "https"}

COMMUNES: list[dict[str, Any]] = CONFIG["communes"]
LOOKUPS: list[list[str]] = CONFIG["lookups"]
PROCEDURES: list[str] = CONFIG["procedures"]
SEARCHES: list[str] = CONFIG["searches"]

# Dossiers waiting between the counter and the specialist of each commune (one Locust process:
# gevent greenlets, no locks needed).
handed_over: dict[str, deque[str]] = defaultdict(deque)
resolved: dict[str, deque[str]] = defaultdict(deque)
RECEIPT_ATTEMPTS = 3
counter_slots = itertools.count()
specialist_slots = itertools.count()

# Open for the whole run, a line written per receipt; flushed when the test stops.
receipts_log = Path(CONFIG["receipts_log"]).open("a", buffering=1)  # noqa: SIM115
statuses: Counter[tuple[str, int]] = Counter()


@events.request.add_listener
def _count_status(name: str, response: Any = None, exception: Any = None, **_: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    statuses[(name, int(status))] += 1


@events.test_stop.add_listener
def _write_statuses(**_: Any) -> None:
    rows = [{"name": n, "status": s, "count": c} for (n, s), c in sorted(statuses.items())]
    Path(CONFIG["status_log"]).write_text(json.dumps(rows, indent=1))
    receipts_log.flush()


def _address() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def _expect(response: Any, name: str) -> bool:
    """Whether the answer is the one `workload.REQUESTS` expects; if not, a failure."""
    if response.status_code == workload.REQUESTS[name].status:
        return True
    response.failure(f"HTTP {response.status_code}: {response.text[:200] if response.text else ''}")
    return False


def _get(user: FastHttpUser, name: str, headers: dict[str, str], **values: str) -> None:
    with user.client.get(
        workload.url(name, **values),
        headers=headers,
        name=name,
        allow_redirects=False,
        catch_response=True,
    ) as r:
        _expect(r, name)


class CounterOfficer(FastHttpUser):
    """A reception officer at a commune's counter (the API door, token)."""

    fixed_count = PLAN["counter"].users
    wait_time = constant_throughput(PLAN["counter"].per_user)

    def on_start(self) -> None:
        self.commune = COMMUNES[next(counter_slots) % len(COMMUNES)]
        self.headers = {
            "Authorization": f"Bearer {self.commune['reception_token']}",
            "Content-Type": "application/json",
            "X-Forwarded-For": _address(),
            **PROXIED,
        }

    def _receipt_body(self) -> str:
        n = random.randrange(10**8)
        return json.dumps(
            {
                "procedure": CONFIG["procedure"],
                "unit": self.commune["unit"],
                "applicant": {
                    "name": f"Nguyễn Văn Tải {n}",
                    "id_number": f"038{n:09d}",
                    "phone": f"09{n:08d}",
                },
                "documents": [{"position": p, "originals": 1} for p in CONFIG["positions"]],
            },
            ensure_ascii=False,
        )

    @task
    def receive_and_hand_over(self) -> None:
        key = uuid.uuid4().hex
        unit = self.commune["unit"]
        body = self._receipt_body().encode()
        # A receipt that got no answer (connection cut) or a 503 is sent again with the same body
        # and key, as docs/api/README.md tells integrations to: the key makes it one dossier.
        # The first attempt's failure stays in the figures; the retries are counted apart.
        for attempt in range(RECEIPT_ATTEMPTS):
            with self.client.post(
                workload.url("receipt"),
                data=body,
                headers={**self.headers, "Idempotency-Key": key},
                name="receipt" if attempt == 0 else "receipt retry",
                catch_response=True,
            ) as r:
                ok = _expect(r, "receipt")
                code = r.json()["code"] if ok else ""
                version = r.json()["version"] if ok else 0
                error = "" if ok else repr(getattr(r, "error", None) or r.status_code)[:200]
                receipts_log.write(
                    f"{key}\t{code}\t{r.status_code}\t{self.commune['reception']}\t{error}\n"
                )
            if ok or r.status_code not in (0, 503):
                break
        if not ok:
            return
        with self.client.post(
            workload.url("hand_over", code=code),
            data=json.dumps({"version": version, "to": self.commune["specialist"]}).encode(),
            headers=self.headers,
            name="hand_over",
            catch_response=True,
        ) as r:
            if _expect(r, "hand_over"):
                handed_over[unit].append(code)
        if resolved[unit]:
            self.return_result(resolved[unit].popleft())

    def return_result(self, code: str) -> None:
        with self.client.get(
            workload.url("dossier API", code=code),
            headers=self.headers,
            name="dossier API",
            catch_response=True,
        ) as r:
            if not _expect(r, "dossier API"):
                return
            version = r.json()["version"]
        with self.client.post(
            workload.url("return_result", code=code),
            data=json.dumps({"version": version, "method": "counter"}).encode(),
            headers=self.headers,
            name="return_result",
            catch_response=True,
        ) as r:
            _expect(r, "return_result")


class Specialist(FastHttpUser):
    """A commune's specialist on the staff pages (session, CSRF), acting through the page form."""

    fixed_count = PLAN["specialist"].users
    wait_time = constant_throughput(PLAN["specialist"].per_user)

    def on_start(self) -> None:
        self.commune = COMMUNES[next(specialist_slots) % len(COMMUNES)]
        self.headers = {"X-Forwarded-For": _address(), **PROXIED}
        login = workload.url("login")
        _get(self, "login form", self.headers)
        with self.client.post(
            login,
            data={
                "csrfmiddlewaretoken": self._csrf(),
                "username": self.commune["specialist"],
                "password": CONFIG["password"],
            },
            headers=self._form_headers(login),
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            _expect(r, "login")

    def _csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def _form_headers(self, path: str) -> dict[str, str]:
        return {**self.headers, "Origin": ORIGIN, "Referer": ORIGIN + path}

    @task
    def process(self) -> None:
        _get(self, "worklist", self.headers)
        unit = self.commune["unit"]
        if not handed_over[unit]:
            return
        code = handed_over[unit].popleft()
        path = workload.url("dossier page", code=code)
        with self.client.get(
            path, headers=self.headers, name="dossier page", catch_response=True
        ) as r:
            found = (
                workload.VERSION_FIELD.search(r.text or "") if _expect(r, "dossier page") else None
            )
            if r.status_code == 200 and found is None:
                r.failure("no version on the dossier's page")
        if found is None:
            return
        with self.client.post(
            workload.url("resolve", code=code),
            data={
                **workload.RESOLVE_FIELDS,
                "csrfmiddlewaretoken": self._csrf(),
                "version": found.group(1),
            },
            headers=self._form_headers(path),
            name="resolve",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if _expect(r, "resolve"):
                resolved[unit].append(code)


class Citizen(FastHttpUser):
    """Looks a dossier up by code and phone: each iteration a new visitor from a new address."""

    fixed_count = PLAN["citizen"].users
    wait_time = constant_throughput(PLAN["citizen"].per_user)

    def on_start(self) -> None:
        self.by_page = random.random() < workload.LOOKUPS_BY_PAGE_SHARE

    @task
    def look_up(self) -> None:
        code, phone = random.choice(LOOKUPS)
        headers = {"X-Forwarded-For": _address(), **PROXIED}
        self.client.cookiejar.clear()
        # Alternate the doors, so each user's lookups split as the workload says.
        self.by_page = not self.by_page
        if not self.by_page:
            with self.client.get(
                workload.url("lookup API", code=code, phone=phone),
                headers=headers,
                name="lookup API",
                catch_response=True,
            ) as r:
                _expect(r, "lookup API")
            return
        form = workload.url("lookup form")
        _get(self, "lookup form", headers)
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        with self.client.post(
            workload.url("lookup POST"),
            data={"csrfmiddlewaretoken": token, "code": code, "phone": phone},
            headers={**headers, "Origin": ORIGIN, "Referer": ORIGIN + form},
            name="lookup POST",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if not _expect(r, "lookup POST"):
                return
        with self.client.get(
            workload.url("lookup page", code=code),
            headers=headers,
            name="lookup page",
            catch_response=True,
        ) as r:
            # The applicant's own view (their documents), proven by the phone in this session.
            if _expect(r, "lookup page") and workload.PERSONAL_MARKER not in (r.text or ""):
                r.failure("the page did not show the applicant's own view")


class Visitor(FastHttpUser):
    """Searches the catalogue, then opens one procedure's page."""

    fixed_count = PLAN["visitor"].users
    wait_time = constant_throughput(PLAN["visitor"].per_user)

    @task
    def browse(self) -> None:
        headers = {"X-Forwarded-For": _address(), **PROXIED}
        _get(self, "catalogue search", headers, q=random.choice(SEARCHES))
        _get(self, "procedure page", headers, procedure=random.choice(PROCEDURES))
