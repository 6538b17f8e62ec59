"""The demo a fresh `make run` shows: dossiers made through the real actions, something in
every worklist an officer opens first, codes a visitor can look up."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from cchc.accounts.models import User
from cchc.dossiers.choices import Status
from cchc.dossiers.models import Dossier
from cchc.dossiers.worklists import Filters, worklist_rows
from cchc.feedback.models import Rating
from cchc.portal.demo_dossiers import SCENARIOS, load_demo_dossiers

pytestmark = pytest.mark.django_db


# The demo counts back from the moment it is loaded; a Wednesday morning keeps "due today"
# from having become "overdue" by the time the suite runs.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def demo(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False
    call_command("load_demo", no_dossiers=True, stdout=io.StringIO())
    assert load_demo_dossiers(now=NOW) == len(SCENARIOS)


def test_the_demo_fills_the_worklists(demo: None) -> None:
    assert Dossier.objects.count() == len(SCENARIOS)
    reception = User.objects.get(username="tiepnhan.ngason")
    specialist = User.objects.get(username="chuyenvien.ngason")
    for key in ("open", "due_1", "due_3", "overdue", "supplement", "payment", "to_return",
                "not_returned", "finished"):  # fmt: skip
        assert worklist_rows(reception, key, Filters(), now=NOW).exists(), key
    assert worklist_rows(specialist, "mine", Filters(), now=NOW).exists()
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT,
            Status.RESOLVED, Status.RETURNED} <= statuses  # fmt: skip
    assert Rating.objects.count() == 3
    assert Dossier.objects.exclude(rescheduled_at=None).count() == 1


def test_the_demo_codes_can_be_looked_up_and_loading_again_adds_nothing(demo: None) -> None:
    code = Dossier.objects.filter(status=Status.RETURNED).values_list("code", flat=True)[0]
    assert Client().get(f"/api/v1/public/dossiers/{code}").json()["status"] == "returned"
    assert load_demo_dossiers() == 0
    assert Dossier.objects.count() == len(SCENARIOS)


def test_load_demo_makes_them_unless_told_not_to(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False
    call_command("load_demo", no_dossiers=True, stdout=io.StringIO())
    assert not Dossier.objects.exists()
    call_command("load_demo", force=True, stdout=io.StringIO())
    assert Dossier.objects.count() == len(SCENARIOS)
