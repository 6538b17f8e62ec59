"""Read-only admin pages: what was sent to whom, when, and how each try went.

List columns mask the recipient and never show a body; an administrator opening one message
sees it in full, as it was sent. Dead letters and possibly sent messages are announced on the
admin's home page and above the list; an administrator with the `resend_message` permission
sends them again or records a possibly sent one as sent after finding it in the server's log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cchc.notify import delivery
from cchc.notify.choices import MessageStatus
from cchc.notify.models import DeliveryAttempt, Message, ReminderRun


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class DeliveryAttemptInline(_ReadOnly, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "outcome", "error", "provider_ref"]
    readonly_fields = ["number", "started_at", "duration_ms", "outcome", "error", "provider_ref"]


DETAIL_FIELDS = (
    "kind",
    "channel",
    "recipient",
    "subject",
    "body",
    "dossier",
    "user",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "claimed_at",
    "handoff_at",
    "next_attempt_at",
    "sent_at",
    "idempotency_key",
)


@admin.register(Message)
class MessageAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "kind",
        "channel",
        "recipient_masked",
        "dossier_code",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind", "created_at"]
    # By dossier code only: searching by address or phone would make the list a lookup tool.
    search_fields = ["dossier__code"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier"]
    inlines = [DeliveryAttemptInline]
    fields = DETAIL_FIELDS
    readonly_fields = DETAIL_FIELDS
    actions = ["resend", "mark_sent"]
    change_list_template = "admin/notify/message/change_list.html"

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notify.resend_message")

    @admin.action(
        description=_("Gửi lại (thư hết lượt gửi hoặc có thể đã gửi)"), permissions=["resend"]
    )
    def resend(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = sum(delivery.resend(m) for m in queryset)
        self.message_user(
            request,
            gettext("Đã xếp lại %(n)d thông báo để gửi.") % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(
        description=_("Ghi nhận đã gửi (đã thấy trong nhật ký máy chủ thư/SMS)"),
        permissions=["resend"],
    )
    def mark_sent(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = sum(delivery.mark_sent(m) for m in queryset.filter(status=MessageStatus.UNKNOWN))
        self.message_user(
            request,
            gettext("Đã ghi nhận %(n)d thông báo là đã gửi.") % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.display(description=_("người nhận"))
    def recipient_masked(self, obj: Message) -> str:
        return obj.masked_recipient

    @admin.display(description=_("hồ sơ"), ordering="dossier__code")
    def dossier_code(self, obj: Message) -> str:
        return obj.dossier.code if obj.dossier else ""


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["message_id", "number", "started_at", "duration_ms", "outcome", "error"]
    list_filter = ["outcome", "started_at"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "message",
        "number",
        "started_at",
        "duration_ms",
        "outcome",
        "error",
        "provider_ref",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("message")


@admin.register(ReminderRun)
class ReminderRunAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["day", "run_after", "started_at", "finished_at", "queued"]
    readonly_fields = ["day", "run_after", "task_id", "started_at", "finished_at", "queued"]
