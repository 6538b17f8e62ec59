"""A small August 2025 at commune A (Nga Sơn) whose service index and TT 01/2018 indicators are
worked out by hand in the tests: seven dossiers, payments, documents, ratings and PAKN with known
moments, built directly (reports read stored rows, whatever made them).

    D1 counter, 04/08 → resolved early 06/08, electronic result, 2 digitised documents,
       paid online, rated 5
    D2 online toàn trình, 05/08 → resolved on time 08/08 16:00, paper result, 1 of 2 documents
       digitised, paid in cash, rated 2 for the officer's attitude, one supplement request
    D3 online một phần, 06/08 → resolved late 13/08, electronic result, no documents, paid
       online then in cash
    D4 postal, 11/08, due 14/08, still open: overdue at the end of August, 1 digitised document
    D5 counter at the commune's one-stop centre, 12/08 → refused 13/08 (early)
    D6 counter, 28/07 (carried over) → resolved on time 01/08 10:00, paper result
    D7 counter, 25/08 → withdrawn 26/08
    D8 commune B: resolved late (never counted for commune A)
PAKN to commune A: F1 answered on time, F2 answered late, F3 open and overdue at 31/08, F4 open
within time. Catalogue of commune A: birth (toàn trình) and copy (một phần) implemented, a
procedure only in force from October implemented, marriage (commune level) not decided.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from cchc.accounts.models import User
from cchc.catalogue.models import Procedure, ProcedureVersion, UnitProcedure
from cchc.dossiers.choices import Action, Channel, EndType, PaymentMethod, Status
from cchc.dossiers.models import (
    DocumentKind,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPayment,
    DossierStep,
)
from cchc.feedback.models import Feedback, Rating
from cchc.testing import World, at, make_procedure
from cchc.units.choices import UnitKind
from cchc.units.models import Unit
from cchc.worktime import deadlines

_codes = itertools.count(1)
AUGUST = (dt.date(2025, 8, 1), dt.date(2025, 8, 31))
AFTER = at("2025-09-15", 9)  # "now" for a past August


def dossier(
    world: World,
    *,
    received: dt.datetime | None,
    due: dt.datetime | None = None,
    finished: dt.datetime | None = None,
    end_type: str = "",
    unit: Any = None,
    channel: str = Channel.COUNTER,
    procedure: Procedure | None = None,
    digital: bool = False,
    supplements: int = 0,
    status: str | None = None,
) -> Dossier:
    procedure = procedure or world.copy
    unit = unit or world.commune_a
    if status is None:
        if finished is None:
            status = Status.PROCESSING if received else Status.SUBMITTED
        else:
            ends: dict[str, str] = {
                EndType.RESOLVED: Status.RETURNED,
                EndType.REFUSED: Status.RESOLVED,
                EndType.WITHDRAWN: Status.WITHDRAWN,
                EndType.STOPPED: Status.STOPPED,
            }
            status = ends[end_type]
    outcome = ""
    if finished is not None and due is not None and end_type in (EndType.RESOLVED, EndType.REFUSED):
        outcome = deadlines.outcome(due, finished)
    asked = received + dt.timedelta(hours=2) if supplements and received is not None else None
    return Dossier.objects.create(
        code=f"IX-{next(_codes):05d}",
        status=status,
        procedure=procedure,
        procedure_version=procedure.versions.get(),
        field=procedure.field,
        receiving_unit=unit,
        processing_unit=unit,
        channel=channel,
        return_method="counter",
        applicant_name="Nguyễn Văn An",
        submitted_at=received or at("2025-08-01"),
        received_at=received,
        clock_started_at=received,
        original_due_at=due,
        due_at=due,
        finished_at=finished,
        end_type=end_type if finished else "",
        outcome=outcome,
        result_digital=digital,
        supplement_count=supplements,
        supplement_requested_at=asked,
    )


Step = tuple[User | None, User | None, str, dt.datetime]  # assignee, given by, outcome, finished


def steps(d: Dossier, *rows: Step) -> None:
    for position, (assignee, given_by, outcome, finished) in enumerate(rows, start=1):
        DossierStep.objects.create(
            dossier=d,
            position=position,
            name=f"Bước {position}",
            allotted=dt.timedelta(hours=8),
            started_at=d.received_at,
            finished_at=finished,
            due_at=finished,
            assignee=assignee,
            given_by=given_by,
            outcome=outcome,
        )


def event(d: Dossier, action: str, actor: User, when: dt.datetime) -> None:
    DossierEvent.objects.create(
        dossier=d, action=action, from_status="", to_status=d.status, actor=actor, at=when
    )


def documents(d: Dossier, *digitised: bool) -> None:
    for n, flag in enumerate(digitised, start=1):
        DossierDocument.objects.create(
            dossier=d, kind=DocumentKind.SUBMITTED, name=f"Giấy tờ {n}", digitised=flag
        )


def pay(d: Dossier, method: str, when: dt.datetime, amount: int = 8000) -> None:
    DossierPayment.objects.create(dossier=d, amount_vnd=amount, method=method, paid_at=when)


def rate(d: Dossier, level: int, when: dt.datetime, reasons: list[str] | None = None) -> Rating:
    return Rating.objects.create(
        dossier=d,
        level=level,
        reasons=reasons or [],
        channel="lookup",
        created_at=when,
        processing_unit=d.processing_unit,
        receiving_unit=d.receiving_unit,
        procedure=d.procedure,
    )


def feedback(
    world: World,
    received: dt.datetime,
    due: dt.datetime,
    answered: dt.datetime | None = None,
    *,
    unit: Any = None,
    kind: str = "report",
) -> Feedback:
    return Feedback.objects.create(
        code=f"PA-{next(_codes):05d}",
        kind=kind,
        subject="procedure" if kind != "complaint" else "conduct",
        unit=unit or world.commune_a,
        content="Nội dung phản ánh",
        name="Trần Thị Bình" if kind == "complaint" else "",
        phone="0912345678" if kind == "complaint" else "",
        status="answered" if answered else "received",
        received_at=received,
        forward_due_at=received + dt.timedelta(days=5),
        answer_due_at=due,
        answered_at=answered,
        answer="Đã trả lời" if answered else "",
    )


@dataclass
class August:
    d1: Dossier
    d2: Dossier
    d3: Dossier
    d4: Dossier
    d5: Dossier
    d6: Dossier
    d7: Dossier
    d8: Dossier
    f1: Feedback
    f2: Feedback
    f3: Feedback
    f4: Feedback
    marriage: Procedure
    future: Procedure


@dataclass
class Staff:
    lan: User  # reception
    minh: User  # specialist
    hung: User  # leader


def august(world: World, staff: Staff | None = None) -> August:
    """The month; with `staff`, the steps of D1-D3 and the requests, for the officers' figures:
    D1: lan early, minh early, hung on time
    D2: lan on time, minh late (minh asked for a supplement on 05/08)
    D3: lan early, another body late (handed on by minh), hung early (lan asked the
        applicant to complete it before receipt)
    """
    # The catalogue: birth offered fully online, copy implemented (một phần), a procedure in
    # force only from October implemented, marriage (commune level) never decided.
    ProcedureVersion.objects.filter(procedure=world.birth).update(online_service="full")
    UnitProcedure.objects.filter(unit=world.commune_a, procedure=world.copy).update(
        implemented=True, reason=""
    )
    marriage = make_procedure("1.000894", "Đăng ký kết hôn", world.birth.field)
    future = make_procedure(
        "1.999999", "Thủ tục mới", world.birth.field, effective_from=dt.date(2025, 10, 1)
    )
    UnitProcedure.objects.create(unit=world.commune_a, procedure=future, implemented=True)

    d1 = dossier(
        world,
        received=at("2025-08-04", 9),
        due=at("2025-08-07", 17),
        finished=at("2025-08-06", 10),
        end_type=EndType.RESOLVED,
        digital=True,
    )
    documents(d1, True, True)
    pay(d1, PaymentMethod.ONLINE, at("2025-08-04", 9, 30))
    rate(d1, 5, at("2025-08-07", 10))

    d2 = dossier(
        world,
        received=at("2025-08-05", 9),
        due=at("2025-08-08", 17),
        finished=at("2025-08-08", 16),
        end_type=EndType.RESOLVED,
        channel=Channel.ONLINE_FULL,
        supplements=1,
    )
    documents(d2, True, False)
    pay(d2, PaymentMethod.CASH, at("2025-08-05", 10))
    rate(d2, 2, at("2025-08-09", 8), reasons=["attitude"])

    d3 = dossier(
        world,
        received=at("2025-08-06", 9),
        due=at("2025-08-11", 17),
        finished=at("2025-08-13", 10),
        end_type=EndType.RESOLVED,
        channel=Channel.ONLINE_PARTIAL,
        digital=True,
    )
    pay(d3, PaymentMethod.ONLINE, at("2025-08-06", 9, 30), amount=5000)
    pay(d3, PaymentMethod.CASH, at("2025-08-07", 9), amount=3000)

    d4 = dossier(
        world, received=at("2025-08-11", 9), due=at("2025-08-14", 17), channel=Channel.POSTAL
    )
    documents(d4, True)

    d5 = dossier(
        world,
        received=at("2025-08-12", 9),
        due=at("2025-08-15", 17),
        finished=at("2025-08-13", 15),
        end_type=EndType.REFUSED,
        unit=world.centre_a,
    )
    d6 = dossier(
        world,
        received=at("2025-07-28", 9),
        due=at("2025-08-01", 17),
        finished=at("2025-08-01", 10),
        end_type=EndType.RESOLVED,
    )
    d7 = dossier(
        world,
        received=at("2025-08-25", 9),
        due=at("2025-08-28", 17),
        finished=at("2025-08-26", 9),
        end_type=EndType.WITHDRAWN,
    )
    d8 = dossier(
        world,
        received=at("2025-08-04", 9),
        due=at("2025-08-07", 17),
        finished=at("2025-08-20", 9),
        end_type=EndType.RESOLVED,
        unit=world.commune_b,
        procedure=world.birth,
    )
    rate(d8, 1, at("2025-08-21", 9))
    if staff is not None:
        lan, minh, hung = staff.lan, staff.minh, staff.hung
        steps(
            d1,
            (lan, lan, "early", at("2025-08-04", 10)),
            (minh, lan, "early", at("2025-08-05", 10)),
            (hung, minh, "on_time", at("2025-08-06", 10)),
        )
        steps(
            d2,
            (lan, lan, "on_time", at("2025-08-05", 10)),
            (minh, lan, "late", at("2025-08-08", 15)),
        )
        steps(
            d3,
            (lan, lan, "early", at("2025-08-06", 10)),
            (None, lan, "late", at("2025-08-12", 10)),
            (hung, minh, "early", at("2025-08-13", 10)),
        )
        event(d2, Action.REQUEST_SUPPLEMENT, minh, at("2025-08-05", 11))
        event(d3, Action.ASK_COMPLETION, lan, at("2025-08-05", 15))

    f1 = feedback(world, at("2025-08-01", 9), at("2025-08-15", 17), at("2025-08-10", 9))
    f2 = feedback(world, at("2025-08-04", 9), at("2025-08-18", 17), at("2025-08-20", 9))
    f3 = feedback(world, at("2025-08-05", 9), at("2025-08-19", 17))
    f4 = feedback(world, at("2025-08-25", 9), at("2025-09-08", 17))
    feedback(world, at("2025-08-04", 9), at("2025-08-18", 17), unit=world.commune_b)
    return August(d1, d2, d3, d4, d5, d6, d7, d8, f1, f2, f3, f4, marriage, future)


def communes(world: World, first: int, n: int) -> None:
    """n more communes under the province, each with one dossier resolved early in August."""
    for k in range(first, first + n):
        unit = Unit.objects.create(
            code=f"17{k:03d}", name=f"Xã {k}", kind=UnitKind.COMMUNE, parent=world.province
        )
        dossier(
            world,
            unit=unit,
            procedure=world.birth,
            received=at("2025-08-04", 9),
            due=at("2025-08-05", 17),
            finished=at("2025-08-05", 9),
            end_type=EndType.RESOLVED,
        )
