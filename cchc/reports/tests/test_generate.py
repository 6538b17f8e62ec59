"""generate_demo: a province whose dossiers look like a real one's, whose report tables equal a
count from scratch, and which the live one-stop can go on working in."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from cchc.accounts.models import User
from cchc.catalogue.models import UnitProcedure
from cchc.dossiers import actions
from cchc.dossiers.actions import Applicant, Receipt, ReceivedDocument
from cchc.dossiers.choices import Channel, PaymentMethod
from cchc.dossiers.models import Dossier, DossierCounter, DossierPayment
from cchc.feedback.models import Feedback, Rating
from cchc.reports import aggregates
from cchc.reports.generator import Plan, generate
from cchc.reports.resolution import resolution
from cchc.units.choices import Role
from cchc.units.models import Membership, Unit

pytestmark = pytest.mark.django_db


def test_a_generated_province_counts_as_a_real_one(settings) -> None:
    result = generate(Plan(dossiers=4000, years=5, communes=14, defer_indexes=True))
    assert result.dossiers == Dossier.objects.exclude(code__startswith="TEST").count() == 4000
    assert result.ratings == Rating.objects.count() > 0
    assert result.feedback == Feedback.objects.count() == 10
    # One payment per fee paid; online payments only for online dossiers; electronic results
    # only for finished ones, more often online.
    paid = Dossier.objects.filter(fee_paid_vnd__gt=0)
    assert result.payments == DossierPayment.objects.count() == paid.count() > 0
    online = DossierPayment.objects.filter(method=PaymentMethod.ONLINE)
    assert 0 < online.count() < result.payments
    assert not online.exclude(dossier__channel__in=Channel.online()).exists()
    digital = Dossier.objects.filter(result_digital=True)
    assert digital.exists() and not digital.filter(finished_at__isnull=True).exists()
    assert result.rows_per_second > 0
    # The report tables hold exactly what a count from scratch finds.
    assert not aggregates.check()
    province = Unit.objects.current().get(code="38")
    today = timezone.localdate()
    shares = []
    for year in range(today.year - 4, today.year + 1):
        report = resolution(
            province, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today), subtree=True
        )
        t = report.total
        assert t.identities_hold()
        assert t.received_new > 0
        shares.append(t.received_online / t.received_new)
        if year < today.year:
            assert t.on_time_rate is not None and 85 <= t.on_time_rate <= 100
    # Online grows over the years; every outcome the tables know appears somewhere.
    assert shares[-1] > shares[0]
    whole = resolution(province, dt.date(today.year - 4, 1, 1), today, subtree=True).total
    for column in (
        "resolved_early",
        "resolved_on_time",
        "resolved_late_apology",
        "resolved_late_no_apology",
        "resolved_refused",
        "withdrawn",
        "stopped",
        "received_cross_boundary",
        "received_postal",
        "rated",
    ):
        assert getattr(whole, column) > 0, column
    # Codes follow <agency>-YYMMDD-NNNN, once each; the units that existed receive.
    assert Dossier.objects.values("code").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    old = Unit.objects.get(code="16279")  # merged away on 01/07/2025
    assert not Dossier.objects.filter(
        processing_unit=old, received_at__date__gt=dt.date(2025, 7, 1)
    ).exists()


def test_the_live_one_stop_goes_on_after_it(settings) -> None:
    generate(Plan(dossiers=1500, years=2, communes=12, end=timezone.localdate()))
    # Today's counter numbers continue after the generated ones.
    unit = Unit.objects.current().get(code="16300")
    adoption = UnitProcedure.objects.filter(unit=unit, implemented=True).first()
    assert adoption is not None
    procedure = adoption.procedure
    clerk = User.objects.create_user(username="clerk", password="a-Strong-pass-2026")
    Membership.objects.create(
        user=clerk, unit=unit, role=Role.RECEPTION, valid_from=dt.date(2020, 1, 1)
    )
    version = procedure.version_at(timezone.localdate())
    assert version is not None
    documents = [
        ReceivedDocument(position=d.position, originals=1) for d in version.documents.all()
    ]
    before = (
        DossierCounter.objects.filter(
            agency_identifier=unit.agency_identifier, day=timezone.localdate()
        )
        .values_list("last", flat=True)
        .first()
        or 0
    )
    dossier = actions.receive_dossier(
        Receipt(
            procedure_code=procedure.code,
            processing_unit=unit,
            applicant=Applicant(name="Nguyễn Văn An", id_number="038090001234", phone="0912345678"),
            documents=documents,
        ),
        by=clerk,
    )
    assert dossier.code.endswith(f"-{before + 1:04d}")
    aggregates.sweep()
    assert not aggregates.check()


def test_the_command_says_how_fast(settings) -> None:
    out = io.StringIO()
    call_command("generate_demo", dossiers=800, years=1, communes=12, stdout=out)
    text = out.getvalue()
    assert "800 hồ sơ" in text and "dòng/giây" in text
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'dossiers_dossier'")
            assert cursor.fetchone()[0] > 10


def test_once_generates_only_the_first_time() -> None:
    call_command("load_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("generate_demo", dossiers=300, years=1, once=True, stdout=out)
    made = Dossier.objects.count()
    assert "300 hồ sơ" in out.getvalue()
    out = io.StringIO()
    call_command("generate_demo", dossiers=300, years=1, once=True, stdout=out)
    assert Dossier.objects.count() == made
    assert "không sinh thêm" in out.getvalue()
