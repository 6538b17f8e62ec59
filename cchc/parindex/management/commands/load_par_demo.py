"""The PAR Index of the demo (after `manage.py load_demo`): the shipped criteria sets; commune
Nga Sơn's 2022 assessment as the supervised commune of SEEDS.md §4 kept it (imported, appraised
in round 1, with its lost points, the unit explaining); and its 2025 assessment in progress
(self-scored with evidence, several pieces of it documents of the register, submitted, and
appraised in part: fields 1–3 in the council's first sitting, with lost points); the remediation
tasks 2022's lost points gave (one done, one late, one not begun);
Nga Sơn's evidence register for 2025 (`records.demo`) and its SIPAS rounds (`surveys.demo`: 2025
published, this year's open). Idempotent: what exists is kept."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.choices import EvidenceKind, Status
from cchc.parindex.criteria import DATA, SHIPPED_SETS, load_shipped, save_set
from cchc.parindex.models import Assessment, CriteriaSet, Evidence, Score
from cchc.records.demo import load_register
from cchc.records.models import OfficialDocument
from cchc.surveys.demo import load_surveys
from cchc.units.models import Unit

COMMUNE = "16300"
APPRAISER = "thamdinh.tinh"  # load_demo's province appraiser
OFFICER = "kiemsoat.ngason"  # load_demo's TTHC-control officer of Nga Sơn
PROVINCE = "38"
PROVINCE_OFFICER = "kiemsoat.tinh"  # load_demo's TTHC-control officer of the province
# The 2025 assessment's evidence taken from the register: criterion → numbers and symbols. 1.2
# asks for digitally signed reports and gets one unsigned (its warning shows).
REGISTER_EVIDENCE = [
    ("1.1.1", "12/KH-UBND"),
    ("1.1.2", "78/BC-UBND"),
    ("1.2", "35/BC-UBND"),
    ("1.2", "156/BC-UBND"),
    ("1.3", "28/KH-UBND"),
    ("1.3", "03/BB-UBND"),
    ("1.4", "20/KH-UBND"),
    ("1.5", "45/QĐ-UBND"),
]


# The 2025 self-scores below the maximum (the others are the maximum).
SELF_BELOW_MAX = {"3.2": Decimal(4), "3.6": Decimal(1), "6.1": Decimal(1), "7.1": Decimal(2)}
# The council's first sitting on fields 1–3: the criteria below the maximum, with the council's
# score (None: the unit's own) and the reason. The unsigned half-year report (156/BC-UBND, linked
# as 1.2's evidence) is SEEDS §4's commonest loss.
COUNCIL_CUTS: dict[str, tuple[Decimal | None, str]] = {
    "1.2": (
        Decimal(0),
        "Báo cáo 6 tháng (156/BC-UBND) không được ký số; không đủ căn cứ xác định gửi đúng hạn.",
    ),
    "1.3": (
        Decimal("0.5"),
        "Biên bản kiểm tra (03/BB-UBND) chưa nêu kết quả xử lý các vấn đề phát hiện.",
    ),
    "2.3": (
        Decimal("1.5"),
        "Chưa có minh chứng xã đạt chuẩn tiếp cận pháp luật năm 2025.",
    ),
    "3.2": (None, "Tỷ lệ hồ sơ giải quyết đúng hạn dưới 100 % theo số liệu Hệ thống."),
    "3.6": (None, "Tỷ lệ hồ sơ nộp, xử lý trực tuyến dưới 80 % theo số liệu Hệ thống."),
}


def _at(day: str) -> dt.datetime:
    """09:00 of `day` in Vietnam, when the demo's steps were taken."""
    return dt.datetime.fromisoformat(f"{day}T09:00:00+07:00")


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa Chỉ số CCHC (sau load_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.current().filter(code=COMMUNE).first()
        appraiser = User.objects.filter(username=APPRAISER).first()
        officer = User.objects.filter(username=OFFICER).first()
        province = Unit.objects.current().filter(code=PROVINCE).first()
        province_officer = User.objects.filter(username=PROVINCE_OFFICER).first()
        if None in (unit, appraiser, officer, province, province_officer):
            raise CommandError("Chạy manage.py load_demo trước.")
        assert unit and appraiser and officer and province and province_officer  # for mypy
        with transaction.atomic():
            for name in SHIPPED_SETS:
                spec = load_shipped(name)
                if not CriteriaSet.objects.filter(code=spec.code, year=spec.year).exists():
                    save_set(spec)
            documents = load_register(unit, keeper=officer, year=2025)
            self._past_year(unit, appraiser, officer)
            self._remediation(unit, officer)
            self._this_year(unit, appraiser, officer)
            self._link_register(unit, officer, documents)
            self._appraise_in_part(unit, appraiser, officer)
            load_surveys(
                unit, province, province_manager=province_officer, manager=officer, officer=officer
            )
        self.stdout.write("Đã nạp dữ liệu minh họa Chỉ số CCHC, sổ văn bản và khảo sát SIPAS.")

    def _past_year(self, unit: Unit, appraiser: User, officer: User) -> None:
        doc = json.loads((DATA / "demo-assessment-2022.json").read_text())
        if Assessment.objects.filter(unit=unit, criteria_set__code=doc["criteria_set"]).exists():
            return
        # Moved from the spreadsheet the council kept in December 2022 (SEEDS §4).
        assessment = actions.import_assessment(unit, doc, by=appraiser, at=_at("2022-12-20"))
        actions.add_evidence(
            assessment,
            "7.2",
            by=officer,
            kind="plan",
            label="Kế hoạch chuyển đổi số năm 2022 (dự thảo)",
            ref="45/KH-UBND",
            at=_at("2022-12-27"),
        )

    def _remediation(self, unit: Unit, officer: User) -> None:
        """What Nga Sơn set out to do about 2022's lost points (January 2023): the
        digital-transformation plan done with its evidence, the self-inspection plan under way
        and past its due date (the tasks page shows it late), the Party-cell minutes not begun."""
        past = Assessment.objects.get(unit=unit, criteria_set__code="PAR-XA-8LV", year=2022)
        if past.remediation_tasks.exists():
            return
        given = _at("2023-01-10")
        plan = actions.create_remediation_task(
            past,
            "7.2",
            by=officer,
            title="Trình phê duyệt Kế hoạch chuyển đổi số năm 2023 có nhiệm vụ, kinh phí cụ thể",
            owner=officer,
            due_on=dt.date(2023, 3, 31),
            at=given,
        )
        actions.start_remediation_task(plan, by=officer, at=_at("2023-01-16"))
        actions.complete_remediation_task(
            plan,
            by=officer,
            evidence="Kế hoạch chuyển đổi số năm 2023 đã ký số, ban hành ngày 20/03/2023.",
            at=_at("2023-03-20"),
        )
        inspection = actions.create_remediation_task(
            past,
            "1.3",
            by=officer,
            title="Ban hành kế hoạch tự kiểm tra công tác CCHC và báo cáo kết quả xử lý",
            owner=officer,
            due_on=dt.date(2023, 6, 30),
            at=given,
        )
        actions.start_remediation_task(inspection, by=officer, at=_at("2023-02-01"))
        actions.create_remediation_task(
            past,
            "4.1",
            by=officer,
            title="Lưu đủ biên bản các kỳ họp HĐND, UBND xã làm tài liệu kiểm chứng",
            owner=officer,
            due_on=dt.date(2023, 12, 31),
            at=given,
        )

    def _this_year(self, unit: Unit, appraiser: User, officer: User) -> None:
        """Opened 01/10/2025; every criterion self-scored by 10/11 (a few below the maximum,
        as a unit that reads its own figures does)."""
        criteria_set = CriteriaSet.objects.get(code="PAR-XA", year=2025)
        if Assessment.objects.filter(unit=unit, criteria_set=criteria_set).exists():
            return
        assessment = actions.open_assessment(
            unit,
            criteria_set,
            by=appraiser,
            self_assessment_due=dt.date(2025, 11, 15),
            appraisal_due=dt.date(2025, 12, 20),
            at=_at("2025-10-01"),
        )
        leaves = (
            Score.objects.filter(assessment=assessment)
            .exclude(criterion__method="survey")
            .select_related("criterion")
            .order_by("criterion__order")
        )
        entries = [
            actions.SelfEntry(
                s.criterion.code, SELF_BELOW_MAX.get(s.criterion.code, s.criterion.max_score)
            )
            for s in leaves
        ]
        actions.self_assess(assessment, entries, by=officer, at=_at("2025-11-10"))

    def _appraise_in_part(self, unit: Unit, appraiser: User, officer: User) -> None:
        """Submitted on 14/11; the council's first sitting (05/12) appraised fields 1–3, its
        lost points with their reasons; fields 4–7 wait for the next sitting."""
        assessment = Assessment.objects.get(unit=unit, criteria_set__code="PAR-XA", year=2025)
        if assessment.status != Status.SELF_ASSESSING:
            return
        actions.submit(assessment, by=officer, at=_at("2025-11-14"))
        first_fields = (
            Score.objects.filter(assessment=assessment, criterion__code__regex=r"^[123]\.")
            .exclude(criterion__method="survey")
            .order_by("criterion__order")
            .values_list("criterion__code", flat=True)
        )
        entries = [
            actions.AppraisalEntry(code, *COUNCIL_CUTS[code])
            if code in COUNCIL_CUTS
            else actions.AppraisalEntry(code)
            for code in first_fields
        ]
        actions.appraise(assessment, 1, entries, by=appraiser, at=_at("2025-12-05"))

    def _link_register(
        self, unit: Unit, officer: User, documents: dict[str, OfficialDocument]
    ) -> None:
        """The 2025 assessment's evidence that is a document of the register, each link once."""
        assessment = Assessment.objects.get(unit=unit, criteria_set__code="PAR-XA", year=2025)
        linked = set(
            Evidence.objects.filter(score__assessment=assessment, record__isnull=False).values_list(
                "score__criterion__code", "record__reference"
            )
        )
        for code, reference in REGISTER_EVIDENCE:
            document = documents.get(reference)
            if document is None or (code, reference) in linked:
                continue
            actions.add_evidence(
                assessment,
                code,
                by=officer,
                kind=EvidenceKind.RECORD,
                label="",
                record=document,
                at=_at("2025-11-05"),  # while self-assessing, before the 14/11 submission
            )
