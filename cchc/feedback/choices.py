"""Names used by ratings and citizen feedback (PAKN), defined once, with the one transition
table every feedback action checks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.units.choices import Role
from cchc.workflow.table import Rule, TransitionTable


class Level(models.IntegerChoices):
    """The five-point scale of TT 01/2018 and SIPAS, best first as citizens read it."""

    VERY_SATISFIED = 5, _("Rất hài lòng")
    SATISFIED = 4, _("Hài lòng")
    NEUTRAL = 3, _("Bình thường")
    DISSATISFIED = 2, _("Không hài lòng")
    VERY_DISSATISFIED = 1, _("Rất không hài lòng")


# The satisfaction rate counts these two levels (REFERENCE §6).
SATISFIED_LEVELS = frozenset({Level.VERY_SATISFIED, Level.SATISFIED})


class Reason(models.TextChoices):
    """What the rating is about: a small fixed list so reports can count it."""

    ATTITUDE = "attitude", _("Thái độ phục vụ")
    TIME = "time", _("Thời gian giải quyết")
    GUIDANCE = "guidance", _("Hướng dẫn hồ sơ")
    FACILITIES = "facilities", _("Cơ sở vật chất")
    FEES = "fees", _("Phí, lệ phí")
    ONLINE = "online", _("Dịch vụ trực tuyến")


class RatingChannel(models.TextChoices):
    LOOKUP = "lookup", _("Trang tra cứu (mã hồ sơ và số điện thoại)")
    LINK = "link", _("Đường dẫn trong tin nhắn")
    KIOSK = "kiosk", _("Máy tính bảng tại quầy")


class Kind(models.TextChoices):
    """ND 20/2008: phản ánh comments on a regulation, kiến nghị adds a proposal; a complaint
    about an officer's conduct needs the sender's identity."""

    REPORT = "report", _("Phản ánh")
    PROPOSAL = "proposal", _("Kiến nghị")
    COMPLAINT = "complaint", _("Khiếu nại về thái độ, hành vi cán bộ")


class Subject(models.TextChoices):
    PROCEDURE = "procedure", _("Thủ tục hành chính")
    REGULATION = "regulation", _("Quy định hành chính")
    CONDUCT = "conduct", _("Hành vi, thái độ của cán bộ, công chức")
    OTHER = "other", _("Nội dung khác")


class Category(models.TextChoices):
    """The classification at receipt (ND 20/2008 Art. 9(4))."""

    CONDUCT = "conduct", _("Về hành vi chậm trễ, gây phiền hà, không thực hiện đúng quy định")
    WITHIN = "within", _("Về quy định hành chính thuộc thẩm quyền xử lý của đơn vị")
    OUTSIDE = "outside", _("Không thuộc thẩm quyền xử lý của đơn vị")


# Categories the unit does not settle itself: it forwards them to the competent body.
FORWARD_CATEGORIES = frozenset({Category.CONDUCT, Category.OUTSIDE})


class Status(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    CLASSIFIED = "classified", _("Đã phân loại")
    FORWARDED = "forwarded", _("Đã chuyển cơ quan có thẩm quyền")
    ANSWERED = "answered", _("Đã trả lời")
    PUBLISHED = "published", _("Đã công khai kết quả")
    REJECTED = "rejected", _("Không đủ điều kiện xử lý")


# Still waiting for an answer: the answer deadline runs.
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.CLASSIFIED, Status.FORWARDED})
ANSWERED_STATUSES = frozenset({Status.ANSWERED, Status.PUBLISHED})


class Action(models.TextChoices):
    SUBMIT = "submit", _("Gửi phản ánh, kiến nghị")
    CLASSIFY = "classify", _("Phân loại")
    FORWARD = "forward", _("Chuyển cơ quan có thẩm quyền")
    ANSWER = "answer", _("Trả lời")
    PUBLISH = "publish", _("Công khai kết quả")
    REJECT = "reject", _("Không tiếp nhận xử lý")


# Who may handle PAKN addressed to a unit: the same roles for every action, in that unit.
STAFF_ROLES: frozenset[str] = frozenset(
    {Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.TTHC_CONTROL}
)

# The one transition table: action → (statuses it may start from, status it leads to).
# Classifying again is allowed until the item moves on (a first guess may be corrected).
_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    Action.CLASSIFY: (frozenset({Status.RECEIVED, Status.CLASSIFIED}), Status.CLASSIFIED),
    Action.FORWARD: (frozenset({Status.CLASSIFIED}), Status.FORWARDED),
    Action.ANSWER: (frozenset({Status.CLASSIFIED, Status.FORWARDED}), Status.ANSWERED),
    Action.PUBLISH: (frozenset({Status.ANSWERED}), Status.PUBLISHED),
    Action.REJECT: (frozenset({Status.RECEIVED, Status.CLASSIFIED}), Status.REJECTED),
}
TRANSITIONS = TransitionTable(_MOVES, {action: Rule("unit", STAFF_ROLES) for action in _MOVES})


def target_status(action: str, current: str) -> str | None:
    return TRANSITIONS.target(action, current)
