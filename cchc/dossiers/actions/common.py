"""What every dossier action shares: the dossier's workflow on the one mechanism (`cchc.workflow`:
the table, the row lock, the refusals), the event it appends, the actions a user may take now, the
role checks and the moment an action happens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.dossiers.actions.errors import (
    DossierError,
    IllegalTransition,
    InvalidDossierData,
    NotAllowed,
    StaleDossier,
)
from cchc.dossiers.choices import (
    ACTION_RULES,
    PROCESSING_SIDE,
    RECEIPT_SIDE,
    TRANSITIONS,
    Action,
    Status,
    target_status,
)
from cchc.dossiers.missing import MissingItem
from cchc.dossiers.models import Dossier, DossierEvent, DossierStep
from cchc.dossiers.notices import on_dossier_event
from cchc.units.choices import Role
from cchc.units.models import Unit, user_roles_in
from cchc.workflow.table import Rule
from cchc.workflow.transition import Workflow, record, transition


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update()
        .select_related("processing_unit", "receiving_unit", "procedure_version")
        .get(pk=dossier.pk)
    )


def _stale(dossier: Dossier) -> DossierError:
    return StaleDossier(
        _("Hồ sơ %(code)s vừa được người khác cập nhật. Hãy tải lại trang để xem trạng thái mới.")
        % {"code": dossier.code}
    )


def _illegal(dossier: Dossier, action: str) -> DossierError:
    allowed_from = ", ".join(str(Status(s).label) for s in sorted(TRANSITIONS.sources(action)))
    return IllegalTransition(
        _("Không thể “%(action)s” khi hồ sơ đang “%(status)s” (chỉ được khi: %(allowed)s).")
        % {
            "action": Action(action).label,
            "status": Status(dossier.status).label,
            "allowed": allowed_from,
        }
    )


def _side_unit(dossier: Dossier, side: str) -> Unit:
    return dossier.receiving_unit if side == RECEIPT_SIDE else dossier.processing_unit


def _not_allowed(dossier: Dossier, action: str, rule: Rule) -> DossierError:
    names = ", ".join(str(Role(r).label) for r in sorted(rule.roles))
    return NotAllowed(
        _("Vai trò của bạn tại %(unit)s không được thực hiện “%(action)s” (cần: %(roles)s).")
        % {
            "unit": _side_unit(dossier, rule.where).name,
            "action": Action(action).label,
            "roles": names,
        }
    )


FLOW: Workflow[Dossier] = Workflow(
    table=TRANSITIONS,
    event=DossierEvent,
    lock=_lock,
    version_field="row_version",
    stale=_stale,
    illegal=_illegal,
    roles_of=lambda dossier, user, side: user_roles_in(user, _side_unit(dossier, side)),
    not_allowed=_not_allowed,
    on_event=lambda _dossier, event: on_dossier_event(cast(DossierEvent, event), new_event=True),
)


MissingInput = str | MissingItem | dict[str, Any]


def allowed_actions(dossier: Dossier, user: Any) -> list[str]:
    """The actions this user may take on this dossier now (for the page's buttons)."""
    roles_by_side = {
        RECEIPT_SIDE: user_roles_in(user, dossier.receiving_unit),
        PROCESSING_SIDE: user_roles_in(user, dossier.processing_unit),
    }
    out = []
    for action, (side, roles) in ACTION_RULES.items():
        if action in (Action.NOTE, Action.ATTACH):
            continue
        if action == Action.EXTEND and (
            dossier.extended_at is not None or dossier.procedure_version.extended_duration is None
        ):
            continue
        if target_status(action, dossier.status) is not None and roles & roles_by_side[side]:
            out.append(action)
    if Action.RESOLVE in out and _leader_must_sign(dossier, roles_by_side[PROCESSING_SIDE]):
        out.remove(Action.RESOLVE)
    if Action.SEND_BACK in out and not _at_leader_step(dossier):
        out.remove(Action.SEND_BACK)
    return out


def _at_leader_step(dossier: Dossier) -> bool:
    current = _current_step(dossier)
    return current is not None and current.role == Role.LEADER


def _leader_must_sign(dossier: Dossier, roles: set[str]) -> bool:
    """Whether a leader's step is still ahead and the actor is no leader: the procedure's steps
    say a leader signs, so a specialist hands over to the leader instead of recording the
    result (issue 12). Checked by `resolve` itself, so the page and the API agree."""
    if Role.LEADER in roles:
        return False
    return dossier.steps.filter(role=Role.LEADER, finished_at__isnull=True).exists()


def _check_role(dossier: Dossier, action: str, user: Any) -> None:
    FLOW.check_role(dossier, action, user)


def _current_step(dossier: Dossier) -> DossierStep | None:
    return (
        dossier.steps.filter(started_at__isnull=False, finished_at__isnull=True)
        .order_by("position")
        .first()
    )


def local_iso(moment: dt.datetime | None) -> str | None:
    """Moments in the history read as officials see them: ISO 8601 with +07:00."""
    return timezone.localtime(moment).isoformat() if moment else None


def _now(at: dt.datetime | None) -> dt.datetime:
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise InvalidDossierData(_("Thời điểm phải có múi giờ."))
    return moment


def _event(
    dossier: Dossier,
    action: str,
    from_status: str,
    to_status: str,
    *,
    by: Any,
    at: dt.datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
) -> DossierEvent:
    event = record(
        FLOW,
        dossier,
        action,
        from_status,
        to_status,
        by=by,
        at=at,
        reason=reason,
        data=data or {},
        public=public,
    )
    assert isinstance(event, DossierEvent)
    return event


def _transition(
    dossier: Dossier,
    action: str,
    *,
    by: Any,
    expected_version: int | None,
    at: dt.datetime | None,
    change: Callable[[Dossier, dt.datetime], dict[str, Any] | None] | None = None,
    reason: str = "",
    public: bool = True,
    by_citizen: bool = False,
    leads_to: Callable[[Dossier], str] | None = None,
) -> Dossier:
    """The one workflow mechanism (`cchc.workflow.transition`) with the dossier's table and
    refusals. `leads_to` names the status where the table's target depends on the change (a
    part payment stays waiting)."""
    return transition(
        FLOW,
        dossier,
        action,
        by=by,
        at=_now(at),
        expected_version=expected_version,
        check_role=not by_citizen,
        change=change,
        leads_to=leads_to,
        details={"reason": reason, "public": public},
    )
