"""Staff pages of the evidence register: the register with its filters, a document's page (its
file, its signature, its history), the add and edit forms, a plan's tasks.

Thin: every change goes through `actions`, every lookup through `lookup` (another unit's
document or plan answers 404). A refusal is shown beside the form with the action's message and
answered with the action's status, as the API answers it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc.records import actions
from cchc.records.actions import DocumentFields, RecordsError, TaskFields
from cchc.records.choices import (
    RECORD_KEEPERS,
    ActivityKind,
    EditKind,
    FileSignature,
    TaskStatus,
)
from cchc.records.forms import (
    ActivityForm,
    DocumentForm,
    FileForm,
    InitiativeForm,
    PlanForm,
    RegisterFilter,
    TaskForm,
    TaskUpdateForm,
)
from cchc.records.lookup import get_document_for, get_plan_for, get_task_for
from cchc.records.models import CchcPlan, CommunicationActivity, Initiative, OfficialDocument
from cchc.records.queries import plan_progress
from cchc.records.search import DocumentSearch, search_documents
from cchc.units.models import Unit, visible_unit_ids

PAGE_SIZE = 50
# The history's field names (DocumentEdit.changes keys) as the page says them.
CHANGE_LABELS = {
    "reference": gettext_lazy("Số, ký hiệu"),
    "type": gettext_lazy("Loại văn bản"),
    "issued_on": gettext_lazy("Ngày ban hành"),
    "title": gettext_lazy("Trích yếu"),
    "signer": gettext_lazy("Người ký"),
    "declared_signed": gettext_lazy("Đã ký số (cán bộ xác nhận)"),
    "file": gettext_lazy("Tệp"),
    "file_signature": gettext_lazy("Chữ ký số trong tệp"),
}


def _shown(field: str, value: Any) -> str:
    if field == "file_signature":
        return str(FileSignature(value).label) if value in FileSignature.values else str(value)
    if isinstance(value, bool):
        return _("có") if value else _("không")
    return str(value)


def history(document: OfficialDocument) -> list[dict[str, Any]]:
    """The document's history, newest first, each change as (label, before, after)."""
    rows = []
    for edit in document.edits.select_related("by").order_by("-at", "-id"):
        changes = []
        if edit.kind != EditKind.REGISTERED:
            changes = [
                (CHANGE_LABELS.get(field, field), _shown(field, pair[0]), _shown(field, pair[1]))
                for field, pair in edit.changes.items()
            ]
        rows.append({"edit": edit, "changes": changes})
    return rows


def keeper_units(user: Any) -> Any:
    """The units whose register the user keeps (a role of RECORD_KEEPERS reaching them)."""
    return Unit.objects.filter(pk__in=visible_unit_ids(user, roles=RECORD_KEEPERS)).order_by("path")


def _refused(form: Any, exc: RecordsError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    filters = RegisterFilter(request.GET or None)
    asked: dict[str, Any] = {}
    if filters.is_bound and filters.is_valid():
        c = filters.cleaned_data
        asked = {
            "q": c["q"],
            "type": c["type"].key if c["type"] else "",
            "date_from": c["date_from"],
            "date_to": c["date_to"],
            "signed": {"1": True, "0": False}.get(c["signed"]),
        }
    found = search_documents(request.user, DocumentSearch(**asked))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "records/register.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "can_add": keeper_units(request.user).exists(),
        },
    )


def _fields(c: dict[str, Any]) -> DocumentFields:
    return DocumentFields(
        reference=c["reference"],
        issued_on=c["issued_on"],
        title=c["title"],
        signer=c["signer"],
        declared_signed=c["declared_signed"],
    )


@login_required
def add(request: HttpRequest) -> HttpResponse:
    units = keeper_units(request.user)
    status = 200
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            c = form.cleaned_data
            try:
                document = actions.register_document(
                    c["unit"], _fields(c), by=request.user, file=c["file"]
                )
            except RecordsError as exc:
                _refused(form, exc)
                status = exc.status_code
            else:
                messages.success(
                    request, _("Đã vào sổ văn bản %(ref)s.") % {"ref": document.reference}
                )
                return redirect("records:document", pk=document.pk)
        else:
            status = 422
    else:
        if not units.exists():
            raise Http404("Không có sổ văn bản nào để cập nhật")
        form = DocumentForm(units=units, initial={"unit": units.first()})
    return render(request, "records/form.html", {"form": form, "document": None}, status=status)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for(request.user, pk)
    status = 200
    if request.method == "POST":
        form = DocumentForm(request.POST, editing=True)
        if form.is_valid():
            try:
                actions.edit_document(document, _fields(form.cleaned_data), by=request.user)
            except RecordsError as exc:
                _refused(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("records:document", pk=document.pk)
        else:
            status = 422
    else:
        if not actions.may_keep(request.user, document.unit):
            raise actions.NotAllowed(_("Chỉ người giữ sổ văn bản của đơn vị được sửa văn bản."))
        form = DocumentForm(
            editing=True,
            initial={
                "reference": document.reference,
                "issued_on": document.issued_on,
                "title": document.title,
                "signer": document.signer,
                "declared_signed": document.declared_signed,
            },
        )
    return render(request, "records/form.html", {"form": form, "document": document}, status=status)


def _render_document(
    request: HttpRequest,
    document: OfficialDocument,
    *,
    file_form: FileForm | None = None,
    plan_form: PlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = CchcPlan.objects.filter(document=document).first()
    return render(
        request,
        "records/document.html",
        {
            "document": document,
            "plan": plan,
            "can_keep": actions.may_keep(request.user, document.unit),
            "file_form": file_form or FileForm(),
            "plan_form": plan_form or PlanForm(),
            "edits": history(document),
            "FileSignature": FileSignature,
        },
        status=status,
    )


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_document(request, get_document_for(request.user, pk))


@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    found = get_document_for(request.user, pk)
    if not found.file:
        raise Http404("Văn bản chưa có tệp")
    extension = found.file.name.rsplit(".", 1)[-1]
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    # A safe download name from the register's id, never the uploader's file name.
    response["Content-Disposition"] = f'attachment; filename="van-ban-{found.pk}.{extension}"'
    return response


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_document_for(request.user, pk)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_document(request, found, file_form=form, status=422)
    try:
        actions.attach_file(found, form.cleaned_data["file"], by=request.user)
    except RecordsError as exc:
        _refused(form, exc)
        return _render_document(request, found, file_form=form, status=exc.status_code)
    messages.success(request, _("Đã đính kèm tệp."))
    return redirect("records:document", pk=found.pk)


@login_required
@require_POST
def create_plan(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_document_for(request.user, pk)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _render_document(request, found, plan_form=form, status=422)
    try:
        plan = actions.create_plan(found, by=request.user, topic=form.cleaned_data["topic"])
    except RecordsError as exc:
        _refused(form, exc)
        return _render_document(request, found, plan_form=form, status=exc.status_code)
    return redirect("records:plan", pk=plan.pk)


def _render_plan(
    request: HttpRequest,
    plan: CchcPlan,
    *,
    task_form: TaskForm | None = None,
    update_form: TaskUpdateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    tasks = list(plan.tasks.select_related("evidence"))
    rows = [(t, t.status_on(today)) for t in tasks]
    documents = OfficialDocument.objects.filter(unit_id=plan.unit_id).order_by(
        "-issued_on", "-number"
    )[:300]
    return render(
        request,
        "records/plan.html",
        {
            "plan": plan,
            "rows": rows,
            "progress": plan_progress(plan, today),
            "can_keep": actions.may_keep(request.user, plan.unit),
            "task_form": task_form or TaskForm(),
            "update_form": update_form,
            "documents": documents,
            "progress_choices": TaskUpdateForm.base_fields["progress"].choices,  # type: ignore[attr-defined]
            "LATE": TaskStatus.LATE,
            "DONE": TaskStatus.DONE,
        },
        status=status,
    )


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_plan(request, get_plan_for(request.user, pk))


@login_required
@require_POST
def add_task(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_plan_for(request.user, pk)
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _render_plan(request, found, task_form=form, status=422)
    c = form.cleaned_data
    try:
        actions.add_task(
            found,
            TaskFields(c["content"], c["due_on"], c["owner_person"], c["owner_body"]),
            by=request.user,
        )
    except RecordsError as exc:
        _refused(form, exc)
        return _render_plan(request, found, task_form=form, status=exc.status_code)
    messages.success(request, _("Đã thêm nhiệm vụ."))
    return redirect("records:plan", pk=found.pk)


@login_required
@require_POST
def update_task(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_plan_for(request.user, pk)
    documents = OfficialDocument.objects.filter(unit_id=found.unit_id)
    form = TaskUpdateForm(request.POST, documents=documents)
    if not form.is_valid():
        return _render_plan(request, found, update_form=form, status=422)
    c = form.cleaned_data
    task = get_task_for(found, c["task"])
    try:
        actions.update_task(
            task,
            by=request.user,
            progress=c["progress"],
            result=c["result"],
            done_on=c["done_on"],
            evidence=c["evidence"],
        )
    except RecordsError as exc:
        _refused(form, exc)
        return _render_plan(request, found, update_form=form, status=exc.status_code)
    messages.success(request, _("Đã cập nhật nhiệm vụ."))
    return redirect("records:plan", pk=found.pk)


def _year(request: HttpRequest) -> int:
    text = request.GET.get("nam", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


@login_required
def initiatives(request: HttpRequest) -> HttpResponse:
    """The units' initiatives of a year, and the form to record one."""
    units = keeper_units(request.user)
    year = _year(request)
    status = 200
    form = InitiativeForm(units=units, initial={"unit": units.first(), "year": year})
    if request.method == "POST":
        form = InitiativeForm(request.POST, units=units)
        if form.is_valid():
            c = form.cleaned_data
            try:
                actions.record_initiative(
                    c["unit"],
                    by=request.user,
                    title=c["title"],
                    author=c["author"],
                    year=c["year"],
                    status=c["status"],
                    recognised_by=actions.document_by_reference(
                        c["unit"], c["recognised_by"], field="recognised_by"
                    ),
                    note=c["note"],
                )
            except RecordsError as exc:
                _refused(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Đã ghi nhận sáng kiến."))
                return redirect(f"{request.path}?nam={c['year']}")
        else:
            status = 422
    rows = (
        Initiative.objects.filter(unit_id__in=visible_unit_ids(request.user), year=year)
        .select_related("unit", "recognised_by")
        .order_by("unit__path", "title")
    )
    return render(
        request,
        "records/initiatives.html",
        {"rows": rows, "year": year, "form": form, "can_add": units.exists()},
        status=status,
    )


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    """The units' communication activities of a year (with totals by kind), and the form."""
    units = keeper_units(request.user)
    year = _year(request)
    status = 200
    form = ActivityForm(units=units, initial={"unit": units.first()})
    if request.method == "POST":
        form = ActivityForm(request.POST, units=units)
        if form.is_valid():
            c = form.cleaned_data
            try:
                activity = actions.record_activity(
                    c["unit"],
                    by=request.user,
                    kind=c["kind"],
                    on=c["on"],
                    count=c["count"],
                    note=c["note"],
                    evidence=actions.document_by_reference(
                        c["unit"], c["evidence"], field="evidence"
                    ),
                )
            except RecordsError as exc:
                _refused(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Đã ghi nhận hoạt động tuyên truyền."))
                return redirect(f"{request.path}?nam={activity.year}")
        else:
            status = 422
    rows = (
        CommunicationActivity.objects.filter(unit_id__in=visible_unit_ids(request.user), year=year)
        .select_related("unit", "evidence")
        .order_by("-on", "-id")
    )
    totals = rows.values("kind").annotate(n=Sum("count")).order_by("kind")
    labels = dict(ActivityKind.choices)
    return render(
        request,
        "records/activities.html",
        {
            "rows": rows,
            "year": year,
            "form": form,
            "can_add": units.exists(),
            "totals": [(labels.get(t["kind"], t["kind"]), t["n"]) for t in totals],
        },
        status=status,
    )
