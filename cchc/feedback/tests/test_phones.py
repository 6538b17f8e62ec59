"""Feedback phones the way people type them (issue 9, item 11): a PAKN keeps one form of the
sender's mobile, and a rating proves the applicant's phone whatever the spelling on either
side."""

from __future__ import annotations

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.dossiers import actions as dossier_actions
from cchc.dossiers.models import Dossier
from cchc.feedback import errors, ratings
from cchc.feedback.models import Feedback
from cchc.feedback.tests.support import form_data, send
from cchc.testing import World, at

pytestmark = pytest.mark.django_db


def test_a_pakn_keeps_the_mobile_in_one_form(world: World) -> None:
    response = Client().post("/phan-anh/", form_data(phone="+84 (0) 912.345.678"))
    assert response.status_code == 302  # to the "sent" page (Post/Redirect/Get)
    assert Feedback.objects.get().phone == "0912345678"


def test_a_pakn_refuses_a_landline_saying_why(world: World) -> None:
    with pytest.raises(errors.InvalidFeedback, match="Số máy bàn không nhận được tin nhắn"):
        send(world, phone="0237 3870 123")
    response = Client().post("/phan-anh/", form_data(phone="0237 3870 123"))
    assert response.status_code == 422 and "Số máy bàn" in response.content.decode()


@pytest.fixture
def returned_to_a_landline(received: Dossier, leader: User, reception: User) -> Dossier:
    """A dossier whose applicant left a landline at the counter, as typed before item 11."""
    Dossier.objects.filter(pk=received.pk).update(applicant_phone="(0237) 3870 123")
    received.refresh_from_db()
    dossier = dossier_actions.resolve(received, by=leader, at=at("2025-08-06", 10))
    return dossier_actions.return_result(dossier, by=reception, at=at("2025-08-07", 9))


def test_a_landline_on_file_is_proven_in_its_international_spelling(
    returned_to_a_landline: Dossier,
) -> None:
    rating = ratings.rate_by_code(returned_to_a_landline.code, phone="+84 237 3870 123", level=5)
    assert rating.dossier_id == returned_to_a_landline.pk


def test_a_near_miss_is_not_a_proof(returned_to_a_landline: Dossier) -> None:
    with pytest.raises(errors.RatingRefused):
        ratings.rate_by_code(returned_to_a_landline.code, phone="0237 3870 12", level=5)
