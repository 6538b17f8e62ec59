"""Admin: read-only views of the sets and assessments; they change only through the imports and
the actions, which check the tree and keep the history."""

from __future__ import annotations

from django.contrib import admin

from cchc.feedback.admin import ReadOnly
from cchc.parindex.models import Assessment, CriteriaSet, Criterion, RemediationTask


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ReadOnly):
    list_display = ["code", "year", "unit_kind", "status", "max_total"]
    list_filter = ["year", "unit_kind", "status"]


@admin.register(Criterion)
class CriterionAdmin(ReadOnly):
    list_display = ["criteria_set", "code", "title", "max_score", "method", "rule"]
    list_filter = ["criteria_set", "method"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = ["unit", "criteria_set", "year", "status", "self_assessment_due"]
    list_filter = ["year", "status"]


@admin.register(RemediationTask)
class RemediationTaskAdmin(ReadOnly):
    list_display = ["assessment", "criterion", "title", "due_on", "status"]
    list_filter = ["status"]
