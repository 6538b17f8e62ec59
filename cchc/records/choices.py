"""Names of the evidence register, defined once.

The document types themselves (name and abbreviation in the number and symbol) are data: rows of
`DocumentType`, seeded from Decree 30/2020/NĐ-CP Phụ lục III by migration 0002 and editable in
the admin. Only the keys the code needs by name are here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.units.choices import Role

# Keys of the document types the code refers to (DocumentType.key).
PLAN_TYPE = "plan"  # kế hoạch, KH: a CCHC plan is one of these
LETTER_TYPE = "letter"  # công văn: no type abbreviation in its symbol ("123/UBND-VP")


class FileSignature(models.TextChoices):
    """What the attached file says about its digital signature (found when it is attached)."""

    NO_FILE = "", _("Chưa có tệp")
    NOT_PDF = "not_pdf", _("Tệp không phải PDF (không kiểm tra được chữ ký số)")
    UNSIGNED = "unsigned", _("Tệp PDF không có chữ ký số")
    SIGNED = "signed", _("Tệp PDF có chữ ký số")
    ALTERED = "altered", _("Chữ ký số không còn nguyên vẹn (tệp bị sửa sau khi ký)")


class PlanTopic(models.TextChoices):
    """What a plan is about: the PAR Index asks for several plans, not only the CCHC one."""

    CCHC = "cchc", _("Kế hoạch CCHC năm")
    COMMUNICATION = "communication", _("Tuyên truyền CCHC")
    INSPECTION = "inspection", _("Kiểm tra, tự kiểm tra CCHC")
    PROCEDURES = "procedures", _("Rà soát, kiểm soát TTHC")
    SATISFACTION = "satisfaction", _("Nâng cao mức độ hài lòng")
    DIGITAL = "digital", _("Chuyển đổi số, chính quyền số")
    RECORDS = "records", _("Văn thư, lưu trữ")
    OTHER = "other", _("Khác")


class TaskProgress(models.TextChoices):
    """What the officer records about a task. "Late" is not one of them: it is derived from
    the due date (`TaskStatus.LATE`)."""

    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")


class TaskStatus(models.TextChoices):
    """A task as the plan page and the counts show it on a given day."""

    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã hoàn thành")
    LATE = "late", _("Quá hạn")


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Đề xuất")
    RECOGNISED = "recognised", _("Được công nhận")
    APPLIED = "applied", _("Đã áp dụng")
    NOT_RECOGNISED = "not_recognised", _("Không được công nhận")


class ActivityKind(models.TextChoices):
    LOUDSPEAKER = "loudspeaker", _("Tin phát trên hệ thống loa truyền thanh")
    WEBSITE = "website", _("Tin, bài trên trang thông tin điện tử")
    MEETING = "meeting", _("Hội nghị, hội thảo, buổi tuyên truyền")
    LEAFLET = "leaflet", _("Tờ rơi, tờ gấp, áp phích")
    POSTING = "posting", _("Niêm yết công khai tại trụ sở")
    SOCIAL = "social", _("Mạng xã hội (Zalo, Facebook…)")
    CONTEST = "contest", _("Cuộc thi tìm hiểu CCHC")
    DIALOGUE = "dialogue", _("Đối thoại với người dân, doanh nghiệp")
    OTHER = "other", _("Khác")


class EditKind(models.TextChoices):
    REGISTERED = "registered", _("Vào sổ")
    EDITED = "edited", _("Sửa thông tin")
    FILE = "file", _("Đính kèm tệp")


# Who keeps the unit's register: the TTHC-control officer, leaders and administrators. Others of
# the unit read it (supervisors, appraisers of the province through their subtree role).
RECORD_KEEPERS = frozenset({Role.TTHC_CONTROL, Role.LEADER, Role.ADMINISTRATOR})
