"""One error vocabulary (issue 13, item 4): every refusal is a `DomainError` with its status,
answered by one handler for the API (JSON) and one for pages (the site's page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from cchc.catalogue.actions import CatalogueError
from cchc.dossiers.actions import DossierError
from cchc.feedback.errors import FeedbackError
from cchc.lib.errors import DomainError, DomainErrorMiddleware
from cchc.portal.actions import PortalError
from cchc.portal.identity import IdentityError
from cchc.tickets.errors import QueueError
from cchc.worktime.actions import CalendarError, CalendarImportError


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (DomainError, 409),
        (DossierError, 409),
        (FeedbackError, 409),
        (QueueError, 409),
        (CatalogueError, 409),
        (CalendarError, 422),
        (CalendarImportError, 422),
        (PortalError, 422),
        (IdentityError, 400),
    ],
)
def test_every_apps_refusal_is_a_domain_error_with_a_status(
    cls: type[DomainError], status: int
) -> None:
    assert issubclass(cls, DomainError)
    assert cls.status_code == status


def test_the_message_the_status_and_the_field() -> None:
    plain = DomainError("Không được.")
    assert (str(plain), plain.message, plain.status_code, plain.detail) == (
        "Không được.",
        "Không được.",
        409,
        "Không được.",
    )
    wrapped = DomainError("Tệp quá lớn.", status_code=413)
    assert wrapped.status_code == 413 and DomainError.status_code == 409
    field = DomainError("Cần lý do.", field="reason", status_code=422)
    assert field.detail == {"reason": ["Cần lý do."]}


def test_a_calendar_import_keeps_its_rows() -> None:
    refused = CalendarImportError(["Dòng 2: ngày không hợp lệ.", "Dòng 3: thiếu tên."])
    assert refused.errors == ["Dòng 2: ngày không hợp lệ.", "Dòng 3: thiếu tên."]
    assert refused.message == "Dòng 2: ngày không hợp lệ.\nDòng 3: thiếu tên."
    assert refused.status_code == 422


@pytest.mark.django_db
def test_a_refusal_no_view_caught_is_a_page_with_its_status(rf: RequestFactory) -> None:
    middleware = DomainErrorMiddleware(lambda request: None)
    request = rf.get("/lam-viec/ho-so/")
    request.user = _anonymous()
    response = middleware.process_exception(
        request, DossierError("Hồ sơ đã được chuyển xử lý.", status_code=409)
    )
    assert response is not None and response.status_code == 409
    page = response.content.decode()
    assert "Hồ sơ đã được chuyển xử lý." in page and 'lang="vi"' in page


def test_the_api_and_other_exceptions_are_left_to_their_handlers(rf: RequestFactory) -> None:
    middleware = DomainErrorMiddleware(lambda request: None)
    assert middleware.process_exception(rf.get("/api/v1/dossiers"), DossierError("x")) is None
    assert middleware.process_exception(rf.get("/lam-viec/"), ValueError("x")) is None


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
