"""The load's mix, derived from REFERENCE §9 and issue 10 (no Locust here: the test imports it).

A large province after the 2025 merger: 168 communes, 300 dossiers a commune a working day at a
large ward centre, three times that on the days before Tết, received within 8 office hours.
Every dossier brings 10 public lookups (the issue's figure), and the work the dossier causes at
the counter and in processing, and on the catalogue before it. What one dossier costs in requests
is `PER_DOSSIER`; the peak's dossiers per second is `PEAK_DOSSIERS_PER_SECOND`; a run at `scale`
times the peak sends `scale * PEAK_DOSSIERS_PER_SECOND * count` of each request a second.
docs/reliability.md, section "Load", gives the same derivation in words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import quote

COMMUNES = 168
DOSSIERS_PER_COMMUNE_DAY = 300
PEAK_FACTOR = 3  # the days before Tết, year and quarter ends, campaign waves
WORKING_SECONDS = 8 * 3600  # office hours of one working day
LOOKUPS_PER_DOSSIER = 10
# Assumptions, not statistics: half the lookups through the API (the national portal, apps),
# half through the /tra-cuu/ page; two catalogue visits (a search, then a procedure's page)
# per dossier received.
LOOKUPS_BY_PAGE_SHARE = 0.5
CATALOGUE_VISITS_PER_DOSSIER = 2

PEAK_DOSSIERS_PER_DAY = COMMUNES * DOSSIERS_PER_COMMUNE_DAY * PEAK_FACTOR  # 151,200
PEAK_DOSSIERS_PER_SECOND = PEAK_DOSSIERS_PER_DAY / WORKING_SECONDS  # 5.25
TARGET_SCALE = 10.0

# The requests one dossier causes, by the name Locust reports them under.
# Counter (reception officer, API token): the receipt, the hand-over to the commune's specialist
# with the version the receipt answered, and later the return of the result after reading the
# dossier's version. Specialist (staff session): a worklist, the dossier's page, and the result
# recorded through the API with the version the page showed.
PER_DOSSIER: dict[str, float] = {
    "receipt": 1,
    "hand_over": 1,
    "worklist": 1,
    "dossier page": 1,
    "resolve": 1,
    "dossier API": 1,
    "return_result": 1,
    "lookup API": LOOKUPS_PER_DOSSIER * (1 - LOOKUPS_BY_PAGE_SHARE),
    # A lookup by the page is three requests: the form, its POST (302), the dossier's page.
    "lookup form": LOOKUPS_PER_DOSSIER * LOOKUPS_BY_PAGE_SHARE,
    "lookup POST": LOOKUPS_PER_DOSSIER * LOOKUPS_BY_PAGE_SHARE,
    "lookup page": LOOKUPS_PER_DOSSIER * LOOKUPS_BY_PAGE_SHARE,
    "catalogue search": CATALOGUE_VISITS_PER_DOSSIER,
    "procedure page": CATALOGUE_VISITS_PER_DOSSIER,
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # a template: {code}, {phone}, {q}, {procedure}
    status: int  # the answer expected; anything else is a failure


# Every request the load sends, by name; the locustfile builds its URLs from these, and
# cchc/ops/tests/test_load_workload.py walks one dossier through them with Django's test client.
REQUESTS: dict[str, Request] = {
    "receipt": Request("POST", "/api/v1/dossiers", 201),
    "hand_over": Request("POST", "/api/v1/dossiers/{code}/actions/hand_over", 200),
    "worklist": Request("GET", "/lam-viec/ho-so/?list=mine", 200),
    "dossier page": Request("GET", "/lam-viec/ho-so/{code}/", 200),
    "resolve": Request("POST", "/lam-viec/ho-so/{code}/thao-tac/resolve/", 302),
    "dossier API": Request("GET", "/api/v1/dossiers/{code}", 200),
    "return_result": Request("POST", "/api/v1/dossiers/{code}/actions/return_result", 200),
    "lookup API": Request("GET", "/api/v1/public/dossiers/{code}?phone={phone}", 200),
    "lookup form": Request("GET", "/tra-cuu/", 200),
    "lookup POST": Request("POST", "/tra-cuu/", 302),
    "lookup page": Request("GET", "/tra-cuu/{code}/", 200),
    "catalogue search": Request("GET", "/thu-tuc/?q={q}", 200),
    "procedure page": Request("GET", "/thu-tuc/{procedure}/", 200),
    "login form": Request("GET", "/tai-khoan/dang-nhap/", 200),
    "login": Request("POST", "/tai-khoan/dang-nhap/", 302),
}
# The version a staff page shows in each action form (what the specialist acts with).
VERSION_FIELD = re.compile(r'name="version" value="(\d+)"')
# Only the applicant's own view of /tra-cuu/<code>/ names the applicant.
PERSONAL_MARKER = "<dt>Người nộp</dt>"


def url(name: str, **values: str) -> str:
    return REQUESTS[name].path.format(**{k: quote(v) for k, v in values.items()})


# Each simulated person's iterations a second: a rate per class is spread over enough users
# that none has to hurry (Locust waits between iterations to keep to it).
PER_USER_RATE = {"counter": 0.5, "specialist": 0.5, "citizen": 1.0, "visitor": 1.0}
# Iterations of each class per dossier: one receipt, one processing, 10 lookups, 2 visits.
ITERATIONS_PER_DOSSIER = {
    "counter": 1.0,
    "specialist": 1.0,
    "citizen": float(LOOKUPS_PER_DOSSIER),
    "visitor": float(CATALOGUE_VISITS_PER_DOSSIER),
}


def requests_per_dossier() -> float:
    return sum(PER_DOSSIER.values())


def requests_per_second(scale: float) -> float:
    return scale * PEAK_DOSSIERS_PER_SECOND * requests_per_dossier()


@dataclass(frozen=True)
class ClassPlan:
    users: int
    per_user: float  # iterations a second, each user

    @property
    def rate(self) -> float:
        return self.users * self.per_user


def plan(scale: float) -> dict[str, ClassPlan]:
    """How many users of each class, each at how many iterations a second, for `scale`."""
    dossiers = scale * PEAK_DOSSIERS_PER_SECOND
    out = {}
    for name, per_dossier in ITERATIONS_PER_DOSSIER.items():
        rate = dossiers * per_dossier
        users = max(1, math.ceil(rate / PER_USER_RATE[name]))
        out[name] = ClassPlan(users=users, per_user=rate / users)
    return out


# The dossier page asks the officer to confirm an act that cannot be undone (issue 12): the
# resolve form carries the tick with the row version it was decided on.
RESOLVE_FIELDS = {"confirm": "1"}
