"""Import of historical dossiers from an older one-stop system (NDJSON, docs/formats.md).

One JSON object per line. Lines are validated one by one against the units, procedures and
versions cached in dicts at the start (no query per line); valid lines are written in batches,
each batch in its own transaction with a fixed number of queries: which external ids already
exist, code numbers reserved in the live counter table, which codes are taken, then one
`bulk_create` of dossiers and one of their history rows. An invalid line is reported with its
line number and skipped; it never stops the others.

Idempotent by `external_id`: a line whose external id is already in the database (or earlier in
the same file) is skipped and counted as unchanged. It is never updated: once imported, a dossier
lives here and its facts may have moved on through the live actions, which an old export must
not silently overwrite.

Imported dossiers leave no notification (history is not news) and get no processing steps (the
old system's steps are unknown).

Importing history is a permission of its own, not one more thing any officer may do: invented
history moves reports and the PAR Index. It belongs to the roles in DOSSIER_IMPORT_ROLES (the
TTHC-control officer and the administrator by default), in the units those roles reach.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.catalogue.models import Procedure, ProcedureVersion
from cchc.dossiers.choices import (
    PRE_RECEIPT_STATUSES,
    STATUS_BY_NATIONAL_CODE,
    Action,
    ApplicantKind,
    Channel,
    EndType,
    ReturnMethod,
    Status,
)
from cchc.dossiers.models import Dossier, DossierCounter, DossierEvent, crosses_boundary
from cchc.lib.errors import DomainError
from cchc.lib.personal import InvalidPhone, normalise_phone
from cchc.lib.text import fold
from cchc.units.choices import Role
from cchc.units.models import Unit, visible_unit_ids
from cchc.worktime import deadlines
from cchc.worktime.snapshot import load_calendar

DEFAULT_BATCH_SIZE: Final = 2000
DEFAULT_MAX_ERRORS: Final = 1000
# A legitimate line is well under 2 KB; the cap keeps one runaway line from filling memory.
MAX_LINE_BYTES: Final = 64 * 1024

REQUIRED_KEYS: Final = (
    "external_id",
    "procedure",
    "unit",
    "channel",
    "applicant",
    "received_at",
    "status",
)
OPTIONAL_KEYS: Final = ("receiving_unit", "due_at", "finished_at", "returned_at", "code")
_KNOWN_KEYS = frozenset(REQUIRED_KEYS + OPTIONAL_KEYS)
_APPLICANT_LIMITS: Final = {"id_number": 20, "phone": 20, "email": 254, "address": 300}
_APPLICANT_KEYS = frozenset({"name", "kind", *_APPLICANT_LIMITS})

# Never received: the moment in `received_at` is when the dossier was presented; no clock ran.
_NOT_RECEIVED = PRE_RECEIPT_STATUSES | {Status.REFUSED}
_END_TYPE: Final[dict[str, str]] = {
    Status.RESOLVED: EndType.RESOLVED,
    Status.RETURNED: EndType.RESOLVED,
    Status.WITHDRAWN: EndType.WITHDRAWN,
    Status.STOPPED: EndType.STOPPED,
}
_RETURN_METHOD: Final[dict[str, str]] = {
    Channel.COUNTER: ReturnMethod.COUNTER,
    Channel.POSTAL: ReturnMethod.POSTAL,
    Channel.ONLINE_FULL: ReturnMethod.ONLINE,
    Channel.ONLINE_PARTIAL: ReturnMethod.COUNTER,
}
_STATUS_VALUES = frozenset(Status.values)
_CHANNEL_VALUES = frozenset(Channel.values)
_KIND_VALUES = frozenset(ApplicantKind.values)
_CODE_PATTERN = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-(?P<number>\d{4,9})$")
# The history row's text: stored data, like a reason typed at the counter, not a UI string.
_IMPORT_NOTE: Final = "Nhập từ hệ thống cũ"
# Rows per counter upsert: 3 parameters each, well under SQLite's limit on bound variables.
_COUNTER_CHUNK = 300


class _System:
    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = _System()
"""The acting party of a command run without --user: allowed every unit, recorded as no one.
A sentinel rather than None so that a missing user can never widen an API caller's scope."""


class ImportRefused(DomainError):
    status_code = 403


def import_roles() -> frozenset[str]:
    """The roles allowed to import history (setting DOSSIER_IMPORT_ROLES)."""
    configured = frozenset(getattr(settings, "DOSSIER_IMPORT_ROLES", ()))
    unknown = configured - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(
            f"DOSSIER_IMPORT_ROLES: unknown roles {', '.join(sorted(unknown))} "
            f"(known: {', '.join(Role.values)})"
        )
    return configured


def may_import(user: Any) -> bool:
    """Whether `user` holds an import role anywhere (a superuser always may)."""
    return user is SYSTEM or bool(visible_unit_ids(user, roles=import_roles()))


def refuse_import() -> str:
    labels = [str(Role(r).label) for r in Role.values if r in import_roles()]
    return _(
        "Nhập hồ sơ lịch sử là quyền riêng, chỉ dành cho: %(roles)s. Tài khoản này không có "
        "vai trò đó ở đơn vị nào."
    ) % {"roles": ", ".join(labels) or "—"}


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    error: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "error": self.error}


@dataclass
class ImportResult:
    """Counts over the non-blank lines read, and the first `max_errors` errors by line."""

    lines: int = 0
    created: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def errors_truncated(self) -> bool:
        return self.failed > len(self.errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "created": self.created,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "errors": [e.as_dict() for e in self.errors],
            "errors_truncated": self.errors_truncated,
        }

    def summary(self) -> str:
        return _(
            "Đã đọc %(lines)d dòng: %(created)d hồ sơ thêm mới, %(unchanged)d đã có (bỏ qua), "
            "%(failed)d dòng lỗi."
        ) % {
            "lines": self.lines,
            "created": self.created,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class _Row:
    """A valid line, ready to become a Dossier once its due moment and code are known."""

    line: int
    external_id: str
    code: str
    status: str
    channel: str
    procedure_id: int
    version_id: int
    field_id: int
    processing: Unit
    receiving_id: int
    cross_boundary: bool
    agency: str
    applicant: dict[str, str]
    moment: dt.datetime
    received: bool
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    duration: deadlines.Duration | None
    end_type: str
    outcome: str = ""
    # Reserved from the counter inside the batch's transaction; cleared if the batch is retried.
    assigned: str = ""


# -- what the file refers to, loaded once --------------------------------------------------------


class _Catalogue:
    """Units, procedures and versions in dicts, the acting party's scope, calendars on demand."""

    def __init__(self, by: Any) -> None:
        self.units_by_code: dict[str, list[Unit]] = defaultdict(list)
        self.units_by_id: dict[int, Unit] = {}
        for unit in Unit.objects.all():
            self.units_by_code[unit.code].append(unit)
            self.units_by_id[unit.pk] = unit
        self.procedures: dict[str, tuple[int, int]] = {
            code: (pk, field_id)
            for pk, code, field_id in Procedure.objects.values_list("id", "code", "field_id")
        }
        days: dict[int, list[dt.date]] = defaultdict(list)
        versions: dict[int, list[tuple[int, deadlines.Duration | None]]] = defaultdict(list)
        for version in ProcedureVersion.objects.only(
            "id", "procedure_id", "effective_from", "processing_time", "time_unit"
        ).order_by("procedure_id", "effective_from"):
            try:
                duration: deadlines.Duration | None = version.duration
            except deadlines.InvalidDuration:
                duration = None
            days[version.procedure_id].append(version.effective_from)
            versions[version.procedure_id].append((version.pk, duration))
        self.version_days = dict(days)
        self.versions = dict(versions)
        # Only the units reached through an import role: a reception clerk of the same commune
        # sees its dossiers but may not write its history.
        self.visible: frozenset[int] | None = (
            None if by is SYSTEM else visible_unit_ids(by, roles=import_roles())
        )
        self.agency_identifiers = {u.agency_identifier for u in self.units_by_id.values()} - {""}
        self._calendars: dict[int, deadlines.WorkCalendar] = {}

    def unit(self, code: Any, key: str, on: dt.date) -> Unit:
        if not isinstance(code, str) or not code.strip():
            raise _Invalid(_("%(key)s phải là mã đơn vị (chuỗi).") % {"key": key})
        candidates = self.units_by_code.get(code.strip())
        if not candidates:
            raise _Invalid(_("Không có đơn vị mã %(code)s.") % {"code": code})
        if len(candidates) == 1:
            # The old system knew the unit; its recorded validity dates may be approximate.
            unit = candidates[0]
        else:
            valid = [u for u in candidates if u.is_valid_on(on)]
            if len(valid) != 1:
                raise _Invalid(
                    _("Mã đơn vị %(code)s không xác định được một đơn vị có hiệu lực ngày %(day)s.")
                    % {"code": code, "day": on.strftime("%d/%m/%Y")}
                )
            unit = valid[0]
        if self.visible is not None and unit.pk not in self.visible:
            raise _Invalid(
                _("Bạn không có quyền nhập hồ sơ của đơn vị %(code)s.") % {"code": unit.code}
            )
        return unit

    def agency_of(self, unit: Unit) -> str:
        if unit.agency_identifier:
            return unit.agency_identifier
        owner = self.units_by_id.get(unit.admin_owner_id) if unit.admin_owner_id else None
        return owner.agency_identifier if owner else ""

    def version_at(self, procedure_id: int, on: dt.date) -> tuple[int, deadlines.Duration | None]:
        i = bisect_right(self.version_days.get(procedure_id, []), on)
        if i == 0:
            raise LookupError
        return self.versions[procedure_id][i - 1]

    def calendar(self, unit: Unit) -> deadlines.WorkCalendar:
        # One snapshot per unit for the whole run: load_calendar reads a revision row per call.
        cal = self._calendars.get(unit.pk)
        if cal is None:
            cal = self._calendars[unit.pk] = load_calendar(unit)
        return cal


# -- reading and checking one line ------------------------------------------------------------


def _lines(stream: IO[bytes] | IO[str] | Iterable[bytes | str]) -> Iterator[tuple[int, str, str]]:
    """(line number, text, error) for every line, never holding more than one line."""
    readline = getattr(stream, "readline", None)
    raw_lines: Iterator[bytes | str]
    if readline is not None:
        raw_lines = iter(lambda: readline(MAX_LINE_BYTES + 1), b"")
    else:
        raw_lines = iter(stream)
    number = 0
    for raw in raw_lines:
        if raw == "":  # a text stream's end
            break
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            # Drain the rest of the runaway line so that the next one starts in the right place.
            tail = raw
            while tail and not (tail.endswith(b"\n") if isinstance(tail, bytes) else "\n" in tail):
                tail = next(raw_lines, b"")
            yield number, "", _("Dòng dài quá %(n)d byte.") % {"n": MAX_LINE_BYTES}
            continue
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, "", _("Dòng không phải văn bản UTF-8.")
                continue
        else:
            text = raw
        if number == 1:
            text = text.removeprefix("\ufeff")
        yield number, text, ""


def _moment(obj: dict[str, Any], key: str) -> dt.datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid(_("%(key)s phải là chuỗi thời điểm ISO 8601.") % {"key": key})
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(
            _("%(key)s: “%(value)s” không phải thời điểm ISO 8601.") % {"key": key, "value": value}
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Invalid(
            _("%(key)s: “%(value)s” thiếu múi giờ (ví dụ 2025-08-04T09:00:00+07:00).")
            % {"key": key, "value": value}
        )
    return moment


def _status(value: Any) -> str:
    status: str | None = None
    if isinstance(value, str):
        text = value.strip()
        if text in _STATUS_VALUES:
            status = text
        elif text.isdigit():
            status = STATUS_BY_NATIONAL_CODE.get(int(text))
    elif isinstance(value, int) and not isinstance(value, bool):
        status = STATUS_BY_NATIONAL_CODE.get(value)
    if status is None:
        raise _Invalid(_("Trạng thái “%(value)s” không hợp lệ.") % {"value": value})
    return status


def _text(value: Any, key: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _Invalid(_("%(key)s phải là chuỗi.") % {"key": key})
    value = value.strip()
    if "\x00" in value:
        # PostgreSQL refuses NUL in text: caught here, the line is reported instead of
        # failing the whole batch at the insert.
        raise _Invalid(_("%(key)s có ký tự NUL (không hợp lệ).") % {"key": key})
    if required and not value:
        raise _Invalid(_("%(key)s không được để trống.") % {"key": key})
    if len(value) > limit:
        raise _Invalid(_("%(key)s dài quá %(n)d ký tự.") % {"key": key, "n": limit})
    return value


def _applicant(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _Invalid(_("applicant phải là một đối tượng (name, id_number, phone, …)."))
    unknown = value.keys() - _APPLICANT_KEYS
    if unknown:
        raise _Invalid(
            _("applicant có trường không được hỗ trợ: %(keys)s.")
            % {"keys": ", ".join(sorted(unknown))}
        )
    out = {"name": _text(value.get("name"), "applicant.name", 200, required=True)}
    for key, limit in _APPLICANT_LIMITS.items():
        out[key] = _text(value.get(key), f"applicant.{key}", limit)
    kind = value.get("kind") or ApplicantKind.PERSON
    if not isinstance(kind, str) or kind not in _KIND_VALUES:
        raise _Invalid(_("applicant.kind “%(value)s” không hợp lệ.") % {"value": kind})
    out["kind"] = kind
    try:
        # One stored form, as at the counter: the citizen's account and the staff search find
        # imported dossiers by an equality on it.
        out["phone"] = normalise_phone(out["phone"])
    except InvalidPhone as exc:
        raise _Invalid(
            _("applicant.phone “%(value)s”: %(why)s") % {"value": out["phone"], "why": exc}
        ) from None
    if out["email"]:
        try:
            validate_email(out["email"])
        except ValidationError:
            raise _Invalid(
                _("applicant.email “%(value)s” không hợp lệ.") % {"value": out["email"]}
            ) from None
    return out


def _parse(number: int, text: str, cat: _Catalogue, now: dt.datetime) -> _Row:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise _Invalid(_("Dòng không phải JSON hợp lệ: %(why)s.") % {"why": exc}) from None
    if not isinstance(obj, dict):
        raise _Invalid(_("Mỗi dòng phải là một đối tượng JSON."))
    missing = [k for k in REQUIRED_KEYS if obj.get(k) is None]
    if missing:
        raise _Invalid(_("Thiếu trường bắt buộc: %(keys)s.") % {"keys": ", ".join(missing)})
    unknown = obj.keys() - _KNOWN_KEYS
    if unknown:
        raise _Invalid(
            _("Trường không được hỗ trợ: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )

    external_id = obj["external_id"]
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    external_id = _text(external_id, "external_id", 100, required=True)
    status = _status(obj["status"])
    channel = obj["channel"]
    if not isinstance(channel, str) or channel not in _CHANNEL_VALUES:
        raise _Invalid(_("Kênh nộp “%(value)s” không hợp lệ.") % {"value": channel})

    moment = _moment(obj, "received_at")
    assert moment is not None
    due_at = _moment(obj, "due_at")
    finished_at = _moment(obj, "finished_at")
    returned_at = _moment(obj, "returned_at")
    local_day = moment.astimezone(deadlines.TZ).date()
    if moment > now:
        raise _Invalid(_("received_at ở tương lai."))
    if finished_at is not None:
        if finished_at < moment:
            raise _Invalid(_("finished_at trước received_at."))
        if finished_at > now:
            raise _Invalid(_("finished_at ở tương lai."))
    if returned_at is not None:
        if finished_at is not None and returned_at < finished_at:
            raise _Invalid(_("returned_at trước finished_at."))
        if returned_at > now:
            raise _Invalid(_("returned_at ở tương lai."))
    if due_at is not None and due_at < moment:
        raise _Invalid(_("due_at trước received_at."))

    # The moments a status calls for, and those it rules out, so reports count it as live rows.
    received = status not in _NOT_RECEIVED
    finished = status in _END_TYPE
    if not received and (due_at or finished_at or returned_at):
        raise _Invalid(
            _("Hồ sơ “%(status)s” chưa được tiếp nhận: không có due_at, finished_at, returned_at.")
            % {"status": status}
        )
    if finished and finished_at is None:
        raise _Invalid(_("Hồ sơ “%(status)s” phải có finished_at.") % {"status": status})
    if received and not finished and finished_at is not None:
        raise _Invalid(
            _("Hồ sơ “%(status)s” đang xử lý: không có finished_at.") % {"status": status}
        )
    if status == Status.RETURNED and returned_at is None:
        raise _Invalid(_("Hồ sơ đã trả kết quả phải có returned_at."))
    if status != Status.RETURNED and returned_at is not None:
        raise _Invalid(
            _("Chỉ hồ sơ đã trả kết quả (returned) mới có returned_at; đây là “%(status)s”.")
            % {"status": status}
        )

    procedure_code = obj["procedure"]
    known = cat.procedures.get(procedure_code) if isinstance(procedure_code, str) else None
    if known is None:
        raise _Invalid(_("Không có thủ tục mã %(code)s.") % {"code": procedure_code})
    procedure_id, field_id = known
    try:
        version_id, duration = cat.version_at(procedure_id, local_day)
    except LookupError:
        raise _Invalid(
            _("Thủ tục %(code)s chưa có hiệu lực vào ngày tiếp nhận %(day)s.")
            % {"code": procedure_code, "day": local_day.strftime("%d/%m/%Y")}
        ) from None
    if received and due_at is None:
        if duration is None:
            raise _Invalid(
                _("Thủ tục %(code)s không có thời hạn hợp lệ: hãy ghi due_at.")
                % {"code": procedure_code}
            )
        if not deadlines.FIRST_DAY <= local_day <= deadlines.LAST_DAY:
            raise _Invalid(_("received_at ngoài phạm vi lịch làm việc: hãy ghi due_at."))

    processing = cat.unit(obj["unit"], "unit", local_day)
    receiving_code = obj.get("receiving_unit")
    receiving = (
        processing
        if receiving_code in (None, "")
        else cat.unit(receiving_code, "receiving_unit", local_day)
    )
    code = _text(obj.get("code"), "code", 64)
    agency = ""
    if not code:
        agency = cat.agency_of(receiving)
        if not agency:
            raise _Invalid(
                _("Đơn vị tiếp nhận %(unit)s chưa có mã định danh: không cấp được mã hồ sơ.")
                % {"unit": receiving.code}
            )

    return _Row(
        line=number,
        external_id=external_id,
        code=code,
        status=status,
        channel=channel,
        procedure_id=procedure_id,
        version_id=version_id,
        field_id=field_id,
        processing=processing,
        receiving_id=receiving.pk,
        cross_boundary=crosses_boundary(receiving, processing),
        agency=agency,
        applicant=_applicant(obj["applicant"]),
        moment=moment,
        received=received,
        due_at=due_at,
        finished_at=finished_at,
        returned_at=returned_at,
        duration=duration,
        end_type=_END_TYPE.get(status, ""),
    )


# -- writing a batch ----------------------------------------------------------------------------


def _fill_due_and_outcome(rows: list[_Row], cat: _Catalogue, failed: dict[int, str]) -> None:
    """Due moments for the rows without one, through the bulk path per (calendar, duration)."""
    groups: dict[tuple[int, deadlines.Duration], list[_Row]] = defaultdict(list)
    for row in rows:
        if row.received and row.due_at is None:
            assert row.duration is not None
            groups[(row.processing.pk, row.duration)].append(row)
    for (_unit_id, duration), members in groups.items():
        cal = cat.calendar(members[0].processing)
        try:
            dues = deadlines.due_many([r.moment for r in members], duration, cal)
        except deadlines.DeadlineError:
            # Some receipt's answer falls outside the calendar: find which, one by one.
            dues = []
            for r in members:
                try:
                    dues.append(deadlines.due(r.moment, duration, cal))
                except deadlines.DeadlineError:
                    failed[r.line] = _("Không tính được hạn giải quyết: hãy ghi due_at.")
                    dues.append(r.moment)
        for r, due in zip(members, dues, strict=True):
            r.due_at = due
    for row in rows:
        if row.end_type == EndType.RESOLVED and row.due_at is not None:
            assert row.finished_at is not None
            row.outcome = deadlines.outcome(row.due_at, row.finished_at)


def _upsert_counters(values: dict[tuple[str, dt.date], int], *, bump_to: bool) -> dict[Any, int]:
    """One statement per chunk on the live counter table; returns the new `last` per key.

    `bump_to=False` adds the value (reserving that many numbers, which are then ours: the rows
    stay locked until the batch commits, exactly as for `next_code`); `bump_to=True` raises the
    counter to at least the value, so that a live receipt never produces an imported code.
    """
    table = DossierCounter._meta.db_table
    update = (
        f"CASE WHEN excluded.last > {table}.last THEN excluded.last ELSE {table}.last END"
        if bump_to
        else f"{table}.last + excluded.last"
    )
    # Sorted keys: two concurrent imports lock the same rows in the same order.
    items = sorted(values.items())
    head = f"INSERT INTO {table} (agency_identifier, day, last) "
    tail = (
        f" ON CONFLICT (agency_identifier, day) DO UPDATE SET last = {update}"
        " RETURNING agency_identifier, day, last"
    )
    statements: list[tuple[str, list[Any]]]
    if connection.vendor == "postgresql":
        # Three arrays instead of thousands of parameters: one short statement per batch.
        statements = [
            (
                head
                + "SELECT * FROM unnest(%s::varchar[], %s::date[], %s::integer[]) WHERE true"
                + tail,
                [
                    [a for (a, _d), _n in items],
                    [d for (_a, d), _n in items],
                    [n for _k, n in items],
                ],
            )
        ]
    else:
        statements = [
            (
                head + "VALUES " + ", ".join(["(%s, %s, %s)"] * len(chunk)) + tail,
                [p for (agency, day), n in chunk for p in (agency, day, n)],
            )
            for chunk in (
                items[i : i + _COUNTER_CHUNK] for i in range(0, len(items), _COUNTER_CHUNK)
            )
        ]
    out: dict[Any, int] = {}
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            for agency, day, last in cursor.fetchall():
                # SQLite hands the date back as text.
                out[(agency, day if isinstance(day, dt.date) else dt.date.fromisoformat(day))] = (
                    last
                )
    return out


def _present(column: str, values: list[str]) -> set[str]:
    """Which of `values` are already in a unique text column of the dossier table."""
    if connection.vendor == "postgresql":
        # One array parameter: a 2,000-item IN list costs more to build and parse than to run.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} FROM {Dossier._meta.db_table} WHERE {column} = ANY(%s)",
                [values],
            )
            return {value for (value,) in cursor.fetchall()}
    lookup = {f"{column}__in": values}
    return set(Dossier.objects.filter(**lookup).values_list(column, flat=True))


def _explicit_code_numbers(rows: list[_Row], cat: _Catalogue) -> dict[tuple[str, dt.date], int]:
    highest: dict[tuple[str, dt.date], int] = {}
    for row in rows:
        match = _CODE_PATTERN.match(row.code) if row.code else None
        if match is None or match["agency"] not in cat.agency_identifiers:
            continue
        try:
            day = dt.datetime.strptime(match["day"], "%y%m%d").date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
        key = (match["agency"], day)
        highest[key] = max(highest.get(key, 0), int(match["number"]))
    return highest


def _assign_codes(rows: list[_Row], cat: _Catalogue) -> None:
    explicit = _explicit_code_numbers(rows, cat)
    if explicit:
        _upsert_counters(explicit, bump_to=True)
    wanted: dict[tuple[str, dt.date], list[_Row]] = defaultdict(list)
    for row in rows:
        if not row.code:
            wanted[(row.agency, row.moment.astimezone(deadlines.TZ).date())].append(row)
    if not wanted:
        return
    last = _upsert_counters({k: len(v) for k, v in wanted.items()}, bump_to=False)
    for (agency, day), members in wanted.items():
        first = last[(agency, day)] - len(members) + 1
        prefix = f"{agency}-{day:%y%m%d}-"
        for offset, row in enumerate(members):
            row.assigned = f"{prefix}{first + offset:04d}"


def _dossier_values(row: _Row) -> dict[str, Any]:
    a = row.applicant
    clock = row.moment if row.received else None
    return {
        "code": row.code or row.assigned,
        "status": row.status,
        "procedure_id": row.procedure_id,
        "procedure_version_id": row.version_id,
        "field_id": row.field_id,
        "receiving_unit_id": row.receiving_id,
        "processing_unit_id": row.processing.pk,
        "channel": row.channel,
        "return_method": _RETURN_METHOD[row.channel],
        "applicant_kind": a["kind"],
        "applicant_name": a["name"],
        # bulk_create and COPY skip Dossier.save(): the folded name is written here.
        "applicant_name_folded": fold(a["name"])[:200],
        "cross_boundary": row.cross_boundary,
        "applicant_id_number": a["id_number"],
        "applicant_phone": a["phone"],
        "applicant_email": a["email"],
        "applicant_address": a["address"],
        "submitted_at": row.moment,
        "received_at": clock,
        "clock_started_at": clock,
        "original_due_at": row.due_at,
        "due_at": row.due_at,
        # It was asked once; a second request is not allowed, as for a live dossier.
        "supplement_count": 1 if row.status == Status.SUPPLEMENT else 0,
        "finished_at": row.finished_at,
        "end_type": row.end_type,
        "outcome": row.outcome,
        "returned_at": row.returned_at,
        "external_id": row.external_id,
    }


def _event_values(row: _Row, dossier_id: int, actor_id: int | None, now: dt.datetime) -> Any:
    return {
        "dossier_id": dossier_id,
        "action": Action.NOTE,
        "from_status": "",
        "to_status": row.status,
        "actor_id": actor_id,
        "at": now,
        "reason": _IMPORT_NOTE,
        "data": {"imported": True, "source_line": row.line},
        "public": False,
    }


class _CopyLayout:
    """A model's columns in COPY order, with each field's default, built once per model."""

    def __init__(self, model: type[Dossier] | type[DossierEvent]) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.table = model._meta.db_table
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.position = {f.attname: i for i, f in enumerate(fields)}
        self.json = {i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"}
        self.auto_now = [
            i
            for i, f in enumerate(fields)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.defaults = [f.get_default() for f in fields]

    def rows(self, values: Iterable[dict[str, Any]], ids: list[int], now: dt.datetime) -> Any:
        template = list(self.defaults)
        for i in self.auto_now:
            template[i] = now
        # Every dict of a batch has the same keys in the same order: map them to columns once.
        order: list[int] = []
        for pk, fields in zip(ids, values, strict=True):
            if not order:
                order = [self.position[name] for name in fields]
            row = template.copy()
            for i, value in zip(order, fields.values(), strict=True):
                row[i] = json.dumps(value) if i in self.json else value
            yield (pk, *row)


_layouts: dict[str, _CopyLayout] = {}


def _copy_insert(
    model: type[Dossier] | type[DossierEvent], values: list[dict[str, Any]], now: dt.datetime
) -> list[int]:
    """PostgreSQL: ids from the sequence in one query, then the rows through COPY, which skips
    both the per-field preparation of `bulk_create` and the server's parsing of a huge INSERT
    (bench/bench_import_dossiers.py: the whole import went from 5.1 to 1.6 times the time of a
    plain `bulk_create` of bare rows when this replaced `bulk_create`)."""
    layout = _layouts.get(model._meta.label)
    if layout is None:
        layout = _layouts[model._meta.label] = _CopyLayout(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [layout.table, len(values)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        copy_sql = f"COPY {layout.table} (id, {layout.columns}) FROM STDIN"
        # The raw cursor raises psycopg's errors: give them Django's classes, as any query's,
        # so that the caller's `except DatabaseError` sees a refused row here too.
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            for row in layout.rows(values, ids, now):
                copy.write_row(row)
    return ids


def _insert(rows: list[_Row], actor_id: int | None) -> int:
    now = timezone.now()
    dossier_values = [_dossier_values(r) for r in rows]
    if connection.vendor == "postgresql":
        ids = _copy_insert(Dossier, dossier_values, now)
        events = [_event_values(r, pk, actor_id, now) for r, pk in zip(rows, ids, strict=True)]
        _copy_insert(DossierEvent, events, now)
        return len(ids)
    dossiers = Dossier.objects.bulk_create([Dossier(**v) for v in dossier_values])
    DossierEvent.objects.bulk_create(
        DossierEvent(**_event_values(r, d.pk, actor_id, now))
        for r, d in zip(rows, dossiers, strict=True)
    )
    return len(dossiers)


def _write(batch: list[_Row], cat: _Catalogue, result: ImportResult, actor: Any) -> None:
    """Writes the batch in one transaction; returns after updating `result`."""
    failed: dict[int, str] = {}
    with transaction.atomic():
        existing = _present("external_id", list({r.external_id for r in batch}))
        fresh: list[_Row] = []
        for row in batch:
            if row.external_id in existing:
                result.unchanged += 1
                continue
            # A repeat later in the file counts as already imported: the first occurrence wins.
            existing.add(row.external_id)
            fresh.append(row)
        if not fresh:
            return
        _fill_due_and_outcome(fresh, cat, failed)
        fresh = [r for r in fresh if r.line not in failed]
        _assign_codes(fresh, cat)
        codes = [r.code or r.assigned for r in fresh]
        taken = _present("code", codes)
        first_line: dict[str, int] = {}
        for row, code in zip(fresh, codes, strict=True):
            if code in taken:
                failed[row.line] = _("Mã hồ sơ %(code)s đã có.") % {"code": code}
            elif code in first_line:
                failed[row.line] = _("Mã hồ sơ %(code)s trùng với dòng %(line)d.") % {
                    "code": code,
                    "line": first_line[code],
                }
            else:
                first_line[code] = row.line
        fresh = [r for r in fresh if r.line not in failed]
        result.created += _insert(fresh, actor.pk if actor is not None else None)
    for line, message in failed.items():
        result.failed += 1
        result.errors.append(LineError(line, message))


def _write_one_by_one(batch: list[_Row], cat: _Catalogue, actor: Any) -> ImportResult:
    step = ImportResult()
    for row in batch:
        one = ImportResult()
        try:
            _write([row], cat, one, actor)
        except DatabaseError as exc:
            # The class only: the database's message may quote the applicant's data.
            one = ImportResult(
                failed=1,
                errors=[
                    LineError(
                        row.line,
                        _("Cơ sở dữ liệu từ chối dòng này (%(why)s); dòng không được nhập.")
                        % {"why": type(exc).__name__},
                    )
                ],
            )
        step.created += one.created
        step.unchanged += one.unchanged
        step.failed += one.failed
        step.errors += one.errors
    return step


def import_dossiers(
    stream: IO[bytes] | IO[str] | Iterable[bytes | str],
    *,
    by: Any,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_errors: int | None = DEFAULT_MAX_ERRORS,
    progress: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import an NDJSON stream of historical dossiers, line by line, in batches.

    `stream`: a binary or text file-like object (read line by line, never whole; an
    `HttpRequest` works) or any iterable of lines. `by`: the acting user, who may import only
    into units they can see, or `SYSTEM` (allowed everything). Valid lines are written even when
    others fail; each batch commits on its own, so an interrupted run can simply be repeated.
    `max_errors` caps the errors kept in the result (all are counted); `progress` is called
    after each batch.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    if not may_import(by):
        raise ImportRefused(refuse_import())
    cat = _Catalogue(by)
    actor = by if getattr(by, "is_authenticated", False) else None
    now = timezone.now()
    result = ImportResult()
    errors: list[LineError] = []

    def fail(line: int, message: str) -> None:
        result.failed += 1
        if max_errors is None or len(errors) < max_errors:
            errors.append(LineError(line, message))

    def flush(batch: list[_Row]) -> None:
        step = ImportResult()
        try:
            try:
                _write(batch, cat, step, actor)
            except IntegrityError:
                # A concurrent import or receipt took an external id or code between the
                # checks and the insert; the batch rolled back whole, and a second pass sees it.
                step = ImportResult()
                _write(batch, cat, step, actor)
        except DatabaseError:
            # A line the checks let through was refused by the database, and its batch with
            # it: write the batch line by line so that only that line is lost, as promised.
            step = _write_one_by_one(batch, cat, actor)
        result.created += step.created
        result.unchanged += step.unchanged
        for error in step.errors:
            fail(error.line, error.error)
        if progress is not None:
            progress(result)

    batch: list[_Row] = []
    for number, text, error in _lines(stream):
        if error:
            result.lines += 1
            fail(number, error)
            continue
        if not text.strip():
            continue
        result.lines += 1
        try:
            batch.append(_parse(number, text, cat, now))
        except _Invalid as exc:
            fail(number, exc.message)
            continue
        if len(batch) >= batch_size:
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    # Write-time errors of a batch arrive after the parse errors of its later lines.
    errors.sort(key=lambda e: e.line)
    result.errors = errors
    return result
