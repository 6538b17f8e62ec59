"""The PAR Index of the demo (after `manage.py load_demo`): the shipped criteria sets; commune
Nga Sơn's 2022 assessment as the supervised commune of SEEDS.md §4 kept it (imported, appraised
in round 1, with its lost points, the unit explaining); and its 2025 assessment in progress
(self-scores and evidence for the first fields). Idempotent: what exists is kept."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.criteria import DATA, SHIPPED_SETS, load_shipped, save_set
from cchc.parindex.models import Assessment, CriteriaSet, Score
from cchc.units.models import Unit

COMMUNE = "16300"
APPRAISER = "thamdinh.tinh"  # load_demo's province appraiser
OFFICER = "kiemsoat.ngason"  # load_demo's TTHC-control officer of Nga Sơn


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa Chỉ số CCHC (sau load_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.current().filter(code=COMMUNE).first()
        appraiser = User.objects.filter(username=APPRAISER).first()
        officer = User.objects.filter(username=OFFICER).first()
        if unit is None or appraiser is None or officer is None:
            raise CommandError("Chạy manage.py load_demo trước.")
        with transaction.atomic():
            for name in SHIPPED_SETS:
                spec = load_shipped(name)
                if not CriteriaSet.objects.filter(code=spec.code, year=spec.year).exists():
                    save_set(spec)
            self._past_year(unit, appraiser, officer)
            self._this_year(unit, appraiser, officer)
        self.stdout.write("Đã nạp dữ liệu minh họa Chỉ số CCHC.")

    def _past_year(self, unit: Unit, appraiser: User, officer: User) -> None:
        doc = json.loads((DATA / "demo-assessment-2022.json").read_text())
        if Assessment.objects.filter(unit=unit, criteria_set__code=doc["criteria_set"]).exists():
            return
        assessment = actions.import_assessment(unit, doc, by=appraiser)
        actions.add_evidence(
            assessment,
            "7.2",
            by=officer,
            kind="plan",
            label="Kế hoạch chuyển đổi số năm 2022 (dự thảo)",
            ref="45/KH-UBND",
        )

    def _this_year(self, unit: Unit, appraiser: User, officer: User) -> None:
        criteria_set = CriteriaSet.objects.get(code="PAR-XA", year=2025)
        if Assessment.objects.filter(unit=unit, criteria_set=criteria_set).exists():
            return
        assessment = actions.open_assessment(
            unit,
            criteria_set,
            by=appraiser,
            self_assessment_due=dt.date(2025, 11, 15),
            appraisal_due=dt.date(2025, 12, 20),
        )
        leaves = (
            Score.objects.filter(assessment=assessment, criterion__code__regex=r"^[12]\.")
            .exclude(criterion__method="survey")
            .select_related("criterion")
        )
        entries = [actions.SelfEntry(s.criterion.code, s.criterion.max_score) for s in leaves]
        actions.self_assess(assessment, entries, by=officer)
        actions.add_evidence(
            assessment,
            "1.1.1",
            by=officer,
            kind="plan",
            label="Kế hoạch cải cách hành chính năm 2025",
            ref="12/KH-UBND",
        )
        actions.add_evidence(
            assessment,
            "1.2",
            by=officer,
            kind="report",
            label="Báo cáo CCHC quý III năm 2025",
            ref="156/BC-UBND",
        )
