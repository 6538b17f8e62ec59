"""Bounded input types for the API's schemas: every string length-checked and free of NUL
characters, every integer within its column, the limits read from the model field itself.

Why at the door: PostgreSQL refuses a NUL character in text, a number past its column's range or
a negative one in a positive column with a database error, which surfaces as a 500 after work has
been done (a dossier number taken, a lock held). Checked by the schema, the caller gets a 400
naming the field, and the OpenAPI file states each limit, so a client can check before sending.

    from typing import Annotated
    from cchc.lib.inputs import column, text

    class ApplicantIn(Schema):
        name: Annotated[str, column(Dossier, "applicant_name")]   # ≤ 200, no NUL
        note: Annotated[str, text(500)] = ""                     # not stored as such

`column` follows the model: widen a column and the API follows it; no second number to forget.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Final, TypeVar

from annotated_types import Interval
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, StringConstraints, ValidationError

from cchc.lib.errors import DomainError

# Any character but NUL. Stated as a pattern (not a hidden check) so that the OpenAPI file says it.
NUL_FREE: Final = r"^[^\x00]*$"
# Free text stored in a TextField (a reason, an answer, a note) has no column limit of its own;
# this one is far above anything typed by hand and keeps one request from storing megabytes.
MAX_FREE_TEXT: Final = 10_000
# Integer ranges per column type as every backend must hold them (PostgreSQL's sizes). Read from
# the base class, not the live connection: SQLite would say "unbounded", and the schema, like the
# committed OpenAPI file, must be the same on both databases.
_INTEGER_RANGES: Final = BaseDatabaseOperations.integer_field_ranges


def text(max_length: int = MAX_FREE_TEXT, *, min_length: int = 0) -> StringConstraints:
    """A string of at most `max_length` characters (at least `min_length`), without NUL."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=NUL_FREE)


def column(
    model: type[models.Model], name: str, *, min_length: int = 0
) -> StringConstraints | Interval:
    """The limits of `model.name`: its max_length (MAX_FREE_TEXT for a TextField) for text, its
    range for an integer. Raises TypeError for a field of another kind: say what it needs."""
    field = model._meta.get_field(name)
    if isinstance(field, models.CharField | models.TextField):
        return text(field.max_length or MAX_FREE_TEXT, min_length=min_length)
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is a relation, not a column")
    internal = field.get_internal_type()
    if internal in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[internal]
        return Interval(ge=low, le=high)
    raise TypeError(f"{model.__name__}.{name} is a {internal}: no bounded input type for it")


def whole_number(low: int, high: int) -> Interval:
    """An integer from `low` to `high` inclusive (for numbers that are not a column as such)."""
    return Interval(ge=low, le=high)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?"
)


def _written_as(pattern: re.Pattern[str], kind: type, example: str) -> Any:
    # pydantic's lax mode reads a number as seconds since 1970 (`on=0` was 01/01/1970, `0.0`
    # too): a date or a moment must be written as one.
    def check(value: Any) -> Any:
        if isinstance(value, kind) or (isinstance(value, str) and pattern.fullmatch(value)):
            return value
        raise ValueError(f"must be written as {example}")

    return BeforeValidator(check)


# The ones most endpoints use.
FreeText = Annotated[str, text()]
"""Up to MAX_FREE_TEXT characters without NUL: reasons, notes, answers."""
ShortText = Annotated[str, text(200)]
"""A search term, a filter, a label: 200 characters are plenty."""
Id = Annotated[int, Interval(ge=1, le=_INTEGER_RANGES["BigAutoField"][1])]
"""A row id in a path (every table uses BigAutoField): never zero, never past the column."""
IsoDate = Annotated[dt.date, _written_as(_ISO_DATE, dt.date, "YYYY-MM-DD")]
"""A date written YYYY-MM-DD, nothing else."""
IsoMoment = Annotated[
    dt.datetime, _written_as(_ISO_MOMENT, dt.datetime, "YYYY-MM-DDTHH:MM[:SS]+07:00")
]
"""A moment in ISO 8601 (the offset is the handler's to require), nothing else."""


def version_required(schema: dict[str, Any]) -> None:
    """`json_schema_extra` of an action's body whose `version` is optional in the model only so
    that a missing one gets the handler's sentence (422) rather than the generic 400: the schema
    states it as it is, a required integer."""
    prop = schema["properties"]["version"]
    (integer,) = [branch for branch in prop.pop("anyOf") if branch.get("type") == "integer"]
    prop.pop("default", None)
    prop.update(integer)
    schema.setdefault("required", []).insert(0, "version")


Body = TypeVar("Body", bound=BaseModel)


def read_form(schema: type[Body], data: Mapping[str, Any], refusal: type[DomainError]) -> Body:
    """A page's form read by the API's schema, so both doors accept the same values: one the
    schema refuses (too long, not a number, not one of the choices) is refused with 400 and the
    fields named, as the API refuses it."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(dict.fromkeys(str(e["loc"][0]) for e in exc.errors() if e["loc"]))
        raise refusal(
            _("Dữ liệu gửi lên không hợp lệ: %(fields)s.") % {"fields": fields or "body"},
            status_code=400,
        ) from None
