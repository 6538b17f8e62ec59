"""Public pages: home, tracking, online submission, citizen accounts. Thin: the work is in
`portal.actions`, `portal.tracking` and `dossiers.actions`."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from cchc.catalogue.models import Field, Procedure
from cchc.dossiers.choices import PaymentMethod, ReturnMethod, Status
from cchc.lib.limits import limit_per_value
from cchc.lib.numbers import localised
from cchc.lib.personal import CITIZEN_CONTACTS_KEY, mask_email, mask_phone
from cchc.lib.text import by_name
from cchc.portal import actions, identity, space, tracking
from cchc.portal.actions import PortalError
from cchc.portal.context import CITIZEN_LABEL_KEY, CITIZEN_SESSION_KEY
from cchc.portal.models import Citizen, Draft
from cchc.tickets.appointments import bookable_fields
from cchc.tickets.models import Counter, SlotPlan
from cchc.units.choices import UnitKind
from cchc.units.models import Unit

TRACKED_SESSION_KEY = "tracked_codes"
# Drafts started in this browser before signing in: attached to the citizen at sign-in, so that
# "Hồ sơ của tôi" reopens them without their address.
DRAFTS_SESSION_KEY = "draft_tokens"
HONEYPOT = "website"


def home(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.current().filter(kind__in=UnitKind.commune_level()).order_by(by_name())
    # Booking is offered only where it can be done: the unit runs a counter queue and has a slot
    # plan for at least one field it offers (otherwise the link led to "Đơn vị chưa nhận đặt lịch
    # hẹn"). The candidates are few, so bookable_fields() is asked of each.
    candidates = Unit.objects.filter(
        pk__in=Counter.objects.filter(active=True).values("unit_id")
    ).filter(pk__in=SlotPlan.objects.filter(active=True).values("unit_id"))
    queue_units = {u.code for u in candidates if bookable_fields(u).exists()}
    return render(
        request,
        "portal/home.html",
        {"units": units, "fields": Field.objects.order_by(by_name()), "queue_units": queue_units},
    )


def current_citizen(request: HttpRequest) -> Citizen | None:
    citizen_id = request.session.get(CITIZEN_SESSION_KEY)
    return Citizen.objects.filter(pk=citizen_id).first() if citizen_id else None


def _honeypot_filled(request: HttpRequest) -> bool:
    # Bots fill every field; people never see this one.
    return bool(request.POST.get(HONEYPOT))


# -- tracking -------------------------------------------------------------------------------------


@ratelimit(key="ip", rate="60/m", block=True)
def track(request: HttpRequest) -> HttpResponse:
    """The lookup form: a code alone shows the public status; with the phone, the personal part."""
    if request.method == "POST":
        code = request.POST.get("code", "").strip()[:64]
        phone = request.POST.get("phone", "").strip()[:20]
        if not code:
            return render(
                request, "portal/track.html", {"error": _("Hãy nhập mã hồ sơ.")}, status=422
            )
        if phone:
            limit_per_value(request, "lookup-phone", phone, "20/h")
            dossier = tracking.find(code)
            if not tracking.phone_matches(dossier, phone):
                return render(
                    request,
                    "portal/track.html",
                    {"error": tracking.NOT_FOUND, "code": code},
                    status=404,
                )
            assert dossier is not None
            # The code as stored (it may have been typed in lower case).
            code = dossier.code
            tracked = set(request.session.get(TRACKED_SESSION_KEY, []))
            tracked.add(code)
            request.session[TRACKED_SESSION_KEY] = sorted(tracked)[-20:]
        return redirect("portal:track_dossier", code=code)
    return render(request, "portal/track.html", {"code": request.GET.get("code", "")})


def _may_see_personal(request: HttpRequest, code: str) -> bool:
    """The visitor proved the applicant's phone in this session, or is the signed-in citizen
    who submitted the dossier. `code` is the stored code, not as typed."""
    if code in request.session.get(TRACKED_SESSION_KEY, []):
        return True
    citizen = current_citizen(request)
    return citizen is not None and actions.dossiers_of(citizen).filter(code=code).exists()


def _may_have_proven(request: HttpRequest) -> bool:
    # Without a proven phone or a signed-in citizen, nobody sees the personal view: the
    # anonymous visitor then costs no session query and no ORM lookup.
    return bool(
        request.session.get(TRACKED_SESSION_KEY) or request.session.get(CITIZEN_SESSION_KEY)
    )


def _page_view(dossier: Any, *, personal: bool) -> dict[str, Any]:
    """The public view with the moments the page formats (the view itself carries ISO text)."""
    view = tracking.public_view(dossier, personal=personal)
    view["due_at"] = dossier.due_at
    for item in view["history"]:
        item["moment"] = dt.datetime.fromisoformat(item["at"])
    view["fee"] = _fee_view(dossier)
    return view


def _fee_view(dossier: Any) -> dict[str, Any] | None:
    """The fees and charges asked of the applicant and how to pay them, on the page only (the
    API's public view is unchanged). None when nothing is or was due."""
    due, paid = dossier.fee_due_vnd or 0, dossier.fee_paid_vnd or 0
    if not due:
        return None
    return {
        "due": localised(due),
        "paid": localised(paid),
        "left": localised(max(0, due - paid)),
        "outstanding": due > paid,
        "requested": dossier.status == Status.PAYMENT,
        "methods": [str(label) for _value, label in PaymentMethod.choices],
    }


@ratelimit(key="ip", rate="60/m", block=True)
def track_dossier(request: HttpRequest, code: str) -> HttpResponse:
    """The page a receipt's QR code opens. Anyone sees the public view, served from the
    per-process cache like the API's; the applicant also sees their name and documents."""
    code = code.strip()
    # The dossier is found first (the code may be typed in any case), then the right to its
    # personal view is checked against its stored code.
    dossier = tracking.find(code) if _may_have_proven(request) else None
    personal = dossier is not None and _may_see_personal(request, dossier.code)
    view: dict[str, Any] | None
    if personal:
        view = _page_view(dossier, personal=True)
    else:
        view = tracking.cached_public(code, "page", lambda d: _page_view(d, personal=False))
    if view is None:
        return render(
            request, "portal/track.html", {"error": tracking.NOT_FOUND, "code": code}, status=404
        )
    can_complete = personal and view["status"] in (Status.INCOMPLETE, Status.SUPPLEMENT)
    return render(
        request,
        "portal/track_dossier.html",
        {"d": view, "personal": personal, "can_complete": can_complete},
    )


@require_POST
@ratelimit(key="ip", rate="20/h", block=True)
def complete(request: HttpRequest, code: str) -> HttpResponse:
    """The citizen sends what was asked for (before or after receipt)."""
    dossier = tracking.find(code)
    if dossier is None or not _may_see_personal(request, dossier.code):
        raise Http404
    uploads = [(None, f) for f in request.FILES.getlist("files")][:10]
    try:
        actions.send_completion(dossier, uploads, note=request.POST.get("note", "")[:2000])
    except PortalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Đã gửi giấy tờ bổ sung. Cán bộ sẽ kiểm tra và thông báo cho ông/bà.")
        )
    return redirect("portal:track_dossier", code=code)


# -- citizen accounts -------------------------------------------------------------------------------


def _login_page(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    context = {
        "identity_enabled": identity.enabled(),
        "identity_label": identity.label(),
        **context,
    }
    return render(request, "portal/citizen_login.html", context, status=status)


@ratelimit(key="ip", rate="30/h", block=True, method=["POST"])
def citizen_login(request: HttpRequest) -> HttpResponse:
    """Step 1: a phone or an address; a one-time code is sent to it. The national identity's
    button sits above when it is configured."""
    context: dict[str, Any] = {}
    if request.method == "POST":
        destination = request.POST.get("destination", "").strip()[:254]
        try:
            _channel, normalised = actions.destination_of(destination)
            limit_per_value(request, "otp-destination", normalised, "5/h")
            _otp, code = actions.request_code(destination)
        except PortalError as exc:
            context = {"error": str(exc), "destination": destination}
        else:
            request.session["otp_destination"] = destination
            if settings.DEMO:
                # The embedded demo has no SMS gateway: show the code so the flow can be tried.
                messages.info(request, _("Bản demo: mã xác thực là %(code)s.") % {"code": code})
            return redirect("portal:citizen_verify")
    return _login_page(request, context, 422 if context else 200)


@ratelimit(key="ip", rate="30/h", block=True)
def citizen_identity_start(request: HttpRequest) -> HttpResponse:
    """To the national identity's sign-in page (OpenID Connect, `portal.identity`)."""
    if not identity.enabled():
        raise Http404
    try:
        return identity.start(
            request, request.build_absolute_uri(reverse("portal:citizen_identity_return"))
        )
    except identity.IdentityError as exc:
        return _login_page(request, {"error": exc.message}, exc.status_code)


@ratelimit(key="ip", rate="30/h", block=True)
def citizen_identity_return(request: HttpRequest) -> HttpResponse:
    """Back from the provider: the ID token checked, the citizen signed in as with a code."""
    if not identity.enabled():
        raise Http404
    try:
        citizen = identity.finish(request)
    except identity.IdentityError as exc:
        return _login_page(request, {"error": exc.message}, exc.status_code)
    return sign_in(request, citizen)


@ratelimit(key="ip", rate="30/h", block=True, method=["POST"])
def citizen_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the code; the citizen is signed in for this browser session."""
    destination = request.session.get("otp_destination")
    if not destination:
        return redirect("portal:citizen_login")
    context: dict[str, Any] = {"destination": destination}
    if request.method == "POST":
        try:
            citizen = actions.verify_code(destination, request.POST.get("code", "")[:10])
        except PortalError as exc:
            context["error"] = str(exc)
        else:
            return sign_in(request, citizen)
    return render(
        request, "portal/citizen_verify.html", context, status=422 if "error" in context else 200
    )


def citizen_label(citizen: Citizen) -> str:
    """How the header names the citizen: the name, else the masked phone or address (never the
    whole number: the header shows on every page, a shared screen included)."""
    if citizen.name:
        return citizen.name
    if citizen.phone:
        return mask_phone(citizen.phone)
    return mask_email(citizen.email or "")


def sign_in(request: HttpRequest, citizen: Citizen) -> HttpResponse:
    """The one citizen session, whichever proof opened it (one-time code or national identity)."""
    after = request.session.pop("after_login", None)
    tokens = request.session.get(DRAFTS_SESSION_KEY, [])
    request.session.cycle_key()
    request.session[CITIZEN_SESSION_KEY] = citizen.pk
    request.session[CITIZEN_LABEL_KEY] = citizen_label(citizen)
    request.session[CITIZEN_CONTACTS_KEY] = [citizen.phone or "", citizen.email or ""]
    request.session.pop(DRAFTS_SESSION_KEY, None)
    if tokens:
        Draft.objects.filter(token__in=tokens, citizen__isnull=True, dossier__isnull=True).update(
            citizen=citizen
        )
    # Only a path of this site: never an address given from outside.
    if not (isinstance(after, str) and after.startswith("/") and not after.startswith("//")):
        after = None
    return redirect(after or "portal:citizen_home")


def citizen_required(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current_citizen(request) is None:
            request.session["after_login"] = request.get_full_path()
            return redirect("portal:citizen_login")
        return view(request, *args, **kwargs)

    return wrapper


@citizen_required
def citizen_home(request: HttpRequest) -> HttpResponse:
    citizen = current_citizen(request)
    assert citizen is not None
    return render(
        request,
        "portal/citizen_home.html",
        {
            "citizen": citizen,
            "label": citizen_label(citizen),
            **space.overview(citizen),
            "digitised": actions.digitised_documents_of(citizen)[:50],
        },
    )


@require_POST
def citizen_logout(request: HttpRequest) -> HttpResponse:
    # Everything that lets this browser see a person's data goes (a shared computer at the
    # commune's library): the account, the dossiers and PAKN proven or sent from it.
    for key in (
        CITIZEN_SESSION_KEY,
        CITIZEN_LABEL_KEY,
        CITIZEN_CONTACTS_KEY,
        TRACKED_SESSION_KEY,
        DRAFTS_SESSION_KEY,
        "feedback_sent",
        "feedback_last",
    ):
        request.session.pop(key, None)
    messages.success(request, _("Ông/bà đã đăng xuất."))
    return redirect("portal:home")


# -- online submission ------------------------------------------------------------------------------


@ratelimit(key="ip", rate="30/h", block=True, method=["POST"])
def submit_start(request: HttpRequest, code: str) -> HttpResponse:
    """Choose where to submit; a draft is created and its address is the key to come back to it."""
    procedure = get_object_or_404(Procedure, code=code)
    units = (
        Unit.objects.current()
        .filter(adoptions__procedure=procedure, adoptions__implemented=True)
        .order_by(by_name())
    )
    if request.method == "POST" and not _honeypot_filled(request):
        unit = units.filter(code=request.POST.get("unit", "")).first()
        if unit is None:
            messages.error(request, _("Hãy chọn nơi nộp hồ sơ."))
        else:
            try:
                draft = actions.start_draft(procedure, unit, current_citizen(request))
            except PortalError as exc:
                messages.error(request, str(exc))
            else:
                if draft.citizen_id is None:
                    request.session[DRAFTS_SESSION_KEY] = [
                        *request.session.get(DRAFTS_SESSION_KEY, [])[-9:],
                        draft.token,
                    ]
                return redirect("portal:draft", token=draft.token)
    version = procedure.version_at(timezone.localdate())
    return render(
        request,
        "portal/submit_start.html",
        {"procedure": procedure, "version": version, "units": units},
    )


def _draft(request: HttpRequest, token: str) -> Draft:
    """The draft its address names. A draft kept in a citizen's space is that citizen's alone:
    anyone else signed in gets 404, like an unknown address."""
    draft = Draft.objects.select_related("procedure", "unit", "dossier").filter(token=token).first()
    if draft is None:
        raise Http404
    signed_in = request.session.get(CITIZEN_SESSION_KEY)
    if draft.citizen_id is not None and signed_in and signed_in != draft.citizen_id:
        raise Http404
    return draft


@ratelimit(key="ip", rate="300/h", block=True, method=["POST"])
def draft_page(request: HttpRequest, token: str) -> HttpResponse:
    """The e-form: saved on every change (by a few lines of script) or with the Save button."""
    draft = _draft(request, token)
    if draft.dossier_id:
        return redirect("portal:track_dossier", code=draft.dossier.code)  # type: ignore[union-attr]
    version = draft.procedure.version_at(timezone.localdate())
    if request.method == "POST" and not _honeypot_filled(request):
        actions.save_draft(draft, request.POST.dict())
        try:
            for key in request.FILES:
                upload = request.FILES.get(key)
                if not isinstance(upload, UploadedFile):
                    continue
                position = int(key.removeprefix("doc_")) if key.startswith("doc_") else None
                actions.add_draft_file(draft, upload, position=position)
            reuse = request.POST.get("reuse")
            citizen = current_citizen(request)
            if reuse and citizen is not None:
                document = actions.digitised_documents_of(citizen).filter(pk=int(reuse)).first()
                if document is not None:
                    actions.reuse_document(
                        draft,
                        document,
                        position=int(request.POST.get("reuse_position") or 0) or None,
                    )
        except (PortalError, ValueError) as exc:
            messages.error(
                request, str(exc) if isinstance(exc, PortalError) else _("Dữ liệu không hợp lệ.")
            )
        if request.headers.get("X-Autosave"):
            return JsonResponse({"saved": timezone.localtime().strftime("%H:%M:%S")})
        if request.POST.get("submit") == "1":
            try:
                dossier = actions.submit_draft(draft)
            except PortalError as exc:
                messages.error(request, str(exc))
            else:
                request.session[TRACKED_SESSION_KEY] = sorted(
                    {*request.session.get(TRACKED_SESSION_KEY, []), dossier.code}
                )[-20:]
                messages.success(
                    request,
                    _("Đã nộp hồ sơ. Mã tra cứu của ông/bà là %(code)s: hãy ghi lại mã này.")
                    % {"code": dossier.code},
                )
                return redirect("portal:track_dossier", code=dossier.code)
        else:
            messages.success(request, _("Đã lưu bản nháp."))
        return redirect("portal:draft", token=token)
    citizen = current_citizen(request)
    files = {f.position: f for f in draft.files.all()}
    documents = [(d, files.get(d.position)) for d in version.documents.all()] if version else []
    return render(
        request,
        "portal/draft.html",
        {
            "draft": draft,
            "signed_in": citizen is not None,
            "version": version,
            "documents": documents,
            "data": draft.data,
            "return_methods": ReturnMethod.choices,
            "digitised": actions.digitised_documents_of(citizen)[:20] if citizen else [],
            "honeypot": HONEYPOT,
        },
    )
