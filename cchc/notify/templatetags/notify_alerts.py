"""The administrators' alert: dead letters and possibly sent messages, on the admin's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cchc.notify.choices import MessageStatus
from cchc.notify.models import Message

register = template.Library()


def attention_counts() -> dict[str, int]:
    """How many messages wait for an administrator, by status (one query on a partial index)."""
    rows = (
        Message.objects.filter(status__in=MessageStatus.needs_attention())
        .values("status")
        .annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


@register.simple_tag(takes_context=True)
def notify_alert(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("notify.view_message"):
        return ""
    counts = attention_counts()
    if not counts:
        return ""
    url = reverse("admin:notify_message_changelist")
    items = format_html_join(
        ", ",
        '<a href="{}?status__exact={}">{}: {}</a>',
        (
            (url, status, MessageStatus(status).label, counts[status])
            for status in MessageStatus.needs_attention()
            if status in counts
        ),
    )
    return format_html(
        '<ul class="messagelist"><li class="error" role="alert">{} {}</li></ul>',
        _("Thông báo cần xử lý:"),
        items,
    )
