"""Names used by the PAR Index (Chỉ số CCHC), defined once, with the one transition table of the
assessment cycle."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.units.choices import Role, UnitKind
from cchc.workflow.table import Rule, TransitionTable


class SetStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ACTIVE = "active", _("Đang áp dụng")


# The kinds of unit a criteria set is written for (REFERENCE §5: provinces, departments, the
# communes and wards) and the kinds of unit each one may assess. A commune set covers every
# commune-level unit (xã, thị trấn, đặc khu) but a ward set only wards: the Hà Nội framework is
# one for "xã, phường, thị trấn", but a province that issues a ward set means wards alone.
SET_UNIT_KINDS: dict[str, frozenset[str]] = {
    UnitKind.COMMUNE: frozenset(
        {UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP, UnitKind.SPECIAL_ZONE}
    ),
    UnitKind.WARD: frozenset({UnitKind.WARD}),
    UnitKind.DEPARTMENT: frozenset({UnitKind.DEPARTMENT}),
    UnitKind.PROVINCE: frozenset({UnitKind.PROVINCE}),
}
SET_KIND_CHOICES = [(kind.value, kind.label) for kind in UnitKind if kind in SET_UNIT_KINDS]


class Method(models.TextChoices):
    """How a criterion is scored (REFERENCE §5): the unit's self-score appraised by the council,
    a sociological survey (ĐTXHH), or computed from the platform's own records."""

    APPRAISED = "appraised", _("Tự chấm, thẩm định")
    SURVEY = "survey", _("Điều tra xã hội học")
    AUTOMATIC = "automatic", _("Tự động từ dữ liệu hệ thống")


class ScoreRule(models.TextChoices):
    """How the points follow from what was found; the thresholds and targets are the set's data
    (`Criterion.rule_params`), never code."""

    FREE = "free", _("Chấm tự do đến điểm tối đa")
    YES_NO = "yes_no", _("Có/không (đạt: điểm tối đa, không đạt: 0)")
    STEPPED = "stepped", _("Theo mức ngưỡng")
    PROPORTIONAL = "proportional", _("Tỷ lệ thuận với tỷ lệ đạt")


class Status(models.TextChoices):
    OPEN = "open", _("Đã mở kỳ đánh giá")
    SELF_ASSESSING = "self_assessing", _("Đang tự đánh giá")
    SUBMITTED = "submitted", _("Đã gửi tự đánh giá")
    APPRAISING_1 = "appraising_1", _("Đang thẩm định lần 1")
    EXPLAINING = "explaining", _("Đơn vị giải trình")
    APPRAISING_2 = "appraising_2", _("Đang thẩm định lần 2")
    APPRAISED = "appraised", _("Đã thẩm định")
    SURVEY_MERGED = "survey_merged", _("Đã tổng hợp điểm điều tra xã hội học")
    FINAL = "final", _("Đã chốt kết quả")
    PUBLISHED = "published", _("Đã công bố")


class Action(models.TextChoices):
    OPEN = "open", _("Mở kỳ đánh giá")
    IMPORT = "import", _("Nhập kết quả từ tệp")
    SELF_ASSESS = "self_assess", _("Tự chấm điểm")
    SUBMIT = "submit", _("Gửi tự đánh giá")
    APPRAISE_1 = "appraise_1", _("Thẩm định lần 1")
    CLOSE_ROUND_1 = "close_round_1", _("Kết thúc thẩm định lần 1")
    EXPLAIN = "explain", _("Giải trình")
    APPRAISE_2 = "appraise_2", _("Thẩm định lần 2")
    CLOSE_ROUND_2 = "close_round_2", _("Kết thúc thẩm định lần 2")
    MERGE_SURVEY = "merge_survey", _("Tổng hợp điểm điều tra xã hội học")
    FINALISE = "finalise", _("Chốt kết quả")
    PUBLISH = "publish", _("Công bố kết quả")


class EvidenceKind(models.TextChoices):
    """What stands as evidence (tài liệu kiểm chứng): an uploaded file, or a reference to what
    the platform or another system holds (a registered document, a CCHC plan, a report, the
    dossier statistics of a period, a web page)."""

    FILE = "file", _("Tệp đính kèm")
    RECORD = "record", _("Văn bản đã đăng ký")
    PLAN = "plan", _("Kế hoạch")
    REPORT = "report", _("Báo cáo")
    DOSSIER_STATS = "dossier_stats", _("Số liệu hồ sơ TTHC")
    LINK = "link", _("Đường dẫn")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    CANCELLED = "cancelled", _("Hủy")


# Where a rule's roles are held: the assessed unit's own staff ("unit": memberships in the unit
# or inside it, never a province role reaching down), or the appraisal council ("council": an
# appraiser whose membership reaches the unit and, when the assessment names its appraisers,
# one of them).
UNIT = "unit"
COUNCIL = "council"

SELF_ASSESSORS: frozenset[str] = frozenset({Role.TTHC_CONTROL, Role.LEADER})
APPRAISERS: frozenset[str] = frozenset({Role.APPRAISER})
# Who opens a unit's cycle: the council, or the province's administrator.
OPENERS: frozenset[str] = frozenset({Role.APPRAISER, Role.ADMINISTRATOR})

# The statuses where the unit still writes its self-scores.
SELF_ASSESSING_STATUSES = frozenset({Status.OPEN, Status.SELF_ASSESSING})
# The statuses where the unit may add evidence: while self-assessing, and with its explanation.
EVIDENCE_STATUSES = frozenset({Status.OPEN, Status.SELF_ASSESSING, Status.EXPLAINING})
# From here on an appraised score exists for every criterion the council scores.
APPRAISED_STATUSES = frozenset(
    {
        Status.EXPLAINING,
        Status.APPRAISING_2,
        Status.APPRAISED,
        Status.SURVEY_MERGED,
        Status.FINAL,
        Status.PUBLISHED,
    }
)
# A ranking counts these by default: the council's result stands.
RANKED_STATUSES = frozenset({Status.FINAL, Status.PUBLISHED})

_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    # The first self-score (or evidence) starts the self-assessment; later ones keep it.
    Action.SELF_ASSESS: (SELF_ASSESSING_STATUSES, Status.SELF_ASSESSING),
    Action.SUBMIT: (SELF_ASSESSING_STATUSES, Status.SUBMITTED),
    # The council's first score starts round 1; it may score in several sittings.
    Action.APPRAISE_1: (frozenset({Status.SUBMITTED, Status.APPRAISING_1}), Status.APPRAISING_1),
    Action.CLOSE_ROUND_1: (frozenset({Status.SUBMITTED, Status.APPRAISING_1}), Status.EXPLAINING),
    Action.EXPLAIN: (frozenset({Status.EXPLAINING}), None),
    # Round 2 starts when the council takes up the explanations: the unit's window closes.
    Action.APPRAISE_2: (frozenset({Status.EXPLAINING, Status.APPRAISING_2}), Status.APPRAISING_2),
    Action.CLOSE_ROUND_2: (frozenset({Status.EXPLAINING, Status.APPRAISING_2}), Status.APPRAISED),
    Action.MERGE_SURVEY: (frozenset({Status.APPRAISED}), Status.SURVEY_MERGED),
    Action.FINALISE: (frozenset({Status.SURVEY_MERGED}), Status.FINAL),
    Action.PUBLISH: (frozenset({Status.FINAL}), Status.PUBLISHED),
}
_RULES: dict[str, Rule] = {
    Action.SELF_ASSESS: Rule(UNIT, SELF_ASSESSORS),
    Action.SUBMIT: Rule(UNIT, SELF_ASSESSORS),
    Action.EXPLAIN: Rule(UNIT, SELF_ASSESSORS),
    Action.APPRAISE_1: Rule(COUNCIL, APPRAISERS),
    Action.CLOSE_ROUND_1: Rule(COUNCIL, APPRAISERS),
    Action.APPRAISE_2: Rule(COUNCIL, APPRAISERS),
    Action.CLOSE_ROUND_2: Rule(COUNCIL, APPRAISERS),
    Action.MERGE_SURVEY: Rule(COUNCIL, APPRAISERS),
    Action.FINALISE: Rule(COUNCIL, APPRAISERS),
    Action.PUBLISH: Rule(COUNCIL, APPRAISERS),
}
TRANSITIONS = TransitionTable(_MOVES, _RULES)


# -- remediation tasks (nhiệm vụ khắc phục) ----------------------------------------------------


class TaskAction(models.TextChoices):
    CREATE = "create", _("Giao nhiệm vụ khắc phục")
    START = "start", _("Bắt đầu thực hiện")
    COMPLETE = "complete", _("Báo cáo hoàn thành")
    CANCEL = "cancel", _("Hủy nhiệm vụ")


# Who moves a task on: the person it was given to, or the unit's leader or TTHC-control officer
# (the ones who give tasks). `OWNER` is no membership role: the task's `roles_of` adds it for its
# owner. Supervisors and the council read the tasks, they do not move them.
OWNER = "owner"
TASK_MOVERS: frozenset[str] = frozenset({OWNER, Role.LEADER, Role.TTHC_CONTROL})
# The tasks that are over: neither late nor moved again.
TASK_CLOSED = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})

_TASK_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    TaskAction.START: (frozenset({TaskStatus.OPEN}), TaskStatus.IN_PROGRESS),
    # Done only once started, and with what shows it was done (actions.remediation).
    TaskAction.COMPLETE: (frozenset({TaskStatus.IN_PROGRESS}), TaskStatus.DONE),
    # With a reason (actions.remediation).
    TaskAction.CANCEL: (frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS}), TaskStatus.CANCELLED),
}
TASK_TRANSITIONS = TransitionTable(
    _TASK_MOVES, {action: Rule(UNIT, TASK_MOVERS) for action in _TASK_MOVES}
)
