from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema

from cchc.accounts.auth import staff_auth
from cchc.accounts.models import User
from cchc.units.models import Membership

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    unit_code: str
    unit_name: str
    role: str


class MeOut(Schema):
    username: str
    full_name: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, auth=staff_auth, summary="Tài khoản đang gọi API và phân công")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    memberships = Membership.objects.active().filter(user=cast(User, user)).select_related("unit")
    return MeOut(
        username=user.get_username(),
        full_name=getattr(user, "full_name", ""),
        memberships=[
            MembershipOut(unit_code=m.unit.code, unit_name=m.unit.name, role=m.role)
            for m in memberships
        ],
    )
