"""Admin: per-unit PAKN deadlines are edited here; ratings and PAKN are read-only (they change
only through the actions, which keep the history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cchc.feedback.models import Feedback, FeedbackSettings, Rating


@admin.register(FeedbackSettings)
class FeedbackSettingsAdmin(admin.ModelAdmin[FeedbackSettings]):
    list_display = ["unit", "forward_working_days", "answer_working_days"]
    autocomplete_fields = ["unit"]


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ["dossier", "level", "channel", "processing_unit", "created_at"]
    list_filter = ["level", "channel"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly):
    list_display = ["code", "kind", "unit", "status", "received_at", "answer_due_at"]
    list_filter = ["status", "kind"]
    search_fields = ["code"]
