from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cchc.tickets.models import (
    Appointment,
    AppointmentEvent,
    Counter,
    DayCloseRun,
    SlotPlan,
    Ticket,
    TicketEvent,
)


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["unit", "number", "name", "active"]
    list_filter = ["active"]
    search_fields = ["unit__name", "unit__code", "name"]
    filter_horizontal = ["fields"]
    autocomplete_fields = ["unit"]


@admin.register(SlotPlan)
class SlotPlanAdmin(admin.ModelAdmin):
    list_display = ["unit", "field", "slot_minutes", "capacity", "horizon_days", "active"]
    list_filter = ["active"]
    autocomplete_fields = ["unit"]


class _EventInline(admin.TabularInline):
    """A history, shown and never edited: events are written by the workflow only."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AppointmentEventInline(_EventInline):
    model = AppointmentEvent
    readonly_fields = ["action", "from_status", "to_status", "at", "actor"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """The status is read-only: it changes through `appointments.py` only, so that every change
    has its event."""

    list_display = ["code", "unit", "field", "date", "slot", "status"]
    list_filter = ["status", "date"]
    search_fields = ["code", "phone"]
    readonly_fields = ["code", "status", "created_at", "checked_in_at", "cancelled_at"]
    inlines = [AppointmentEventInline]


class TicketEventInline(_EventInline):
    model = TicketEvent
    readonly_fields = ["action", "from_status", "to_status", "at", "actor", "counter", "to_counter"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: tickets change only through the counter's actions."""

    list_display = ["code", "unit", "day", "field", "status", "counter", "issued_at"]
    list_filter = ["status", "day", "priority"]
    search_fields = ["code", "dossier_code"]
    inlines = [TicketEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DayCloseRun)
class DayCloseRunAdmin(admin.ModelAdmin):
    """The nightly closing job's chain, one row per closed day (read-only)."""

    list_display = [
        "day",
        "run_after",
        "started_at",
        "finished_at",
        "tickets_closed",
        "appointments_expired",
    ]
    readonly_fields = [
        "day",
        "run_after",
        "task_id",
        "started_at",
        "finished_at",
        "tickets_closed",
        "appointments_expired",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
