"""The counter queue: counters, numbered tickets with their history, and booked appointments.

A ticket keeps, as plain columns maintained by the actions, the moments every report counts
from (issued, first called, service started, finished), so that waiting and service times are
a subtraction and never a replay of the events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cchc.lib.daily_jobs import DailyRun
from cchc.tickets.choices import (
    AppointmentAction,
    AppointmentStatus,
    PriorityReason,
    TicketAction,
    TicketStatus,
)
from cchc.workflow.models import WorkflowEvent


class Counter(models.Model):
    """One service counter (quầy) of a unit, with the fields (lĩnh vực) it serves."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="counters", verbose_name=_("đơn vị")
    )
    number = models.PositiveSmallIntegerField(
        _("số quầy"), help_text=_("Số hiển thị trên màn hình phòng chờ")
    )
    name = models.CharField(_("tên quầy"), max_length=100, blank=True)
    fields = models.ManyToManyField(
        "catalogue.Field",
        blank=True,
        related_name="counters",
        verbose_name=_("lĩnh vực phục vụ"),
        help_text=_("Để trống: quầy nhận mọi lĩnh vực."),
    )
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")
        ordering = ["unit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="counter_unit_number_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or gettext("Quầy %(number)s") % {"number": self.number}


class TicketSequence(models.Model):
    """The per-unit, per-day sequence behind ticket numbers; a row is locked while it is used."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "day"], name="ticket_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day:%y%m%d}: {self.last}"


class Ticket(models.Model):
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("đơn vị")
    )
    day = models.DateField(_("ngày"))
    number = models.PositiveIntegerField(_("số thứ tự"))
    code = models.CharField(_("số trên vé"), max_length=12)
    # Random, for the public status page a ticket's QR code opens: a guessable id would let
    # anyone follow anyone's place in the queue.
    token = models.CharField(max_length=32, unique=True)
    field = models.ForeignKey(
        "catalogue.Field",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lĩnh vực"),
    )
    priority = models.BooleanField(_("ưu tiên"), default=False)
    priority_reason = models.CharField(
        _("lý do ưu tiên"), max_length=20, choices=PriorityReason.choices, blank=True
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=TicketStatus.choices,
        default=TicketStatus.WAITING,
    )
    issued_at = models.DateTimeField(_("lấy số lúc"))
    called_at = models.DateTimeField(_("gọi lần đầu lúc"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("gọi gần nhất lúc"), null=True, blank=True)
    served_at = models.DateTimeField(_("bắt đầu phục vụ lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("quầy"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ"),
    )
    recall_count = models.PositiveSmallIntegerField(_("số lần gọi lại"), default=0)
    dossier_code = models.CharField(_("mã hồ sơ quét"), max_length=64, blank=True)
    appointment = models.OneToOneField(
        "Appointment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket",
        verbose_name=_("lịch hẹn"),
    )

    class Meta:
        verbose_name = _("vé xếp hàng")
        verbose_name_plural = _("vé xếp hàng")
        ordering = ["-day", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day", "number"], name="ticket_unit_day_number_unique"
            ),
        ]
        indexes = [
            # "Call next": the waiting tickets of one unit and day, in calling order.
            models.Index(
                fields=["unit", "day", "priority", "number"],
                condition=Q(status__in=["waiting", "transferred"]),
                name="ticket_waiting",
            ),
            # The display board: the day's calls, newest first.
            models.Index(fields=["unit", "day", "last_called_at"], name="ticket_board"),
            models.Index(fields=["counter", "status"], name="ticket_counter_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.day:%d/%m/%Y})"


class TicketEvent(WorkflowEvent):
    """Append-only history of a ticket: who did what, at which counter, when."""

    subject_field = "ticket"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=TicketAction.choices)
    counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("diễn biến vé")
        verbose_name_plural = _("diễn biến vé")
        ordering = ["ticket", "at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.at:%H:%M:%S}"


class SlotPlan(models.Model):
    """How a unit takes appointments for a field: slots of `slot_minutes` over its office hours,
    `capacity` citizens each. A plan without a field applies to every field without its own."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="slot_plans", verbose_name=_("đơn vị")
    )
    field = models.ForeignKey(
        "catalogue.Field",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lĩnh vực"),
        help_text=_("Để trống: áp dụng cho mọi lĩnh vực chưa có khung riêng."),
    )
    slot_minutes = models.PositiveSmallIntegerField(_("độ dài khung giờ (phút)"), default=30)
    capacity = models.PositiveSmallIntegerField(_("số người mỗi khung giờ"), default=4)
    horizon_days = models.PositiveSmallIntegerField(_("đặt trước tối đa (ngày)"), default=30)
    active = models.BooleanField(_("đang nhận đặt lịch"), default=True)

    class Meta:
        verbose_name = _("khung giờ hẹn")
        verbose_name_plural = _("khung giờ hẹn")
        constraints = [
            models.UniqueConstraint(fields=["unit", "field"], name="slot_plan_unit_field_unique"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(field__isnull=True), name="slot_plan_unit_default"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=240),
                name="slot_plan_minutes_range",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_plan_capacity_min"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.field or '*'} · {self.slot_minutes}′ × {self.capacity}"


class Appointment(models.Model):
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("đơn vị"),
    )
    field = models.ForeignKey(
        "catalogue.Field", on_delete=models.PROTECT, related_name="+", verbose_name=_("lĩnh vực")
    )
    date = models.DateField(_("ngày hẹn"))
    slot = models.TimeField(_("khung giờ"))
    name = models.CharField(_("họ và tên"), max_length=100)
    phone = models.CharField(_("số điện thoại"), max_length=20)
    code = models.CharField(_("mã lịch hẹn"), max_length=12, unique=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    created_at = models.DateTimeField(_("đặt lúc"))
    checked_in_at = models.DateTimeField(_("lấy số lúc"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        ordering = ["date", "slot"]
        indexes = [
            models.Index(fields=["unit", "field", "date", "slot"], name="appointment_slot"),
            models.Index(fields=["unit", "date", "phone"], name="appointment_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.date:%d/%m/%Y} {self.slot:%H:%M}"


class AppointmentEvent(WorkflowEvent):
    """Append-only history of an appointment: booked, then cancelled, checked in or expired, by
    whom (nobody for the citizen, the kiosk and the nightly close) and when. Appointments booked
    before this table existed have no events: their history was never kept."""

    subject_field = "appointment"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=AppointmentAction.choices)

    class Meta:
        verbose_name = _("diễn biến lịch hẹn")
        verbose_name_plural = _("diễn biến lịch hẹn")
        ordering = ["appointment", "at", "id"]

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.action} {self.at:%d/%m/%Y %H:%M}"


class DayCloseRun(DailyRun):
    """One night of the self-rescheduling job that closes the queue's past days (`nightly.py`,
    `cchc.lib.daily_jobs`), keyed by the day it closes."""

    day = models.DateField(_("ngày được đóng"), unique=True)
    tickets_closed = models.PositiveIntegerField(_("số vé chuyển “không đến”"), default=0)
    appointments_expired = models.PositiveIntegerField(_("số lịch hẹn quá hạn"), default=0)

    class Meta(DailyRun.Meta):
        verbose_name = _("lượt đóng ngày xếp hàng")
        verbose_name_plural = _("lượt đóng ngày xếp hàng")
