"""Admin pages for the working calendar.

Every write goes through cchc.worktime.actions, so each one is audited with its reason and
recomputes affected dossiers. Django's own delete is switched off for calendar entries: the
"remove" pages ask for a reason first.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.accounts.models import User
from cchc.worktime import actions
from cchc.worktime.choices import DayKind
from cchc.worktime.deadlines import FIRST_DAY, LAST_DAY
from cchc.worktime.forms import (
    CalendarDayAdminForm,
    DayForm,
    ImportForm,
    OfficeHoursAdminForm,
    PrefillForm,
    ReasonForm,
    UnitClosureAdminForm,
)
from cchc.worktime.models import CalendarChange, CalendarDay, OfficeHours, UnitClosure

WEEKDAYS = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


class _ActionAdmin(admin.ModelAdmin):
    """Shared: a reason-asking remove page instead of Django's delete."""

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def _form_page(
        self,
        request: HttpRequest,
        title: str,
        form: Form,
        *,
        submit: str,
        extra: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "submit": submit,
            **(extra or {}),
        }
        return TemplateResponse(request, "admin/worktime/form.html", context)

    def remove_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = get_object_or_404(self.model, pk=object_id)
        if not self._can_remove(request, obj):
            raise PermissionDenied
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                self._remove_with(obj, reason=form.cleaned_data["reason"], actor=_actor(request))
            except actions.CalendarError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã bỏ «%(obj)s».") % {"obj": obj})
                return HttpResponseRedirect(
                    reverse(
                        f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"
                    )
                )
        return self._form_page(request, _("Bỏ «%(obj)s»") % {"obj": obj}, form, submit=_("Bỏ"))

    def _can_remove(self, request: HttpRequest, obj: Model) -> bool:
        return self.has_change_permission(request, obj)

    def _remove_with(self, obj: Any, *, reason: str, actor: User) -> None:
        raise NotImplementedError

    @admin.display(description=gettext_lazy("Bỏ"))
    def remove_link(self, obj: Model) -> str:
        meta = self.model._meta
        return format_html(
            '<a href="{}">{}</a>',
            reverse(f"admin:{meta.app_label}_{meta.model_name}_remove", args=[obj.pk]),
            _("Bỏ…"),
        )

    def get_urls(self) -> list[URLPattern]:
        meta = self.model._meta
        return [
            path(
                "<path:object_id>/remove/",
                self.admin_site.admin_view(self.remove_view),
                name=f"{meta.app_label}_{meta.model_name}_remove",
            ),
            *super().get_urls(),
        ]


@admin.register(CalendarDay)
class CalendarDayAdmin(_ActionAdmin):
    form = CalendarDayAdminForm
    list_display = ("date", "weekday", "kind", "name", "legal_basis", "source", "remove_link")
    list_filter = ("kind", "source")
    search_fields = ("name", "legal_basis")
    date_hierarchy = "date"
    change_list_template = "admin/worktime/calendarday/change_list.html"

    @admin.display(description=gettext_lazy("Thứ"))
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAYS[obj.date.weekday()]

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        saved = actions.set_day(
            obj.date,
            kind=obj.kind,
            name=obj.name,
            legal_basis=obj.legal_basis,
            source=obj.source,
            reason=form.cleaned_data["reason"],
            actor=_actor(request),
        )
        obj.pk = saved.pk

    def _remove_with(self, obj: Any, *, reason: str, actor: User) -> None:
        actions.remove_day(obj.date, reason=reason, actor=actor)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("year/", view(self.year_view), name="worktime_calendarday_year_current"),
            path("year/<int:year>/", view(self.year_view), name="worktime_calendarday_year"),
            path("day/<str:iso>/", view(self.day_view), name="worktime_calendarday_day"),
            path("import/", view(self.import_view), name="worktime_calendarday_import"),
            path("prefill/", view(self.prefill_view), name="worktime_calendarday_prefill"),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"current_year": timezone.localdate().year, **(extra_context or {})}
        return super().changelist_view(request, extra)

    def year_view(self, request: HttpRequest, year: int | None = None) -> HttpResponse:
        """A year as twelve month grids, each date coloured by its entry and linked to its editor."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        year = year or timezone.localdate().year
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise PermissionDenied
        entries = {d.date: d for d in CalendarDay.objects.in_year(year)}
        closures: dict[dt.date, list[str]] = {}
        for c in UnitClosure.objects.filter(date__year=year).select_related("unit"):
            closures.setdefault(c.date, []).append(f"{c.unit.code}: {c.reason}")
        months = []
        cal = calendar.Calendar(firstweekday=0)
        for month in range(1, 13):
            weeks = []
            for week in cal.monthdatescalendar(year, month):
                cells = []
                for day in week:
                    entry = entries.get(day)
                    css = (
                        "out"
                        if day.month != month
                        else (
                            entry.kind
                            if entry
                            else ("weekend" if day.weekday() >= 5 else "workday")
                        )
                    )
                    title = entry.name if entry else ""
                    if day in closures:
                        title = "; ".join([title, *closures[day]]).strip("; ")
                    cells.append(
                        {
                            "date": day,
                            "css": css,
                            "title": title,
                            "closure": day in closures,
                            "in_month": day.month == month,
                        }
                    )
                weeks.append(cells)
            months.append({"number": month, "weeks": weeks})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Lịch làm việc năm %(year)s") % {"year": year},
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "months": months,
            "weekdays": WEEKDAYS,
            "kinds": DayKind.choices,
            "entries": [entries[d] for d in sorted(entries)],
            "can_change": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/worktime/year.html", context)

    def day_view(self, request: HttpRequest, iso: str) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            day = dt.date.fromisoformat(iso)
        except ValueError as exc:
            raise PermissionDenied from exc
        entry = CalendarDay.objects.filter(date=day).first()
        initial = (
            {
                "kind": entry.kind,
                "name": entry.name,
                "legal_basis": entry.legal_basis,
                "source": entry.source,
            }
            if entry
            else {}
        )
        form = DayForm(request.POST or None, day=day, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["kind"]:
                    actions.set_day(
                        day,
                        kind=data["kind"],
                        name=data["name"],
                        legal_basis=data["legal_basis"],
                        source=data["source"],
                        reason=data["reason"],
                        actor=_actor(request),
                    )
                else:
                    actions.remove_day(day, reason=data["reason"], actor=_actor(request))
            except actions.CalendarError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã lưu ngày %(date)s.") % {"date": f"{day:%d/%m/%Y}"})
                return HttpResponseRedirect(
                    reverse("admin:worktime_calendarday_year", args=[day.year])
                )
        title = _("Ngày %(date)s (%(weekday)s)") % {
            "date": f"{day:%d/%m/%Y}",
            "weekday": WEEKDAYS[day.weekday()],
        }
        history = CalendarChange.objects.filter(date=day, unit__isnull=True)[:20]
        return self._form_page(
            request, title, form, submit=_("Lưu"), extra={"history": history, "back_year": day.year}
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = actions.import_notice(
                    upload.read(), reason=form.cleaned_data["reason"], actor=_actor(request)
                )
            except actions.CalendarImportError as exc:
                for error in exc.errors:
                    form.add_error(None, error)
            except actions.CalendarError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Đã nhập thông báo: %(written)s ngày ghi, %(removed)s ngày bỏ, %(same)s ngày không đổi."
                    )
                    % {
                        "written": len(summary.written),
                        "removed": len(summary.removed),
                        "same": summary.unchanged,
                    },
                )
                years = sorted({d.year for d in [*summary.written, *summary.removed]})
                target = (
                    reverse("admin:worktime_calendarday_year", args=[years[0]])
                    if years
                    else reverse("admin:worktime_calendarday_changelist")
                )
                return HttpResponseRedirect(target)
        return self._form_page(
            request,
            _("Nhập thông báo lịch nghỉ (CSV)"),
            form,
            submit=_("Nhập"),
            extra={"multipart": True},
        )

    def prefill_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = PrefillForm(request.POST or None, initial={"year": request.GET.get("year")})
        if request.method == "POST" and form.is_valid():
            year = form.cleaned_data["year"]
            try:
                added = actions.prefill_year(
                    year, reason=form.cleaned_data["reason"], actor=_actor(request)
                )
            except actions.CalendarError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Đã thêm %(n)s ngày dự tính cho năm %(year)s.")
                    % {"n": len(added), "year": year},
                )
                return HttpResponseRedirect(reverse("admin:worktime_calendarday_year", args=[year]))
        return self._form_page(
            request, _("Điền sẵn ngày nghỉ theo Bộ luật Lao động"), form, submit=_("Điền sẵn")
        )


@admin.register(OfficeHours)
class OfficeHoursAdmin(_ActionAdmin):
    form = OfficeHoursAdminForm
    list_display = ("__str__", "same_day_cutoff", "remove_link")
    autocomplete_fields = ["unit"]

    def save_model(self, request: HttpRequest, obj: OfficeHours, form: Any, change: bool) -> None:
        saved = actions.set_office_hours(
            obj.unit,
            morning=(obj.morning_start, obj.morning_end),
            afternoon=(obj.afternoon_start, obj.afternoon_end),
            same_day_cutoff=obj.same_day_cutoff,
            reason=form.cleaned_data["reason"],
            actor=_actor(request),
        )
        obj.pk = saved.pk

    def _remove_with(self, obj: Any, *, reason: str, actor: User) -> None:
        actions.remove_office_hours(obj, reason=reason, actor=actor)


@admin.register(UnitClosure)
class UnitClosureAdmin(_ActionAdmin):
    form = UnitClosureAdminForm
    list_display = ("date", "unit", "reason", "remove_link")
    list_filter = ("date",)
    search_fields = ("unit__code", "unit__name", "reason")
    autocomplete_fields = ["unit"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A closure is added or removed (each with its reason), never edited in place.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: UnitClosure, form: Any, change: bool) -> None:
        try:
            saved = actions.add_unit_closure(
                obj.unit, obj.date, reason=obj.reason, actor=_actor(request)
            )
        except actions.CalendarError as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk = saved.pk

    def _remove_with(self, obj: Any, *, reason: str, actor: User) -> None:
        actions.remove_unit_closure(obj, reason=reason, actor=actor)

    def _can_remove(self, request: HttpRequest, obj: Model) -> bool:
        return super().has_change_permission(request, None)


@admin.register(CalendarChange)
class CalendarChangeAdmin(admin.ModelAdmin):
    """The audit trail: read-only."""

    list_display = ("at", "actor_name", "action", "date", "unit", "reason")
    list_filter = ("action",)
    search_fields = ("reason", "actor_name")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
