"""Pages: the public PAKN form, status and published answers; rating by code, link and counter
tablet; the staff worklist and PAKN page.

Thin: every change goes through `actions`, every staff lookup through `get_feedback_for`. User
text is always rendered through autoescape (no `|safe` anywhere in these templates).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit import UNSAFE

from cchc.dossiers.lookup import get_dossier_for
from cchc.dossiers.models import Dossier
from cchc.feedback import errors, pakn, ratings
from cchc.feedback.choices import Action, Category, RatingChannel
from cchc.feedback.forms import CodeLookupForm, FeedbackForm, RatingByCodeForm, RatingForm
from cchc.feedback.inputs import page_action_input, run_action
from cchc.feedback.limits import (
    RATING_IP_RATE,
    RATING_PHONE_RATE,
    STATUS_RATE,
    SUBMIT_RATE,
    phone_key,
    throttle,
)
from cchc.feedback.lookup import WORKLISTS, get_feedback_for, worklist_counts, worklist_rows
from cchc.feedback.models import Feedback
from cchc.lib.limits import limit_per_value
from cchc.lib.personal import CITIZEN_CONTACTS_KEY, phones_match
from cchc.lib.text import by_name
from cchc.units.models import Unit

PUBLIC_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50
# The PAKN this browser sent or proved with the sender's phone: their pages show the answer
# sent to the sender. The last one sent is what the "sent" page (after the redirect) shows.
SENT_SESSION_KEY = "feedback_sent"
LAST_SESSION_KEY = "feedback_last"


def _remember(request: HttpRequest, code: str) -> None:
    request.session[SENT_SESSION_KEY] = [
        *[c for c in request.session.get(SENT_SESSION_KEY, []) if c != code][-19:],
        code,
    ]


def is_sender(request: HttpRequest, feedback: Feedback) -> bool:
    """Whether this visitor sent the PAKN: from this browser, with its phone proven, or as the
    signed-in citizen whose phone or address it carries."""
    if feedback.code in request.session.get(SENT_SESSION_KEY, []):
        return True
    contacts = [c for c in request.session.get(CITIZEN_CONTACTS_KEY, []) if c]
    if not contacts:
        return False
    mine = {feedback.phone, feedback.email.lower()} - {""}
    return any(c.lower() in mine for c in contacts)


def _hotlines() -> Any:
    # Units that publish a hotline or an e-mail: shown on the form and the public list.
    return (
        pakn.addressable_units()
        .exclude(hotline="", email="")
        .only("code", "name", "hotline", "email")
    )


# -- public: PAKN ------------------------------------------------------------------------------


@throttle("feedback.submit", key="ip", rate=SUBMIT_RATE, method=UNSAFE)
def feedback_form(request: HttpRequest) -> HttpResponse:
    selected = None
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES)
        if form.is_valid():
            if form.is_robot:
                # Looks accepted, stores nothing: the robot learns nothing to adapt to.
                request.session[LAST_SESSION_KEY] = pakn.new_code(timezone.localdate())
                return redirect("feedback:submitted")
            c = form.cleaned_data
            try:
                feedback = pakn.submit_feedback(
                    unit=c["unit"],
                    kind=c["kind"],
                    subject=c["subject"],
                    procedure=c["procedure"],
                    content=c["content"],
                    name=c["name"],
                    phone=c["phone"],
                    email=c["email"],
                    files=c["attachments"],
                )
            except errors.FeedbackError as exc:
                form.add_error(None, exc.message)
            else:
                # Post/Redirect/Get: reloading the page that follows sends nothing again.
                _remember(request, feedback.code)
                request.session[LAST_SESSION_KEY] = feedback.code
                return redirect("feedback:submitted")
        selected = form.cleaned_data.get("unit") if hasattr(form, "cleaned_data") else None
    else:
        unit_code = request.GET.get("don-vi", "")
        selected = pakn.addressable_units().filter(code=unit_code).first()
        procedure = request.GET.get("thu-tuc", "")[:40]
        form = FeedbackForm(
            initial={
                "unit": selected.code if selected else None,
                "procedure": procedure,
                "subject": "procedure" if procedure else None,
            }
        )
    return render(
        request,
        "feedback/form.html",
        {"form": form, "selected": selected, "hotlines": _hotlines()},
        status=422 if form.errors else 200,
    )


def submitted(request: HttpRequest) -> HttpResponse:
    """The page after sending (the form redirects here): the code to keep."""
    code = request.session.get(LAST_SESSION_KEY)
    if not code:
        return redirect("feedback:form")
    feedback = Feedback.objects.filter(code=code).only("code", "answer_due_at").first()
    return render(request, "feedback/submitted.html", {"code": code, "feedback": feedback})


def _not_found() -> str:
    return _(
        "Không tìm thấy phản ánh có mã này. Hãy kiểm tra lại mã trong tin nhắn hoặc "
        "thư xác nhận (dạng PAKN-YYMMDD-XXXXX)."
    )


@throttle("feedback.status", key="ip", rate=STATUS_RATE, method="POST")
def status_lookup(request: HttpRequest) -> HttpResponse:
    """By code alone (a link, GET): the progress and the published answer. With the sender's
    phone (POST): this browser may also read the answer sent to the sender."""
    if request.method == "POST":
        form = CodeLookupForm(request.POST)
        if not form.is_valid():
            return render(request, "feedback/status_lookup.html", {"form": form}, status=422)
        code = form.cleaned_data["code"].strip().upper()
        phone = form.cleaned_data["phone"].strip()
        if phone:
            limit_per_value(request, "feedback-lookup-phone", phone, "20/h")
            feedback = Feedback.objects.filter(code=code).only("code", "phone").first()
            if feedback is None or not phones_match(phone, feedback.phone):
                # An unknown code and a wrong phone read alike: nothing to learn from trying.
                return render(
                    request,
                    "feedback/status_lookup.html",
                    {
                        "form": form,
                        "error": _(
                            "Mã tra cứu và số điện thoại không khớp với phản ánh nào. Hãy kiểm "
                            "tra lại, hoặc bỏ trống số điện thoại để xem tình trạng."
                        ),
                    },
                    status=404,
                )
            _remember(request, feedback.code)
        return redirect("feedback:status", code=code)
    form = CodeLookupForm(request.GET or None)
    if request.GET.get("code") and form.is_valid():
        return redirect("feedback:status", code=form.cleaned_data["code"].strip().upper())
    # "?ma=" fills the code in, for the sender who comes to add the phone.
    initial = {"code": request.GET.get("ma", "")[:20]}
    return render(request, "feedback/status_lookup.html", {"form": CodeLookupForm(initial=initial)})


@throttle("feedback.status", key="ip", rate=STATUS_RATE, method="GET")
def status(request: HttpRequest, code: str) -> HttpResponse:
    """One PAKN's progress, for anyone with its code: no personal data, no private content."""
    feedback = Feedback.objects.select_related("unit").filter(code=code.upper()).first()
    if feedback is None:
        return render(
            request,
            "feedback/status_lookup.html",
            {"form": CodeLookupForm(initial={"code": code}), "error": _not_found()},
            status=404,
        )
    sender = is_sender(request, feedback)
    return render(
        request,
        "feedback/status.html",
        {"feedback": feedback, "now": timezone.now(), "sender": sender},
    )


def public_list(request: HttpRequest) -> HttpResponse:
    units = pakn.addressable_units().only("code", "name", "hotline", "email")
    unit = units.filter(code=request.GET.get("don-vi", "")).first()
    rows = Feedback.objects.published().select_related("unit").order_by("-published_at", "-id")
    if unit is not None:
        rows = rows.filter(unit=unit)
    rows = rows.only(
        "code",
        "kind",
        "public_summary",
        "public_answer",
        "published_at",
        "received_at",
        "unit__name",
        "unit__hotline",
        "unit__email",
    )
    page = Paginator(rows, PUBLIC_PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(
        request,
        "feedback/public_list.html",
        {"page": page, "units": units, "unit": unit, "hotlines": _hotlines()},
    )


# -- public: ratings ---------------------------------------------------------------------------


def _rating_error(
    request: HttpRequest, template: str, context: dict[str, Any], exc: errors.FeedbackError
) -> HttpResponse:
    context["error"] = exc.message
    return render(request, template, context, status=exc.status_code)


@throttle("feedback.rate.ip", key="ip", rate=RATING_IP_RATE, method=UNSAFE)
@throttle("feedback.rate.phone", key=phone_key, rate=RATING_PHONE_RATE, method=UNSAFE)
def rate_by_code(request: HttpRequest) -> HttpResponse:
    """Rating with the dossier code and the applicant's phone (from the lookup page)."""
    form = RatingByCodeForm(request.POST or None, initial={"code": request.GET.get("ma", "")[:64]})
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            ratings.rate_by_code(
                c["code"],
                phone=c["phone"],
                level=c["level"],
                reasons=c["reasons"],
                comment=c["comment"],
            )
        except errors.FeedbackError as exc:
            return _rating_error(request, "feedback/rate.html", context, exc)
        return redirect("feedback:rated")
    return render(request, "feedback/rate.html", context, status=422 if form.errors else 200)


def _link_invalid(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "feedback/message.html", {"message": message}, status=403)


@throttle("feedback.rate.ip", key="ip", rate=RATING_IP_RATE, method=UNSAFE)
def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    """Rating through the signed link sent with the result."""
    dossier_id = ratings.dossier_id_from_rating_token(token)
    dossier = (
        Dossier.objects.select_related("procedure").filter(pk=dossier_id).first()
        if dossier_id
        else None
    )
    if dossier is None:
        return _link_invalid(request, ratings.link_invalid_message())
    return _rate_with_token(request, dossier, token, RatingChannel.LINK, "feedback/rate_link.html")


def rate_kiosk(request: HttpRequest, token: str) -> HttpResponse:
    """The counter tablet: no rate limit by IP (a busy centre shares one address); the
    officer's short-lived token is the guard."""
    session = ratings.read_kiosk_token(token)
    dossier = (
        Dossier.objects.select_related("procedure").filter(pk=session[0]).first()
        if session
        else None
    )
    if dossier is None:
        return _link_invalid(request, ratings.kiosk_expired_message())
    return _rate_with_token(
        request, dossier, token, RatingChannel.KIOSK, "feedback/rate_kiosk.html"
    )


def _rate_with_token(
    request: HttpRequest, dossier: Dossier, token: str, channel: str, template: str
) -> HttpResponse:
    form = RatingForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "dossier": dossier, "token": token}
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            ratings.rate_dossier(
                dossier,
                level=c["level"],
                reasons=c["reasons"],
                comment=c["comment"],
                channel=channel,
                token=token,
            )
        except errors.FeedbackError as exc:
            return _rating_error(request, template, context, exc)
        # Post/Redirect/Get: a reload shows the thanks again instead of posting a second time.
        if channel == RatingChannel.KIOSK:
            return redirect(reverse("feedback:rated") + "?quay=1")
        return redirect("feedback:rated")
    return render(request, template, context, status=422 if form.errors else 200)


def rated(request: HttpRequest) -> HttpResponse:
    """The thanks after a rating (every rating form redirects here)."""
    if request.GET.get("quay") == "1":
        return render(request, "feedback/rated_kiosk.html", {"kiosk": True})
    return render(request, "feedback/rated.html", {"kiosk": False})


# -- staff -------------------------------------------------------------------------------------


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("list", "new")
    if key not in WORKLISTS:
        key = "new"
    now = timezone.now()
    scoped = Feedback.objects.visible_to(request.user)
    rows = worklist_rows(scoped, key, now).select_related("unit", "procedure")
    rows = rows.order_by(*WORKLISTS[key].ordering)
    page = Paginator(rows, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/staff_worklist.html",
        {
            "worklists": WORKLISTS.values(),
            "current": WORKLISTS[key],
            "page": page,
            "counts": worklist_counts(scoped, now),
            "now": now,
        },
    )


def _render_detail(
    request: HttpRequest, feedback: Feedback, *, error: str = "", status: int = 200
) -> HttpResponse:
    now = timezone.now()
    events = list(feedback.events.select_related("actor"))
    units = (
        Unit.objects.current().exclude(pk=feedback.unit_id).only("code", "name").order_by(by_name())
    )
    return render(
        request,
        "feedback/staff_detail.html",
        {
            "feedback": feedback,
            "events": events,
            # The version the page's forms send back: the count of history entries.
            "version": len(events),
            "attachments": feedback.attachments.all(),
            "allowed": pakn.allowed_actions(feedback, request.user),
            "categories": Category.choices,
            "units": units.order_by("path")[:500],
            "error": error,
            "now": now,
            "forward_overdue": feedback.forward_overdue(now),
            "Action": Action,
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    return _render_detail(request, get_feedback_for(request.user, code))


@login_required
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """One action, read by the API's reader (`inputs`): the page refuses what the API refuses,
    with the same sentence and status, shown above the PAKN."""
    feedback = get_feedback_for(request.user, code)
    try:
        feedback = run_action(feedback, action, page_action_input(request.POST), by=request.user)
    except errors.FeedbackError as exc:
        return _render_detail(request, feedback, error=exc.message, status=exc.status_code)
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": Action(action).label})
    return redirect("feedback:staff_detail", code=feedback.code)


@login_required
def attachment(request: HttpRequest, code: str, attachment_id: int) -> FileResponse:
    feedback = get_feedback_for(request.user, code)
    item = get_object_or_404(feedback.attachments, pk=attachment_id)
    extension = item.file.name.rsplit(".", 1)[-1]
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    # A safe download name: never the sender's file name.
    response["Content-Disposition"] = (
        f'attachment; filename="{feedback.code}-{item.pk}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def start_kiosk(request: HttpRequest, code: str) -> HttpResponse:
    """The counter officer hands the tablet to the applicant: opens the kiosk page for this
    dossier (reception officers of the receiving unit only)."""
    dossier = get_dossier_for(request.user, code)
    try:
        token = ratings.open_kiosk(dossier, by=request.user)
    except errors.FeedbackError as exc:
        return render(
            request,
            "feedback/message.html",
            {"message": exc.message, "back": dossier.code},
            status=exc.status_code,
        )
    return redirect("feedback:rate_kiosk", token=token)
