"""Nobody sees another unit's data: every staff page and endpoint answers 404 across units."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from cchc.catalogue.models import UnitProcedure
from cchc.testing import World, bearer, logged_in
from cchc.units.choices import Role
from cchc.units.models import visible_unit_ids

pytestmark = pytest.mark.django_db


def test_a_reception_officer_sees_their_commune_and_its_agencies_only(
    world: World, reception
) -> None:
    assert visible_unit_ids(reception) == {world.commune_a.id, world.centre_a.id}


def test_a_province_appraiser_sees_every_unit_below_the_province(world: World, pat) -> None:
    assert visible_unit_ids(pat) == {
        world.province.id,
        world.commune_a.id,
        world.centre_a.id,
        world.commune_b.id,
    }


def test_an_expired_membership_gives_no_access(world: World, reception) -> None:
    import datetime as dt

    reception.memberships.update(valid_to=dt.date(2025, 6, 30))
    reception.__dict__.pop("_cchc_unit_scope", None)
    assert visible_unit_ids(reception) == frozenset()


def test_scope_costs_two_queries_whatever_the_number_of_units(
    world: World, pat, django_assert_num_queries
) -> None:
    with django_assert_num_queries(2):
        visible_unit_ids(pat)
    with django_assert_num_queries(0):
        visible_unit_ids(pat)  # cached on the user object for the request


STAFF_PAGES = [
    "/lam-viec/don-vi/{code}/",
    "/lam-viec/don-vi/{code}/thu-tuc/",
]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_of_another_commune_answer_404(world: World, reception, url: str) -> None:
    client = logged_in(reception)
    assert client.get(url.format(code=world.commune_a.code)).status_code == 200
    assert client.get(url.format(code=world.commune_b.code)).status_code == 404


def test_changing_another_communes_adoption_answers_404_and_changes_nothing(
    world: World, carol
) -> None:
    client = logged_in(carol)
    response = client.post(
        f"/lam-viec/don-vi/{world.commune_b.code}/thu-tuc/{world.birth.code}/",
        {"implemented": "0", "reason": "x"},
    )
    assert response.status_code == 404
    assert (
        UnitProcedure.objects.get(unit=world.commune_b, procedure=world.birth).implemented is True
    )


def test_api_adoption_list_of_another_commune_answers_404(world: World, reception) -> None:
    headers = bearer(reception)
    from django.test import Client

    client = Client()
    assert (
        client.get(f"/api/v1/units/{world.commune_a.code}/procedures", **headers).status_code == 200
    )
    response = client.get(f"/api/v1/units/{world.commune_b.code}/procedures", **headers)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_api_adoption_change_of_another_commune_answers_404(world: World, carol) -> None:
    from django.test import Client

    response = Client().put(
        f"/api/v1/units/{world.commune_b.code}/procedures/{world.birth.code}",
        data=json.dumps({"implemented": False, "reason": "Không phát sinh"}),
        content_type="application/json",
        **bearer(carol),
    )
    assert response.status_code == 404
    assert (
        UnitProcedure.objects.get(unit=world.commune_b, procedure=world.birth).implemented is True
    )


def test_anonymous_staff_pages_redirect_to_login(world: World) -> None:
    from django.test import Client

    response = Client().get(f"/lam-viec/don-vi/{world.commune_a.code}/")
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


# -- the access walk: every URL pattern, as each role of another commune and as anonymous ------
# (issue 10, "Tests and figures: Access"). Commune A holds a dossier, a document, a PAKN and a
# queue ticket with distinctive personal data; every pattern of the URL resolver is filled with
# A's objects and requested (GET and POST; PUT too on the API) by commune B's staff of each role
# and by an anonymous visitor. Staff-area addresses naming A's objects must answer 302, 401,
# 403, 404 (or 405 for a method the address does not take); no answer anywhere may carry A's
# personal data; nothing of A's may change. A pattern added later is walked too: if it takes a
# parameter this walk cannot fill, the test fails and says which, so it cannot be forgotten.

SECRETS = {
    "name": "Hoàng Thị Bí Mật",
    "phone": "0987654321",
    "id_number": "038190009999",
    "email": "bimat@example.vn",
    "address": "Số 7 ngõ Bí Mật",
    "pakn_name": "Trần Văn Kín Đáo",
    "pakn_phone": "0977123456",
    "pakn_email": "kindao@example.vn",
}
DENIED = {302, 401, 403, 404, 405}


@dataclass
class Victim:
    dossier: Any
    document: Any
    feedback: Any
    ticket: Any
    counter: Any
    clerk: Any  # commune A's reception officer, who received the dossier
    survey: Any  # commune A's satisfaction survey round, on its own questionnaire
    assessment: Any  # commune A's PAR Index, self-scored


@pytest.fixture
def victim(world: World, settings: Any, tmp_path: Any) -> Victim:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.dossiers import actions as dossier_actions
    from cchc.dossiers.actions import Applicant
    from cchc.feedback import pakn as feedback_pakn
    from cchc.testing import at, make_user, receipt_for
    from cchc.tickets import queue as ticket_actions
    from cchc.tickets.models import Counter

    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    world.copy.adoptions.filter(unit=world.commune_a).update(implemented=True, reason="")
    clerk = make_user("clerk_a", world.commune_a, Role.RECEPTION)
    applicant = Applicant(
        name=SECRETS["name"],
        id_number=SECRETS["id_number"],
        phone=SECRETS["phone"],
        email=SECRETS["email"],
        address=SECRETS["address"],
    )
    dossier = dossier_actions.receive_dossier(
        receipt_for(world, applicant=applicant), by=clerk, at=at("2025-08-04")
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    document = dossier_actions.attach_document(
        dossier, by=clerk, file=SimpleUploadedFile("cccd.png", png), name="CCCD"
    )
    feedback = feedback_pakn.submit_feedback(
        unit=world.commune_a,
        kind="report",
        subject="conduct",
        content="Cán bộ hẹn lại nhiều lần.",
        name=SECRETS["pakn_name"],
        phone=SECRETS["pakn_phone"],
        email=SECRETS["pakn_email"],
        at=at("2025-08-04", 10),
    )
    counter = Counter.objects.create(unit=world.commune_a, number=1)
    ticket = ticket_actions.issue_ticket(world.commune_a)
    survey = _survey_of(world)
    dossier.refresh_from_db()
    from cchc.parindex import actions as par_actions
    from cchc.parindex.criteria import load_shipped, save_set

    appraiser = make_user("appraiser_38", world.province, Role.APPRAISER)
    assessment = par_actions.open_assessment(
        world.commune_a,
        save_set(load_shipped("par-xa-2025.json")),
        by=appraiser,
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
    )
    tthc_a = make_user("tthc_a", world.commune_a, Role.TTHC_CONTROL)
    par_actions.set_self_score(assessment, "1.2", 1, by=tthc_a, note=SECRETS["name"])
    # A file of evidence, so the walk reaches the evidence download with a real id.
    par_actions.add_evidence(
        assessment,
        "1.2",
        by=tthc_a,
        kind="file",
        label="Báo cáo CCHC quý III",
        file=SimpleUploadedFile("bc.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
    )
    return Victim(dossier, document, feedback, ticket, counter, clerk, survey, assessment)


def _survey_of(world: World) -> Any:
    """An open survey round of commune A, on a questionnaire commune A issued itself."""
    import datetime as dt

    from cchc.surveys import actions as survey_actions
    from cchc.testing import make_user

    head = make_user("head_a", world.commune_a, Role.LEADER)
    doc = {
        "code": "KS-A",
        "year": 2025,
        "title": "Phiếu khảo sát xã A",
        "factors": [
            {
                "code": "1",
                "title": "Tiếp cận",
                "criteria": [
                    {
                        "code": "1.1",
                        "title": "Nơi chờ",
                        "questions": [{"code": "Q1", "text": "Nơi chờ", "kind": "satisfaction"}],
                    }
                ],
            }
        ],
    }
    questionnaire = survey_actions.import_questionnaire(doc, unit=world.commune_a, by=head)
    survey_actions.activate_questionnaire(questionnaire, by=head)
    survey = survey_actions.create_round(
        questionnaire=questionnaire,
        unit=world.commune_a,
        title="Khảo sát xã A",
        period_start=dt.date(2025, 8, 1),
        period_end=dt.date(2025, 8, 31),
        answer_until=dt.date(2099, 12, 31),
        sample_size=10,
        by=head,
    )
    return survey_actions.open_round(survey, by=head)


def _patterns() -> list[tuple[str, str, list[str]]]:
    """(route, namespace:name, parameter names) for every pattern of the URL resolver."""
    from django.urls import URLPattern, URLResolver, get_resolver

    out: list[tuple[str, str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                names = re.findall(r"<(?:\w+:)?(\w+)>", route)
                out.append((route, f"{namespace}:{p.name}", names))

    walk(get_resolver().url_patterns, "", "")
    return out


def _value(param: str, route: str, key: str, v: Victim, world: World) -> str:
    """Commune A's object for a parameter; a wrong secret where the secret is the key."""
    if re.search(rf"<uuid:{param}>", route):
        return str(uuid.uuid4())  # a guessed id of something unguessable finds nothing
    if param == "code":
        if key.startswith("parindex:"):
            return "1.2"  # a criterion of the set, self-scored by commune A
        if key.startswith("feedback:") or "/feedback/" in route:
            return v.feedback.code
        if key.startswith("catalogue:") or "procedures/<code>" in route:
            return world.copy.code
        if key == "tickets:appointment" or "appointments/" in route:
            return "HEN-0001"
        return v.dossier.code
    if param == "action":
        # A real action of each kind, so the request reaches the lookup.
        if key.startswith("surveys:"):
            return "close"
        if key == "parindex:remediation_move" or "remediation-tasks/" in route:
            return "start"
        if key.startswith("feedback:") or "/feedback/" in route:
            return "classify"
        if "counters/" in route or key.startswith("tickets:"):
            return "recall"
        return "note"
    if param == "evidence_id":
        from cchc.parindex.models import Evidence

        return str(
            Evidence.objects.filter(score__assessment=v.assessment)
            .values_list("pk", flat=True)
            .get()
        )
    if param == "token":
        # Bearer-secret pages (a draft, a rating link, a ticket): the walker does not hold the
        # secret; a made-up one must find nothing.
        return "khong-phai-ma-that"
    fixed = {
        "unit_code": world.commune_a.code,
        "counter_id": v.counter.pk,
        "counter_number": v.counter.number,
        "number": v.counter.number,
        "document_id": v.document.pk,
        "attachment_id": 1,
        "form": "01",
        "year": 2025,
        "object_id": v.dossier.pk,
        "content_type_id": 1,
        "app_label": "dossiers",
        "pk": v.dossier.pk,
        "id": v.dossier.pk,
        "iso": "2025-09-02",
        "round_id": v.survey.pk,
        "questionnaire_id": v.survey.questionnaire_id,
        "url": "khong-co",
        "assessment_id": v.assessment.pk,
        "round": 1,
        "step": "finalise",
        # No task exists: the assessment's scope answers before the task is looked up.
        "task_id": 1,
    }
    if param not in fixed:
        raise LookupError(param)
    return str(fixed[param])


def _fill(route: str, values: dict[str, str]) -> str:
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)
    # Regular-expression patterns (the API's catch-all) are walked at a plain address under them.
    return "/" + path.replace("^[\\s\\S]*$", "nothing-here")


def _body_text(response: Any) -> str:
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    text = raw.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # The API escapes non-ASCII letters: compare the decoded text.
        with contextlib.suppress(ValueError):
            text += json.dumps(json.loads(text), ensure_ascii=False)
    return text


def _refused_at_the_door(response: Any) -> bool:
    """The API's schema refusal (400): given before any lookup, the same for any object, so it
    tells nothing about A's (an empty body for an upload, a PUT without its fields)."""
    if response.status_code != 400 or "json" not in response.get("Content-Type", ""):
        return False
    return str(response.json().get("detail", "")).startswith("Dữ liệu gửi lên không hợp lệ")


def _staff_area(route: str, method: str, openapi: dict[str, Any]) -> bool:
    if route.startswith(("lam-viec/", "quan-tri/")):
        return True
    if route.startswith("api/v1/"):
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        operation = openapi["paths"].get(path, {}).get(method.lower())
        return bool(operation and operation.get("security"))
    return False


def _par_state(victim: Victim) -> tuple[Any, ...]:
    from cchc.parindex.models import Assessment, ScoreChange

    assessment = Assessment.objects.get(pk=victim.assessment.pk)
    changes = ScoreChange.objects.filter(score__assessment=assessment).count()
    return assessment.status, assessment.version, changes


def test_the_access_walk_finds_nothing_of_another_commune(world: World, victim: Victim) -> None:
    from django.test import Client

    from cchc.api import api
    from cchc.dossiers.models import DossierEvent
    from cchc.feedback.models import FeedbackEvent
    from cchc.testing import make_user
    from cchc.units.choices import Role as Roles

    openapi = api.get_openapi_schema(path_prefix="/api/v1")
    outsiders = [make_user(f"b_{role}", world.commune_b, role) for role in Roles.values]
    before = (
        victim.dossier.row_version,
        DossierEvent.objects.filter(dossier=victim.dossier).count(),
        FeedbackEvent.objects.filter(feedback=victim.feedback).count(),
        victim.survey.events.count(),
        _par_state(victim),
    )
    unknown: list[str] = []
    problems: list[str] = []
    walked = 0
    for route, key, params in _patterns():
        try:
            values = {p: _value(p, route, key, victim, world) for p in params}
        except LookupError as exc:
            unknown.append(f"{key} ({route}): parameter {exc.args[0]!r}")
            continue
        url = _fill(route, values)
        names_an_object = bool(params)
        staff_area = _staff_area(route, "GET", openapi) or _staff_area(route, "POST", openapi)
        # Every method on an address naming A's objects (an action is a POST); a list or a form
        # is read. Each role where roles make a difference; the admin and the public pages that
        # name nothing answer every non-staff account alike: one of them is walked.
        methods = ["GET"]
        if names_an_object:
            methods += ["POST", *(["PUT"] if route.startswith("api/") else [])]
        role_blind = route.startswith("quan-tri/") or not (staff_area or names_an_object)
        people = [None, outsiders[0]] if role_blind else [None, *outsiders]
        for person in people:
            for method in methods:
                client = Client(raise_request_exception=False)
                if person is not None:
                    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
                response = client.generic(method, url, b"{}", content_type="application/json")
                walked += 1
                who = person.username if person else "anonymous"
                status = response.status_code
                if status >= 500 and not (status == 503 and key == "ops:healthz"):
                    # (The readiness probe says 503 by design while no job worker runs.)
                    problems.append(f"{method} {url} as {who}: {status}")
                elif (
                    names_an_object
                    and _staff_area(route, method, openapi)
                    and status not in DENIED
                    and not _refused_at_the_door(response)
                ):
                    problems.append(f"{method} {url} as {who}: {status}, expected one of {DENIED}")
                text = _body_text(response)
                leaked = [k for k, secret in SECRETS.items() if secret in text]
                if leaked:
                    problems.append(f"{method} {url} as {who}: shows {', '.join(leaked)}")
    assert not unknown, "patterns with parameters the walk cannot fill:\n" + "\n".join(unknown)
    assert not problems, "\n".join(problems)
    assert walked > 1000, walked
    victim.dossier.refresh_from_db()
    after = (
        victim.dossier.row_version,
        DossierEvent.objects.filter(dossier=victim.dossier).count(),
        FeedbackEvent.objects.filter(feedback=victim.feedback).count(),
        victim.survey.events.count(),
        _par_state(victim),
    )
    assert after == before
    # The walk would see a leak: A's own clerk finds the name on both doors.
    clerk = logged_in(victim.clerk)
    for own in (
        f"/lam-viec/ho-so/{victim.dossier.code}/",
        f"/api/v1/dossiers/{victim.dossier.code}",
    ):
        assert SECRETS["name"] in _body_text(clerk.get(own)), own
