"""What people do to the catalogue: one function per business action, used by pages and API."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.catalogue.models import Procedure, UnitProcedure
from cchc.lib.errors import DomainError
from cchc.units.choices import CATALOGUE_EDITORS
from cchc.units.models import Unit, user_roles_in

# -- errors: the API's one handler for DomainError answers them as JSON -------------------------


class CatalogueError(DomainError):
    status_code = 409


class NotAllowed(CatalogueError):
    status_code = 403


class InvalidAdoption(CatalogueError):
    status_code = 422


@transaction.atomic
def set_adoption(
    unit: Unit, procedure: Procedure, *, implemented: bool, reason: str, by: Any
) -> UnitProcedure:
    """Record whether `unit` implements `procedure`; only its TTHC-control officer or an admin may."""
    if not user_roles_in(by, unit) & CATALOGUE_EDITORS:
        raise NotAllowed(
            _("Chỉ đầu mối kiểm soát TTHC hoặc quản trị của đơn vị được sửa danh mục áp dụng.")
        )
    reason = reason.strip()
    if not implemented and not reason:
        raise InvalidAdoption(
            _("Thủ tục không thực hiện tại đơn vị phải có lý do."), field="reason"
        )
    adoption, _created = UnitProcedure.objects.select_for_update().get_or_create(
        unit=unit, procedure=procedure
    )
    adoption.implemented = implemented
    adoption.reason = "" if implemented else reason
    adoption.save()
    return adoption
