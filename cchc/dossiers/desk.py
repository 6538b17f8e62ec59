"""What the dossier page offers an officer: the act the current step expects first, the rest
behind "Thao tác khác", nothing at all to someone with nothing to do.

The business actions (`actions`) decide what may be done; this module narrows that to what the
officer is expected to do now, so that the page and the API's `allowed_actions` agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from cchc.dossiers.actions.common import allowed_actions
from cchc.dossiers.choices import ACTION_RULES, Action, Status
from cchc.dossiers.models import Dossier, DossierStep
from cchc.lib.text import person_key
from cchc.units.choices import Role
from cchc.units.models import Membership, Unit, user_roles_in

# Acts that belong to whoever holds the current step: another officer of the unit who may take
# them in principle (reception may hand over, a leader may ask for a supplement) is not asked to
# while the dossier is on someone else's desk.
STEP_ACTS = frozenset(
    {
        Action.HAND_OVER,
        Action.SEND_BACK,
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.RESCHEDULE,
        Action.EXTEND,
        Action.RESOLVE,
        Action.REFUSE,
        Action.STOP,
    }
)

# Acts that cannot be undone: the page asks the officer to confirm, saying what will happen.
IRREVERSIBLE: dict[str, Any] = {
    Action.RESOLVE: _(
        "Hồ sơ được ghi nhận là đã có kết quả và chuyển sang trả kết quả; không thể quay lại "
        "bước xử lý."
    ),
    Action.REFUSE: _(
        "Hồ sơ kết thúc với kết quả từ chối giải quyết (Mẫu 03); công dân được thông báo lý do."
    ),
    Action.STOP: _("Hồ sơ dừng xử lý và kết thúc; không thể tiếp tục xử lý hồ sơ này."),
    Action.WITHDRAW: _("Hồ sơ được rút theo yêu cầu của công dân và kết thúc."),
    Action.RETURN_RESULT: _("Kết quả được ghi nhận là đã trao cho công dân; hồ sơ kết thúc."),
    Action.REFUSE_RECEIPT: _(
        "Hồ sơ không được tiếp nhận (Mẫu 03); công dân được thông báo lý do và hồ sơ kết thúc."
    ),
}


@dataclass
class Desk:
    """The acts offered on one dossier to one officer."""

    primary: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    current_step: DossierStep | None = None
    next_step: DossierStep | None = None
    # Whom "Chuyển cho" may name: (user, role label), never the officer themselves.
    recipients: list[tuple[Any, Any]] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> list[str]:
        return self.primary + self.others

    def label(self, action: str) -> Any:
        return self.labels.get(action) or Action(action).label


def _steps(dossier: Dossier) -> tuple[DossierStep | None, DossierStep | None]:
    steps = list(dossier.steps.order_by("position"))
    current = next((s for s in steps if s.started_at and not s.finished_at), None)
    following = next((s for s in steps if s.started_at is None), None)
    return current, following


def _holds(step: DossierStep | None, user: Any, roles: set[str]) -> bool:
    """Whether `user` is the one the current step waits for."""
    if step is None:
        return True  # an imported dossier without steps: whoever may act, may
    if step.assignee_id is not None:
        return step.assignee_id == user.pk or Role.LEADER in roles and step.role == Role.LEADER
    return not step.role or step.role in roles


def desk_for(dossier: Dossier, user: Any) -> Desk:
    allowed = allowed_actions(dossier, user)
    current, following = _steps(dossier)
    roles = user_roles_in(user, dossier.processing_unit)
    desk = Desk(current_step=current, next_step=following)
    if dossier.status in (Status.RECEIVED, Status.PROCESSING) and not _holds(current, user, roles):
        allowed = [a for a in allowed if a not in STEP_ACTS]
    primary: list[str] = []
    if dossier.status == Status.SUBMITTED:
        primary = [Action.RECEIVE, Action.ASK_COMPLETION]
    elif dossier.status == Status.SUPPLEMENT:
        primary = [Action.SUPPLEMENT_RECEIVED]
    elif dossier.status == Status.PAYMENT:
        primary = [Action.RECORD_PAYMENT]
    elif dossier.status == Status.RESOLVED:
        primary = [Action.RETURN_RESULT]
    elif dossier.status in (Status.RECEIVED, Status.PROCESSING):
        step_role = current.role if current is not None else ""
        last = following is None or following.role == Role.RECEPTION
        if step_role == Role.LEADER:
            primary = [Action.RESOLVE, Action.SEND_BACK]
            desk.labels[Action.RESOLVE] = _("Có kết quả / Phê duyệt")
            desk.labels[Action.SEND_BACK] = _("Trả lại")
        elif step_role == Role.RECEPTION:
            primary = [Action.HAND_OVER]
        else:
            primary = [Action.RESOLVE if last else Action.HAND_OVER, Action.REQUEST_SUPPLEMENT]
    desk.primary = [a for a in primary if a in allowed]
    desk.others = [a for a in allowed if a not in desk.primary]
    if following is not None and following.role == Role.LEADER:
        desk.labels[Action.HAND_OVER] = _("Trình lãnh đạo ký duyệt")
    elif following is not None and following.role == Role.SPECIALIST:
        desk.labels[Action.HAND_OVER] = _("Chuyển chuyên viên xử lý")
    if Action.HAND_OVER in desk.allowed:
        desk.recipients = recipients(dossier, following, user)
    return desk


def recipients(dossier: Dossier, step: DossierStep | None, user: Any) -> list[tuple[Any, Any]]:
    """The people who may take `step`: its role, reaching the unit that does it, not `user`."""
    if step is None:
        return []
    wanted = {step.role} if step.role else {Role.SPECIALIST, Role.LEADER}
    unit: Unit = dossier.receiving_unit if step.role == Role.RECEPTION else dossier.processing_unit
    # A membership reaches the unit from the unit itself or from an ancestor (one prefix match
    # per ancestor path), with the same rule as `user_roles_in`.
    ancestors = [unit.path[: i + 1] for i, c in enumerate(unit.path) if c == "/" and i > 0]
    memberships = (
        Membership.objects.active()
        .filter(role__in=wanted, unit__path__in=ancestors + [unit.path], user__is_active=True)
        .exclude(user=user)
        .select_related("user", "unit")
    )
    out: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    for m in memberships:
        reaches = m.covers_subtree or m.unit.admin_owner_id == unit.admin_owner_id
        if reaches and m.user_id not in seen:
            seen.add(m.user_id)
            out.append((m.user, Role(m.role).label))
    # People are listed as Vietnamese lists them: by given name, then family name.
    return sorted(out, key=lambda pair: person_key(pair[0].full_name or pair[0].username))


def recipient_allowed(dossier: Dossier, username: str, user: Any) -> Any | None:
    """The user named for a hand-over, if they are one of `recipients` (else None)."""
    _current, following = _steps(dossier)
    for candidate, _role in recipients(dossier, following, user):
        if candidate.username == username:
            return candidate
    return None


def can_attach(dossier: Dossier, user: Any) -> bool:
    """Whether the "Thêm giấy tờ" form may be shown: the rule `attach_document` applies."""
    if dossier.is_final:
        return False
    _side, roles = ACTION_RULES[Action.ATTACH]
    return bool(roles & user_roles_in(user, dossier.processing_unit))
