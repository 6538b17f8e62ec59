"""The admin shows what was sent, masking recipients in lists; nothing can be edited there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cchc.dossiers.models import Dossier
from cchc.notify.choices import Channel
from cchc.notify.delivery import deliver_message
from cchc.notify.models import Message
from cchc.testing import EMAIL, logged_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(received: Dossier) -> Client:
    return logged_in(make_user("root", is_staff=True, is_superuser=True))


def test_the_list_masks_recipients_and_shows_no_bodies(
    admin_client: Client, received: Dossier
) -> None:
    sms = Message.objects.get(dossier=received, channel=Channel.SMS)
    page = admin_client.get(reverse("admin:notify_message_changelist")).content.decode()
    assert received.code in page
    assert "09******78" in page
    assert EMAIL not in page and "0912345678" not in page
    assert sms.body not in page


def test_a_message_page_shows_the_body_and_its_attempts(
    admin_client: Client,
    received: Dossier,
    sms_file: object,
) -> None:
    sms = Message.objects.get(dossier=received, channel=Channel.SMS)
    deliver_message(sms.pk)
    page = admin_client.get(reverse("admin:notify_message_change", args=[sms.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert received.code in html and "0912345678" in html
    assert "Thành công" in html  # the attempt's outcome
    assert admin_client.get(reverse("admin:notify_message_add")).status_code == 403
