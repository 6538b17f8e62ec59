"""What an administrator does to the working calendar.

Each action is atomic, takes the acting user as a keyword argument, writes one audit row per
changed entry (CalendarChange: who, when, why, before, after) and ends with `calendar_changed`,
which replaces the revision token (so every process rebuilds its snapshot) and calls the
registered recompute receivers, inside the same transaction: the calendar edit and the
recomputed due dates are committed together or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.errors import DomainError
from cchc.lib.text import fold
from cchc.worktime.choices import ChangeAction, DayKind, DaySource
from cchc.worktime.deadlines import FIRST_DAY, LAST_DAY, OfficeHours, to_local
from cchc.worktime.models import CalendarChange, CalendarDay, CalendarRevision, UnitClosure
from cchc.worktime.models import OfficeHours as OfficeHoursRow
from cchc.worktime.rules import computed_days
from cchc.worktime.snapshot import invalidate

if TYPE_CHECKING:
    from cchc.accounts.models import User
    from cchc.units.models import Unit


class CalendarError(DomainError):
    """A change refused for a reason the administrator can fix; the message is for them."""

    status_code = 422


class CalendarImportError(CalendarError):
    """An import refused as a whole; `errors` names each faulty row and column."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


# -- the "calendar changed" hook --------------------------------------------------------------


@dataclass(frozen=True)
class CalendarChangeEvent:
    """What changed, for receivers that recompute due dates of open dossiers.

    `unit_id` None means the national calendar (every unit); otherwise the change concerns that
    unit and the units under it. `hours_changed` means office hours changed, which can move any
    open due date of those units whatever its dates.
    """

    dates: frozenset[dt.date]
    reason: str
    actor_id: int | None
    unit_id: int | None = None
    hours_changed: bool = False
    token: str = ""

    def affects(
        self, received_at: dt.datetime, due_at: dt.datetime, *, unit_path: str | None = None
    ) -> bool:
        """Whether a dossier received at `received_at`, due at `due_at`, of the unit whose
        materialised path is `unit_path`, may have a different due moment now.

        Only dates from the receipt day to the due day matter: a day off added after the due
        day cannot move it. Callers recompute open dossiers only; a finished dossier keeps the
        outcome it was judged with.
        """
        if self.unit_id is not None and (unit_path is None or f"/{self.unit_id}/" not in unit_path):
            return False
        if self.hours_changed:
            return True
        first, last = to_local(received_at).date(), to_local(due_at).date()
        return any(first <= d <= last for d in self.dates)


RecomputeReceiver = Callable[[CalendarChangeEvent], None]
_receivers: list[RecomputeReceiver] = []


def register_recompute(receiver: RecomputeReceiver) -> RecomputeReceiver:
    """Register a function called (inside the change's transaction) after every calendar
    change; usable as a decorator. The dossiers app registers its recomputation here."""
    if receiver not in _receivers:
        _receivers.append(receiver)
    return receiver


def unregister_recompute(receiver: RecomputeReceiver) -> None:
    if receiver in _receivers:
        _receivers.remove(receiver)


@transaction.atomic
def calendar_changed(
    dates: Iterable[dt.date],
    *,
    reason: str,
    actor: User | None,
    unit: Unit | None = None,
    hours_changed: bool = False,
) -> CalendarChangeEvent:
    """Tell every process the calendar changed and let receivers recompute affected dossiers."""
    token = uuid.uuid4()
    CalendarRevision.objects.update_or_create(
        pk=1, defaults={"token": token, "changed_at": timezone.now()}
    )
    invalidate()
    event = CalendarChangeEvent(
        dates=frozenset(dates),
        reason=reason,
        actor_id=actor.pk if actor is not None else None,
        unit_id=unit.pk if unit is not None else None,
        hours_changed=hours_changed,
        token=str(token),
    )
    for receiver in list(_receivers):
        receiver(event)
    return event


# -- helpers ----------------------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CalendarError(_("Cần ghi lý do thay đổi."))
    return reason


def _audit(
    action: str,
    *,
    actor: User | None,
    reason: str,
    date: dt.date | None = None,
    unit: Unit | None = None,
    before: dict[str, str] | None = None,
    after: dict[str, str] | None = None,
) -> CalendarChange:
    return CalendarChange.objects.create(
        action=action,
        actor=actor,
        actor_name=str(actor) if actor is not None else "",
        date=date,
        unit=unit,
        before=before,
        after=after,
        reason=reason,
    )


def _check_day(day: dt.date, kind: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CalendarError(
            _("Ngày %(date)s nằm ngoài phạm vi lịch (%(first)s – %(last)s).")
            % {"date": f"{day:%d/%m/%Y}", "first": FIRST_DAY.year, "last": LAST_DAY.year}
        )
    if kind not in DayKind.values:
        raise CalendarError(_("Loại ngày không hợp lệ: %(kind)s.") % {"kind": kind})
    if kind == DayKind.MAKEUP_WORKING and day.weekday() < 5:
        raise CalendarError(
            _("Ngày làm bù phải là Thứ Bảy hoặc Chủ nhật: %(date)s.") % {"date": f"{day:%d/%m/%Y}"}
        )


def _write_day(
    day: dt.date,
    *,
    kind: str,
    name: str,
    legal_basis: str,
    source: str,
    reason: str,
    actor: User | None,
) -> bool:
    """Create or update one entry and audit it; False when nothing changed."""
    _check_day(day, kind)
    if not name.strip():
        raise CalendarError(_("Cần ghi tên ngày %(date)s.") % {"date": f"{day:%d/%m/%Y}"})
    after = {
        "kind": kind,
        "name": name.strip(),
        "legal_basis": legal_basis.strip(),
        "source": source,
    }
    existing = CalendarDay.objects.select_for_update().filter(date=day).first()
    before = existing.as_record() if existing else None
    if before == after:
        return False
    if existing is None:
        CalendarDay.objects.create(date=day, **after)
    else:
        for key, value in after.items():
            setattr(existing, key, value)
        existing.save()
    _audit(ChangeAction.DAY_SET, actor=actor, reason=reason, date=day, before=before, after=after)
    return True


def _delete_day(day: dt.date, *, reason: str, actor: User | None) -> bool:
    existing = CalendarDay.objects.select_for_update().filter(date=day).first()
    if existing is None:
        return False
    before = existing.as_record()
    existing.delete()
    _audit(ChangeAction.DAY_REMOVED, actor=actor, reason=reason, date=day, before=before)
    return True


# -- national calendar ----------------------------------------------------------------------


@transaction.atomic
def set_day(
    day: dt.date,
    *,
    kind: str,
    name: str,
    legal_basis: str = "",
    source: str = DaySource.OFFICIAL,
    reason: str,
    actor: User | None,
) -> CalendarDay:
    """Make `day` a day off of some kind, or a make-up working day, from now on."""
    reason = _require_reason(reason)
    if _write_day(
        day,
        kind=kind,
        name=name,
        legal_basis=legal_basis,
        source=source,
        reason=reason,
        actor=actor,
    ):
        calendar_changed([day], reason=reason, actor=actor)
    return CalendarDay.objects.get(date=day)


def add_day_off(
    day: dt.date,
    *,
    name: str,
    legal_basis: str,
    reason: str,
    actor: User | None,
    kind: str = DayKind.HOLIDAY,
) -> CalendarDay:
    """A day off decreed after the fact (e.g. a new holiday): open dossiers are recomputed."""
    if kind not in DayKind.days_off():
        raise CalendarError(_("Loại ngày nghỉ không hợp lệ: %(kind)s.") % {"kind": kind})
    return set_day(day, kind=kind, name=name, legal_basis=legal_basis, reason=reason, actor=actor)


@transaction.atomic
def remove_day(day: dt.date, *, reason: str, actor: User | None) -> bool:
    """Make `day` an ordinary day again (working on weekdays, rest on weekends)."""
    reason = _require_reason(reason)
    if _delete_day(day, reason=reason, actor=actor):
        calendar_changed([day], reason=reason, actor=actor)
        return True
    return False


@transaction.atomic
def prefill_year(year: int, *, reason: str, actor: User | None) -> list[dt.date]:
    """Add the days computed from the Labour Code for `year` where the calendar has no entry
    yet; entries already there (official or edited) are never overwritten."""
    reason = _require_reason(reason)
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise CalendarError(_("Năm %(year)s nằm ngoài phạm vi lịch.") % {"year": year})
    present = set(CalendarDay.objects.in_year(year).values_list("date", flat=True))
    added = []
    for row in computed_days(year):
        if row.date in present:
            continue
        _write_day(
            row.date,
            kind=row.kind,
            name=row.name,
            legal_basis=row.legal_basis,
            source=row.source,
            reason=reason,
            actor=actor,
        )
        added.append(row.date)
    if added:
        calendar_changed(added, reason=reason, actor=actor)
    return added


# -- importing an official notice -----------------------------------------------------------

CSV_COLUMNS = ("ngay", "loai", "ten", "can_cu")
_REMOVE = "ordinary"
_KIND_ALIASES = {
    **{fold(k.value): k.value for k in DayKind},
    "le": DayKind.HOLIDAY,
    "ngay le": DayKind.HOLIDAY,
    "nghi le": DayKind.HOLIDAY,
    "tet nguyen dan": DayKind.TET,
    "tet am lich": DayKind.TET,
    "nghi bu": DayKind.COMPENSATORY,
    "hoan doi": DayKind.SWAPPED,
    "nghi hoan doi": DayKind.SWAPPED,
    "lam bu": DayKind.MAKEUP_WORKING,
    "ngay lam bu": DayKind.MAKEUP_WORKING,
    "lam viec": _REMOVE,
    "ngay lam viec": _REMOVE,
    "ngay thuong": _REMOVE,
}
MAX_IMPORT_ROWS = 2000


@dataclass
class ImportSummary:
    written: list[dt.date] = field(default_factory=list)
    removed: list[dt.date] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class _NoticeRow:
    line: int
    date: dt.date
    kind: str
    name: str
    legal_basis: str


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def parse_notice(content: bytes | str) -> list[_NoticeRow]:
    """Check a whole notice file and return its rows, or raise with every error found."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CalendarImportError([_("Tệp phải là CSV mã hóa UTF-8.")]) from exc
    content = content.lstrip("\ufeff")
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise CalendarImportError([_("Tệp trống: cần dòng tiêu đề ngay, loai, ten, can_cu.")])
    columns = {fold(h).replace(" ", "_"): i for i, h in enumerate(header)}
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise CalendarImportError(
            [
                _("Thiếu cột: %(columns)s (dòng tiêu đề phải có ngay, loai, ten, can_cu).")
                % {"columns": ", ".join(missing)}
            ]
        )
    errors: list[str] = []
    rows: list[_NoticeRow] = []
    seen: dict[dt.date, int] = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) + len(errors) >= MAX_IMPORT_ROWS:
            errors.append(_("Tệp có quá %(n)s dòng.") % {"n": MAX_IMPORT_ROWS})
            break

        def cell(name: str, record: list[str] = record) -> str:
            i = columns[name]
            return record[i].strip() if i < len(record) else ""

        row_errors: list[str] = []
        raw_date, raw_kind, name, basis = cell("ngay"), cell("loai"), cell("ten"), cell("can_cu")
        day = _parse_date(raw_date)
        if day is None:
            row_errors.append(
                _(
                    "Dòng %(line)s, cột «ngay»: «%(value)s» không phải ngày hợp lệ (dạng dd/mm/yyyy)."
                )
                % {"line": line, "value": raw_date}
            )
        elif not FIRST_DAY <= day <= LAST_DAY:
            row_errors.append(
                _("Dòng %(line)s, cột «ngay»: năm %(year)s nằm ngoài phạm vi lịch.")
                % {"line": line, "year": day.year}
            )
        elif day in seen:
            row_errors.append(
                _("Dòng %(line)s, cột «ngay»: ngày %(date)s đã có ở dòng %(other)s.")
                % {"line": line, "date": f"{day:%d/%m/%Y}", "other": seen[day]}
            )
        kind = _KIND_ALIASES.get(fold(raw_kind))
        if kind is None:
            row_errors.append(
                _(
                    "Dòng %(line)s, cột «loai»: «%(value)s» không phải loại ngày hợp lệ (le, tet, nghi_bu, hoan_doi, lam_bu, lam_viec)."
                )
                % {"line": line, "value": raw_kind}
            )
        elif kind == DayKind.MAKEUP_WORKING and day is not None and day.weekday() < 5:
            row_errors.append(
                _(
                    "Dòng %(line)s, cột «loai»: ngày làm bù %(date)s không phải Thứ Bảy hoặc Chủ nhật."
                )
                % {"line": line, "date": f"{day:%d/%m/%Y}"}
            )
        if kind != _REMOVE:
            if not name:
                row_errors.append(_("Dòng %(line)s, cột «ten»: cần ghi tên ngày.") % {"line": line})
            if not basis:
                row_errors.append(
                    _("Dòng %(line)s, cột «can_cu»: cần ghi căn cứ pháp lý (số, ngày văn bản).")
                    % {"line": line}
                )
        if len(name) > 200:
            row_errors.append(_("Dòng %(line)s, cột «ten»: dài quá 200 ký tự.") % {"line": line})
        if len(basis) > 300:
            row_errors.append(_("Dòng %(line)s, cột «can_cu»: dài quá 300 ký tự.") % {"line": line})
        if day is not None:
            seen.setdefault(day, line)
        if row_errors:
            errors.extend(row_errors)
        else:
            assert day is not None and kind is not None
            rows.append(_NoticeRow(line, day, kind, name, basis))
    if not rows and not errors:
        errors.append(_("Tệp không có dòng dữ liệu nào."))
    if errors:
        raise CalendarImportError(errors)
    return rows


@transaction.atomic
def import_notice(content: bytes | str, *, reason: str, actor: User | None) -> ImportSummary:
    """Enter an official notice from CSV: every row is checked first, then all are written in
    one transaction (entries become source "official"); a faulty file changes nothing."""
    reason = _require_reason(reason)
    rows = parse_notice(content)
    summary = ImportSummary()
    for row in rows:
        if row.kind == _REMOVE:
            if _delete_day(row.date, reason=reason, actor=actor):
                summary.removed.append(row.date)
            else:
                summary.unchanged += 1
        elif _write_day(
            row.date,
            kind=row.kind,
            name=row.name,
            legal_basis=row.legal_basis,
            source=DaySource.OFFICIAL,
            reason=reason,
            actor=actor,
        ):
            summary.written.append(row.date)
        else:
            summary.unchanged += 1
    if summary.written or summary.removed:
        calendar_changed([*summary.written, *summary.removed], reason=reason, actor=actor)
    return summary


# -- units: office hours and closures -------------------------------------------------------


@transaction.atomic
def set_office_hours(
    unit: Unit | None,
    *,
    morning: tuple[dt.time, dt.time],
    afternoon: tuple[dt.time, dt.time],
    same_day_cutoff: dt.time = dt.time(15, 0),
    reason: str,
    actor: User | None,
) -> OfficeHoursRow:
    """Office hours of `unit` and the units under it (None: the national default)."""
    reason = _require_reason(reason)
    try:
        OfficeHours(intervals=(morning, afternoon), same_day_cutoff=same_day_cutoff)
    except ValueError as exc:
        raise CalendarError(
            _("Giờ làm việc phải tăng dần và không chồng nhau (sáng trước chiều).")
        ) from exc
    row = OfficeHoursRow.objects.select_for_update().filter(unit=unit).first()
    before = row.as_record() if row else None
    if row is None:
        row = OfficeHoursRow(unit=unit)
    row.morning_start, row.morning_end = morning
    row.afternoon_start, row.afternoon_end = afternoon
    row.same_day_cutoff = same_day_cutoff
    row.save()
    after = row.as_record()
    if before != after:
        _audit(
            ChangeAction.HOURS_SET,
            actor=actor,
            reason=reason,
            unit=unit,
            before=before,
            after=after,
        )
        calendar_changed([], reason=reason, actor=actor, unit=unit, hours_changed=True)
    return row


@transaction.atomic
def remove_office_hours(row: OfficeHoursRow, *, reason: str, actor: User | None) -> None:
    """Drop a unit's own hours: the hours of the unit above it (or the default) apply again."""
    reason = _require_reason(reason)
    unit = row.unit
    before = row.as_record()
    row.delete()
    _audit(ChangeAction.HOURS_REMOVED, actor=actor, reason=reason, unit=unit, before=before)
    calendar_changed([], reason=reason, actor=actor, unit=unit, hours_changed=True)


@transaction.atomic
def add_unit_closure(unit: Unit, day: dt.date, *, reason: str, actor: User | None) -> UnitClosure:
    """Close a unit (and the units under it) on a day the country works, e.g. a local event."""
    reason = _require_reason(reason)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CalendarError(
            _("Ngày %(date)s nằm ngoài phạm vi lịch.") % {"date": f"{day:%d/%m/%Y}"}
        )
    if UnitClosure.objects.filter(unit=unit, date=day).exists():
        raise CalendarError(
            _("Đơn vị đã có ngày nghỉ %(date)s.") % {"date": f"{day:%d/%m/%Y}"}, status_code=409
        )
    closure = UnitClosure.objects.create(unit=unit, date=day, reason=reason)
    _audit(
        ChangeAction.CLOSURE_ADDED,
        actor=actor,
        reason=reason,
        date=day,
        unit=unit,
        after={"reason": reason},
    )
    calendar_changed([day], reason=reason, actor=actor, unit=unit)
    return closure


@transaction.atomic
def remove_unit_closure(closure: UnitClosure, *, reason: str, actor: User | None) -> None:
    reason = _require_reason(reason)
    unit, day = closure.unit, closure.date
    before = {"reason": closure.reason}
    closure.delete()
    _audit(
        ChangeAction.CLOSURE_REMOVED, actor=actor, reason=reason, date=day, unit=unit, before=before
    )
    calendar_changed([day], reason=reason, actor=actor, unit=unit)
