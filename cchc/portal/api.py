"""The public status lookup (no login): the most requested endpoint of all."""

# No `from __future__ import annotations` here: `ratelimit` wraps the view, and ninja reads the
# wrapper's annotations in django_ratelimit's namespace, where `Path` and `Query` are unknown as
# strings; evaluated at definition they need no namespace.
import datetime as dt
import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django_ratelimit.decorators import ratelimit
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import NinjaJSONEncoder

from cchc.dossiers.models import Dossier
from cchc.lib.apierrors import refusals
from cchc.lib.inputs import column
from cchc.lib.limits import limit_per_value
from cchc.portal import tracking

router = Router(tags=["public"])


class PublicStepOut(Schema):
    name: str
    body: str


class HistoryItem(Schema):
    at: dt.datetime
    action: str
    label: str
    status: str


class PublicDocumentOut(Schema):
    name: str
    kind: str


class PublicDossier(Schema):
    code: str
    status: str
    national_status: int
    status_text: str
    procedure: str
    receiving_unit: str
    processing_unit: str
    hotline: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due: dt.datetime | None
    # Set while the legal clock stands still (waiting for a supplement): shown instead of `due`.
    clock_note: str = ""
    rescheduled: bool
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    current_step: PublicStepOut | None
    history: list[HistoryItem]
    applicant_name: str | None = None
    documents: list[PublicDocumentOut] | None = None
    to_complete: list[str] | None = None


@router.get(
    "/dossiers/{code}",
    response={200: PublicDossier, **refusals(404, 429)},
    summary="Tra cứu hồ sơ (công khai)",
)
@ratelimit(key="ip", rate="120/m", block=True)
def public_dossier(
    request: HttpRequest,
    code: Path[Annotated[str, column(Dossier, "code")]],
    # The default inside Annotated: ninja drops a `= default` given next to constraints.
    phone: Annotated[str, column(Dossier, "applicant_phone"), Query("")],
) -> Any:
    """Status, due date, current step and public history. With `phone` (the applicant's), also
    the applicant's name, the documents and what is left to complete. A wrong phone and a code
    that does not exist get the same 404."""
    if phone:
        dossier = tracking.find(code)
        limit_per_value(request, "lookup-phone", phone, "20/h")
        if not tracking.phone_matches(dossier, phone):
            raise HttpError(404, str(tracking.NOT_FOUND))
        assert dossier is not None
        return tracking.public_view(dossier, personal=True)
    body = tracking.cached_public(code, "api", _public_json)
    if body is None:
        raise HttpError(404, str(tracking.NOT_FOUND))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _public_json(dossier: Dossier) -> bytes:
    """The JSON ninja would write for `PublicDossier` (same schema, same encoder), kept as bytes
    so that a cached answer costs no validation."""
    view = PublicDossier.model_validate(tracking.public_view(dossier, personal=False))
    return json.dumps(view.model_dump(), cls=NinjaJSONEncoder).encode()
