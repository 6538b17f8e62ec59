"""The portal's refusals join the one vocabulary (issue 13, item 4): a `DomainError` with its
status, and a dossier refusal the portal passes on keeps the status it had."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from cchc.dossiers import actions as dossier_actions
from cchc.dossiers.models import Dossier
from cchc.lib.errors import DomainError
from cchc.portal import actions
from cchc.portal.actions import PortalError
from cchc.portal.identity import IdentityError, citizen_for


def test_a_portal_refusal_is_a_domain_error_for_the_citizen_to_correct() -> None:
    refusal = PortalError("Hãy nhập số điện thoại di động hoặc địa chỉ thư điện tử.")
    assert isinstance(refusal, DomainError)
    assert refusal.status_code == 422
    assert str(refusal) == refusal.message


@pytest.mark.parametrize(
    "wrapped",
    [
        dossier_actions.StaleDossier("Hồ sơ đã được người khác cập nhật."),
        dossier_actions.IllegalTransition("Không thực hiện được ở trạng thái này."),
        dossier_actions.NotAllowed("Không có quyền."),
        dossier_actions.FileTooLarge("Tệp quá lớn."),
        dossier_actions.InvalidDossierData("Thiếu giấy tờ."),
    ],
)
def test_a_wrapped_dossier_refusal_keeps_its_status_and_message(
    wrapped: dossier_actions.DossierError,
) -> None:
    refusal = PortalError.wrapping(wrapped)
    assert refusal.status_code == wrapped.status_code
    assert refusal.message == wrapped.message
    # The class's own status is untouched by an instance's.
    assert PortalError.status_code == 422


@pytest.mark.django_db
def test_a_completion_the_dossier_refuses_keeps_the_dossiers_status(
    received: Dossier, monkeypatch: Any
) -> None:
    """Through the real path: the dossier action refuses with 409, the portal says 409 too (it
    used to turn every dossier refusal into a plain ValueError, without a status)."""

    def stale(*args: Any, **kwargs: Any) -> Dossier:
        raise dossier_actions.StaleDossier("Hồ sơ vừa được cán bộ cập nhật; hãy tải lại trang.")

    monkeypatch.setattr(dossier_actions, "supplement_online", stale)
    with pytest.raises(PortalError) as refused:
        actions.send_completion(received, [])
    assert refused.value.status_code == 409
    assert refused.value.message == "Hồ sơ vừa được cán bộ cập nhật; hãy tải lại trang."
    assert isinstance(refused.value.__cause__, dossier_actions.StaleDossier)


@pytest.mark.django_db
def test_the_identity_number_is_checked_by_the_one_helper() -> None:
    claim, phone = settings.CITIZEN_OIDC_ID_NUMBER_CLAIM, settings.CITIZEN_OIDC_PHONE_CLAIM
    citizen = citizen_for({claim: "038 090 001 234", phone: "0912345678"})
    assert citizen.id_number == "038090001234"
    for number in ("", "123456789", "03809000123X", "0101234567"):
        with pytest.raises(IdentityError) as refused:
            citizen_for({claim: number, phone: "0912345678"})
        assert refused.value.status_code == 400
        assert isinstance(refused.value, DomainError)
        assert "số định danh cá nhân" in refused.value.message
