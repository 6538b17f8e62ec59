"""Pages: the staff's questionnaires, rounds (progress, paper entry, results, the counter
tablet) and the citizen's questionnaire, online by the one-time link and on the kiosk.

Thin: every change goes through `actions`, every staff lookup through `lookup` (another unit's
round or questionnaire is a 404). The citizen's pages show no personal data: not the name, not
the phone, not the dossier's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.lib.personal import mask_email, mask_phone
from cchc.surveys import actions
from cchc.surveys.choices import QuestionnaireStatus, RoundAction, RoundStatus
from cchc.surveys.forms import (
    QuestionnaireImportForm,
    RoundForm,
    answers_from,
    field_name,
)
from cchc.surveys.index import progress, round_results
from cchc.surveys.lookup import get_questionnaire_for, get_round_for, visible_questionnaires
from cchc.surveys.models import Invitation, Question, Questionnaire, Response, SurveyRound
from cchc.units.models import Unit, visible_unit_ids

INVITATION_ROWS = 200


def _count(rows: QuerySet[Any]) -> Coalesce:
    counted = rows.order_by().values("round").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _managed_units(user: Any) -> list[Unit]:
    units = Unit.objects.current().filter(pk__in=visible_unit_ids(user)).order_by("path")
    return actions.managed_units(user, units)


def _questions(questionnaire: Questionnaire) -> list[Question]:
    return list(
        Question.objects.filter(questionnaire=questionnaire).select_related("criterion__factor")
    )


def _rows(questionnaire: Questionnaire) -> list[dict[str, Any]]:
    """The questions with their field names and labels, grouped as the page shows them."""
    labels = questionnaire.labels()
    return [
        {
            "question": q,
            "name": field_name(q),
            "labels": list(enumerate(q.scale or labels, start=1)),
            "factor": q.criterion.factor,
            "criterion": q.criterion,
        }
        for q in _questions(questionnaire)
    ]


# -- staff: questionnaires ---------------------------------------------------------------------


@login_required
def questionnaires(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    form = QuestionnaireImportForm(units=units)
    status = 200
    if request.method == "POST":
        form = QuestionnaireImportForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            try:
                created = actions.import_questionnaire(
                    form.cleaned_data["file"], unit=form.cleaned_data["unit"], by=request.user
                )
            except actions.SurveyError as exc:
                form.add_error("file", str(exc.message))
            else:
                messages.success(
                    request,
                    _("Đã nhập bộ câu hỏi %(code)s phiên bản %(version)s (dự thảo).")
                    % {"code": created.code, "version": created.version},
                )
                return redirect("surveys:questionnaire", questionnaire_id=created.pk)
        status = 422
    rows = (
        visible_questionnaires(request.user)
        .select_related("unit")
        .annotate(
            questions_n=Count("questions", distinct=True), rounds_n=Count("rounds", distinct=True)
        )
        .order_by("code", "-version")
    )
    return render(
        request,
        "surveys/questionnaires.html",
        {"rows": rows, "form": form, "may_import": bool(units)},
        status=status,
    )


@login_required
def questionnaire(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    found = get_questionnaire_for(request.user, questionnaire_id)
    if request.method == "POST":
        try:
            actions.activate_questionnaire(found, by=request.user)
        except actions.SurveyError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Đã áp dụng bộ câu hỏi."))
        return redirect("surveys:questionnaire", questionnaire_id=found.pk)
    factors = found.factors.prefetch_related("criteria__questions")
    return render(
        request,
        "surveys/questionnaire.html",
        {
            "q": found,
            "factors": factors,
            "labels": found.labels(),
            "may_activate": found.status == QuestionnaireStatus.DRAFT
            and actions.may_manage(found.unit, request.user),
        },
    )


# -- staff: rounds -----------------------------------------------------------------------------


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    # Counted by subqueries, not joins: invitations × responses would multiply rows.
    rows = (
        SurveyRound.objects.visible_to(request.user)
        .select_related("unit", "questionnaire")
        .annotate(
            invited=_count(Invitation.objects.filter(round=OuterRef("pk"))),
            answered=_count(Response.objects.filter(round=OuterRef("pk"))),
        )
    )
    return render(
        request,
        "surveys/rounds.html",
        {"rows": rows, "may_create": bool(_managed_units(request.user))},
    )


@login_required
def new_round(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    usable = Questionnaire.objects.filter(
        pk__in=[q.pk for u in units for q in actions.usable_questionnaires(u)]
    )
    form = RoundForm(request.POST or None, units=units, questionnaires=usable)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            created = actions.create_round(
                questionnaire=c["questionnaire"],
                unit=c["unit"],
                title=c["title"],
                period_start=c["period_start"],
                period_end=c["period_end"],
                answer_until=c["answer_until"],
                sample_size=c["sample_size"],
                by=request.user,
            )
        except actions.SurveyError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            return redirect("surveys:round", round_id=created.pk)
    return render(
        request,
        "surveys/round_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    survey = get_round_for(request.user, round_id)
    invitations = survey.invitations.select_related("dossier", "unit").order_by("pk")[
        :INVITATION_ROWS
    ]
    return render(
        request,
        "surveys/round.html",
        {
            "survey": survey,
            "progress": progress(survey),
            "units": survey.surveyed_units.order_by("path"),
            "events": survey.events.select_related("actor"),
            "actions": actions.allowed_actions(survey, request.user),
            "may_send": survey.status == RoundStatus.OPEN
            and actions.may_manage(survey.unit, request.user)
            and survey.invitations.filter(sent_at__isnull=True).exists(),
            "may_collect": survey.status == RoundStatus.OPEN
            and actions.may_collect(survey, request.user),
            # The applicant's contact, masked: enough to tell two rows apart, no more.
            "invitations": [
                {
                    "unit": i.unit.name,
                    "contact": mask_phone(i.dossier.applicant_phone)
                    if i.dossier.applicant_phone
                    else mask_email(i.dossier.applicant_email),
                    "sent_at": i.sent_at,
                    "answered_at": i.answered_at,
                }
                for i in invitations
            ],
        },
    )


_ACTIONS: dict[str, Callable[..., SurveyRound]] = {
    RoundAction.OPEN: actions.open_round,
    RoundAction.DRAW: actions.draw_sample,
    RoundAction.CLOSE: actions.close_round,
    RoundAction.PUBLISH: actions.publish_round,
}


@login_required
@require_POST
def act(request: HttpRequest, round_id: int, action: str) -> HttpResponse:
    survey = get_round_for(request.user, round_id)
    try:
        if action == "send":
            sent = actions.send_invitations(survey, by=request.user)
            messages.success(
                request,
                _("Đã xếp hàng gửi %(n)d lời mời (%(m)d tin nhắn, thư).")
                % {"n": sent.invitations, "m": sent.messages},
            )
        elif action in _ACTIONS:
            _ACTIONS[action](survey, by=request.user)
            messages.success(request, _("Đã thực hiện: %(a)s.") % {"a": RoundAction(action).label})
        else:
            messages.error(request, _("Thao tác không hợp lệ."))
    except actions.SurveyError as exc:
        messages.error(request, str(exc.message))
    return redirect("surveys:round", round_id=survey.pk)


@login_required
def paper_entry(request: HttpRequest, round_id: int) -> HttpResponse:
    """Typing paper forms in: one digit per question, Tab (or the digit itself) moves on."""
    survey = get_round_for(request.user, round_id)
    rows = _rows(survey.questionnaire)
    units = list(survey.surveyed_units.order_by("path"))
    error = ""
    values: dict[str, str] = {}
    chosen_unit = units[0].pk if units else None
    status = 200
    if request.method == "POST":
        values = {r["name"]: str(request.POST.get(r["name"], ""))[:5] for r in rows}
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
        chosen_unit = unit.pk if unit else chosen_unit
        try:
            if unit is None:
                raise actions.InvalidSurvey(_("Hãy chọn đơn vị của phiếu."), field="unit")
            response = actions.record_paper_response(
                survey,
                by=request.user,
                unit=unit,
                answers=answers_from(
                    request.POST, (r["question"] for r in rows), zero_is_blank=True
                ),
                form_number=str(request.POST.get("form_number", "")),
            )
        except actions.SurveyError as exc:
            error = str(exc.message)
            status = exc.status_code
        else:
            messages.success(
                request,
                _("Đã lưu phiếu %(n)s. Mời nhập phiếu tiếp theo.")
                % {"n": response.form_number or f"#{response.pk}"},
            )
            # The next form keeps the unit: forms come in piles per unit.
            return redirect(f"{request.path}?don-vi={unit.pk}")
    elif request.GET.get("don-vi", "").isdigit():
        chosen_unit = int(request.GET["don-vi"])
    return render(
        request,
        "surveys/paper_entry.html",
        {
            "survey": survey,
            "rows": rows,
            "units": units,
            "chosen_unit": chosen_unit,
            "values": values,
            "form_number": request.POST.get("form_number", "") if error else "",
            "error": error,
            "count": survey.responses.filter(channel="paper").count(),
        },
        status=status,
    )


@login_required
@require_POST
def start_kiosk(request: HttpRequest, round_id: int) -> HttpResponse:
    survey = get_round_for(request.user, round_id)
    units = list(survey.surveyed_units.all())
    unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), units[0])
    try:
        token = actions.open_kiosk(survey, unit=unit, by=request.user)
    except actions.SurveyError as exc:
        messages.error(request, str(exc.message))
        return redirect("surveys:round", round_id=survey.pk)
    return redirect("surveys:kiosk", token=token)


@login_required
def results(request: HttpRequest, round_id: int) -> HttpResponse:
    survey = get_round_for(request.user, round_id)
    return render(
        request, "surveys/results.html", {"survey": survey, "results": round_results(survey)}
    )


# -- the citizen's pages -----------------------------------------------------------------------


def _answer_page(
    request: HttpRequest, template: str, survey: SurveyRound, unit: Unit, **extra: Any
) -> HttpResponse:
    status = extra.pop("status", 200)
    return render(
        request,
        template,
        {
            "survey": survey,
            "unit": unit,
            "questionnaire": survey.questionnaire,
            "rows": _rows(survey.questionnaire),
            **extra,
        },
        status=status,
    )


def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire behind an invitation's link or QR code: answered once."""
    try:
        invitation = actions.invitation_for_token(token)
    except actions.SurveyError as exc:
        return render(request, "surveys/message.html", {"message": exc.message}, status=404)
    if invitation.answered_at is not None:
        return render(
            request,
            "surveys/message.html",
            {"message": actions.already_answered_message()},
            status=409 if request.method == "POST" else 200,
        )
    survey = invitation.round
    if request.method == "POST":
        try:
            actions.record_online_response(
                token, answers=answers_from(request.POST, _questions(survey.questionnaire))
            )
        except actions.InvalidSurvey as exc:
            chosen = {k: v for k, v in request.POST.items() if k.startswith("q")}
            return _answer_page(
                request,
                "surveys/answer.html",
                survey,
                invitation.unit,
                error=exc.message,
                chosen=chosen,
                status=exc.status_code,
            )
        except actions.SurveyError as exc:
            return render(
                request, "surveys/message.html", {"message": exc.message}, status=exc.status_code
            )
        return render(request, "surveys/message.html", {"message": _thanks(), "done": True})
    try:
        actions.check_collecting(survey)
    except actions.SurveyError as exc:
        return render(
            request, "surveys/message.html", {"message": exc.message}, status=exc.status_code
        )
    return _answer_page(request, "surveys/answer.html", survey, invitation.unit, chosen={})


def _thanks() -> str:
    return _(
        "Cảm ơn ông/bà đã trả lời phiếu khảo sát. Ý kiến của ông/bà giúp chúng tôi phục vụ tốt hơn."
    )


def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    """The counter's tablet: the questionnaire again and again, one citizen after another."""
    try:
        survey, unit, _officer = actions.kiosk_session(token)
    except actions.SurveyError as exc:
        return render(
            request, "surveys/kiosk_message.html", {"message": exc.message}, status=exc.status_code
        )
    if request.method == "POST":
        try:
            actions.record_kiosk_response(
                token, answers=answers_from(request.POST, _questions(survey.questionnaire))
            )
        except actions.InvalidSurvey as exc:
            chosen = {k: v for k, v in request.POST.items() if k.startswith("q")}
            return _answer_page(
                request,
                "surveys/kiosk.html",
                survey,
                unit,
                error=exc.message,
                chosen=chosen,
                token=token,
                status=exc.status_code,
            )
        except actions.SurveyError as exc:
            return render(
                request,
                "surveys/kiosk_message.html",
                {"message": exc.message},
                status=exc.status_code,
            )
        return render(
            request,
            "surveys/kiosk_message.html",
            {"message": _thanks(), "again": True, "token": token},
        )
    return _answer_page(request, "surveys/kiosk.html", survey, unit, chosen={}, token=token)
