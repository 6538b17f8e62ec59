"""Names used by SIPAS surveys, defined once, with the one transition table of a survey round."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.units.choices import Role
from cchc.workflow.table import Rule, TransitionTable


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ACTIVE = "active", _("Đang áp dụng")
    CLOSED = "closed", _("Ngừng áp dụng")


class QuestionKind(models.TextChoices):
    """The three content dimensions of each SIPAS factor (REFERENCE §6)."""

    PERCEPTION = "perception", _("Nhận định")
    SATISFACTION = "satisfaction", _("Sự hài lòng")
    EXPECTATION = "expectation", _("Sự mong đợi")


# The five-point scale of REFERENCE §6, 1 (worst) to 5 (best). A questionnaire stores its own
# labels (data, not code); these are the default when its file gives none.
DEFAULT_SCALE = (
    "Rất không hài lòng",
    "Không hài lòng",
    "Bình thường",
    "Hài lòng",
    "Rất hài lòng",
)
SCALE_POINTS = 5
# "Satisfied": the two best points, Hài lòng and Rất hài lòng (REFERENCE §6).
SATISFIED_VALUES = frozenset({4, 5})


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Đang chuẩn bị")
    OPEN = "open", _("Đang thu phiếu")
    CLOSED = "closed", _("Đã kết thúc thu phiếu")
    PUBLISHED = "published", _("Đã công bố kết quả")


class RoundAction(models.TextChoices):
    CREATE = "create", _("Tạo đợt khảo sát")
    OPEN = "open", _("Mở đợt khảo sát")
    DRAW = "draw", _("Chọn mẫu khảo sát")
    CLOSE = "close", _("Kết thúc thu phiếu")
    PUBLISH = "publish", _("Công bố kết quả")


class ResponseChannel(models.TextChoices):
    PAPER = "paper", _("Phiếu giấy (cán bộ nhập)")
    KIOSK = "kiosk", _("Máy tính bảng tại bộ phận một cửa")
    ONLINE = "online", _("Trực tuyến (đường dẫn, mã QR)")


# Who runs a round and owns questionnaires: the unit's leaders and TTHC-control officers.
MANAGER_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.TTHC_CONTROL, Role.ADMINISTRATOR})
# Who enters paper forms and hands over the kiosk tablet: the managers and the one-stop staff.
COLLECTOR_ROLES: frozenset[str] = MANAGER_ROLES | {Role.RECEPTION, Role.SPECIALIST}

# The round's table: action → (statuses it may start from, status it leads to). Drawing the
# sample keeps the status (None).
_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    RoundAction.OPEN: (frozenset({RoundStatus.DRAFT}), RoundStatus.OPEN),
    RoundAction.DRAW: (frozenset({RoundStatus.OPEN}), None),
    RoundAction.CLOSE: (frozenset({RoundStatus.OPEN}), RoundStatus.CLOSED),
    RoundAction.PUBLISH: (frozenset({RoundStatus.CLOSED}), RoundStatus.PUBLISHED),
}
TRANSITIONS = TransitionTable(_MOVES, {action: Rule("unit", MANAGER_ROLES) for action in _MOVES})
