"""Staff pages of the one-stop: worklists, the counter's receipt form, the dossier page.

Thin: every change goes through `actions`, every lookup through `get_dossier_for`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db import transaction
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.catalogue.models import Field, Procedure
from cchc.catalogue.search import search_procedures
from cchc.dossiers import actions, exports, signing
from cchc.dossiers.choices import Action, PaymentMethod, Status
from cchc.dossiers.clock import clock_of
from cchc.dossiers.clock import end_of_working_day as clock_end_of_day
from cchc.dossiers.desk import IRREVERSIBLE, can_attach, desk_for
from cchc.dossiers.forms import ReceiptForm
from cchc.dossiers.inputs import (
    attach,
    known_action,
    page_action_input,
    record_at_counter,
    run_action,
)
from cchc.dossiers.lookup import document_response, get_document_for, get_dossier_for
from cchc.dossiers.models import Dossier
from cchc.dossiers.receipt_sources import ReceiptSource, ticket_source
from cchc.dossiers.worklists import WORKLISTS, Filters, counts, page, worklist_rows
from cchc.lib.personal import InvalidPhone, mask_id_number, normalise_phone
from cchc.lib.text import by_name, collation_key
from cchc.lib.uploads import max_file_bytes
from cchc.units.choices import Role, UnitKind
from cchc.units.models import Unit, active_memberships, user_roles_in, visible_unit_ids
from cchc.worktime.snapshot import load_calendar

PAGE_SIZE = 50


def _worklist_units(user: Any) -> list[Unit]:
    """The units whose dossiers the user sees, for the unit filter and column: offered only to
    someone who sees more than one. Province first, then in Vietnamese alphabetical order."""
    units = Unit.objects.current().filter(
        id__in=visible_unit_ids(user),
        kind__in=UnitKind.administrative() | {UnitKind.DEPARTMENT},
    )
    return sorted(units, key=lambda u: (u.kind != UnitKind.PROVINCE, collation_key(u.name)))


def _may_receive(user: Any) -> bool:
    """Whether the counter's receipt form would serve this user (a reception role somewhere);
    read from the memberships already loaded for the scope, no query."""
    return bool(user.is_superuser) or any(
        m.role == Role.RECEPTION for m in active_memberships(user)
    )


def _tab_counts(
    user: Any, filters: Filters, several: bool, *, now: dt.datetime, calendar: Any
) -> dict[str, int]:
    """The tabs' counts. Exact for an officer of one unit, who acts on them; for someone who
    sees several units (a province's supervisor counts some 25,000 open dossiers on every page,
    about 30 ms at 10 million) kept per process for WORKLIST_COUNTS_CACHE_SECONDS: they watch
    rather than act, and the list itself is always read fresh."""
    seconds = settings.WORKLIST_COUNTS_CACHE_SECONDS
    if not several or seconds <= 0:
        return counts(user, filters, now=now, calendar=calendar)
    key = "worklist-counts:" + hashlib.sha256(f"{user.pk}|{filters!r}".encode()).hexdigest()
    found = caches["local"].get(key)
    if found is None:
        found = counts(user, filters, now=now, calendar=calendar)
        caches["local"].set(key, found, seconds)
    return found


@login_required
def worklist(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    key = request.GET.get("list", "open")
    if key not in WORKLISTS:
        key = "open"
    units = _worklist_units(request.user)
    several = len(units) > 1
    unit_code = request.GET.get("unit", "") if several else ""
    unit = next((u for u in units if u.code == unit_code), None)
    filters = Filters(
        field=request.GET.get("field", ""),
        procedure=request.GET.get("procedure", ""),
        channel=request.GET.get("channel", ""),
        q=request.GET.get("q", "")[:100],
        unit=unit.pk if unit else None,
    )
    now = timezone.now()
    current = WORKLISTS[key]
    calendar = load_calendar()  # once for the list, the tabs' counts and the badges
    rows = worklist_rows(request.user, key, filters, now=now, calendar=calendar)
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        name = f"ho-so-{key}-{timezone.localtime(now):%Y%m%d-%H%M}"
        if export == "csv":
            return exports.csv_response(rows, current, name)
        return exports.xlsx_response(rows, current, name, current.label)
    try:
        result = page(rows, current, cursor=request.GET.get("cursor") or None, size=PAGE_SIZE)
    except ValueError:
        result = page(rows, current, cursor=None, size=PAGE_SIZE)
    end_of_today = clock_end_of_day(now, 0, calendar)
    for d in result.rows:
        # A text badge beside the due moment, not colour alone (no query: columns of the row).
        setattr(d, "deadline_badge", exports.deadline_badge(d, now, end_of_today))  # noqa: B010
    query = {"list": key, "q": filters.q, "unit": unit.code if unit else ""}
    return render(
        request,
        "dossiers/worklist.html",
        {
            "worklists": WORKLISTS.values(),
            "current": current,
            "page": result,
            "filters": filters,
            "now": now,
            "counts": _tab_counts(request.user, filters, several, now=now, calendar=calendar),
            # Non-zero: the tabs' counts may be this many seconds old (see `_tab_counts`).
            "counts_kept_seconds": settings.WORKLIST_COUNTS_CACHE_SECONDS if several else 0,
            "units": units if several else [],
            "unit": unit,
            "query": urlencode({k: v for k, v in query.items() if v}),
            "tab_query": urlencode({k: v for k, v in query.items() if v and k != "list"}),
            "may_receive": _may_receive(request.user),
        },
    )


def _reception_units(user: Any) -> Any:
    ids = visible_unit_ids(user, roles={Role.RECEPTION})
    return Unit.objects.current().filter(id__in=ids).order_by("path")


def _receivable(units: Any) -> Any:
    """The procedures the officer's units carry out: the only ones offered at their counter."""
    return Procedure.objects.filter(
        adoptions__unit__in=units, adoptions__implemented=True
    ).distinct()


SEARCH_LIMIT = 10


def _search_hits(units: Any, q: str, field: Any = None) -> list[Procedure]:
    procedures = _receivable(units).select_related("field")
    if field is not None:
        procedures = procedures.filter(field=field)
    if not q.strip():
        # Nothing typed yet: the ticket's field lists its procedures (a field holds a few dozen).
        return list(procedures.order_by(by_name())[:50]) if field is not None else []
    return list(search_procedures(procedures, q[:100])[:SEARCH_LIMIT])


def _not_reception(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dossiers/not_allowed.html",
        {"message": _("Chỉ cán bộ tiếp nhận được dùng trang này.")},
        status=403,
    )


def _ticket_of(request: HttpRequest) -> ReceiptSource | None:
    return ticket_source(
        request.user, request.POST.get("ticket") or request.GET.get("ticket") or ""
    )


def _receipt_documents(form: ReceiptForm, request: HttpRequest) -> list[actions.ReceivedDocument]:
    c = form.cleaned_data
    assert form.version is not None
    return [
        actions.ReceivedDocument(
            position=d.position,
            originals=c.get(f"doc_{d.position}_originals") or 0,
            copies=c.get(f"doc_{d.position}_copies") or 0,
            files=request.FILES.getlist(f"doc_{d.position}_files"),
        )
        for d in form.version.documents.all()
        if c.get(f"doc_{d.position}")
    ]


@login_required
def receive(request: HttpRequest) -> HttpResponse:
    """The counter: choose the procedure (by name or code), check the applicant's documents,
    scan them, and record the outcome — receive (Mẫu 01), guide to complete (Mẫu 02) or refuse
    (Mẫu 03). Every change goes through `actions`; the files go in the receipt's transaction."""
    units = _reception_units(request.user)
    if not units.exists():
        return _not_reception(request)
    ticket = _ticket_of(request)
    done = None
    if request.method == "GET" and request.GET.get("done"):
        done = get_dossier_for(request.user, request.GET["done"])
    q = request.GET.get("q", "")[:100]
    data = request.POST if request.method == "POST" else None
    code = (request.POST.get("procedure") or request.GET.get("procedure") or "").strip()[:30]
    procedure = _receivable(units).filter(code=code).first() if code else None
    unknown_code = bool(code) and procedure is None
    version = procedure.version_at(timezone.localdate()) if procedure else None
    first = units.first()
    province = first.path.split("/")[1] if first else ""
    province_units = Unit.objects.current().filter(
        kind__in=UnitKind.commune_level(), path__startswith=f"/{province}/"
    )
    form_kwargs: dict[str, Any] = {
        "units": units,
        "province_units": province_units,
        "version": version,
    }
    initial = {"procedure": code, "unit": first}
    status = 200
    found_applicant = None
    lookup_error = ""
    if data is not None and "find_applicant" in data and version is not None:
        # Without JavaScript: "Tìm" posts what is typed so far; the page comes back with the
        # applicant of the latest earlier dossier filled in, nothing received yet.
        try:
            found_applicant = find_applicant(
                request.user,
                phone=data.get("applicant_phone", "")[:30],
                id_number=data.get("applicant_id_number", "")[:30],
            )
        except InvalidPhone as exc:
            lookup_error = str(exc)
        form = ReceiptForm(
            None, initial={**form_initial(data, version), **(found_applicant or {})}, **form_kwargs
        )
    else:
        form = ReceiptForm(
            data, request.FILES if data is not None else None, initial=initial, **form_kwargs
        )
        if data is not None and version is not None and form.is_valid():
            c = form.cleaned_data
            receipt = actions.Receipt(
                procedure_code=procedure.code if procedure else code,
                receiving_unit=c["unit"],
                processing_unit=c["processing_unit"] or c["unit"],
                applicant=actions.Applicant(
                    name=c["applicant_name"],
                    kind=c["applicant_kind"],
                    id_number=c["applicant_id_number"],
                    phone=c["applicant_phone"] or "",
                    email=c["applicant_email"],
                    address=c["applicant_address"],
                ),
                documents=_receipt_documents(form, request),
                channel=c["channel"],
                return_method=c["return_method"],
            )
            try:
                with transaction.atomic():
                    dossier = record_at_counter(receipt, c["decision"], by=request.user)
                    if ticket is not None:
                        ticket.link(dossier.code)
            except actions.DossierError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                # The receipt page again, saying so, with the form to print first (Mẫu 01/02/03).
                query = {"done": dossier.code, **({"ticket": ticket.pk} if ticket else {})}
                return redirect(f"{reverse('dossiers:receive')}?{urlencode(query)}")
        elif data is not None and version is None:
            form.add_error(
                "procedure",
                _("Chưa chọn thủ tục, hoặc thủ tục này không thực hiện tại đơn vị của ông/bà."),
            )
        if data is not None and form.errors and status == 200:
            status = form.too_large_status() or 422
    field = ticket.field if ticket is not None and not procedure else None
    return render(
        request,
        "dossiers/receive.html",
        {
            "form": form,
            "procedure": procedure,
            "version": version,
            "q": q,
            "hits": _search_hits(units, q, field) if (q or field) and not procedure else [],
            "searched": bool(q.strip()),
            "unknown_code": unknown_code,
            "ticket": ticket,
            "ticket_field": field,
            "done": done,
            "done_forms": _printable_forms(done) if done else [],
            "found_applicant": found_applicant,
            "searched_applicant": found_applicant is not None
            or (data is not None and "find_applicant" in data),
            "lookup_error": lookup_error,
            # A page sent back cannot keep the files chosen: say they must be chosen again.
            "files_dropped": bool(request.FILES) and status != 200,
            "max_file_mb": max_file_bytes() // (1024 * 1024),
        },
        status=status,
    )


def form_initial(data: Any, version: Any) -> dict[str, Any]:
    """What was typed, as a fresh form's initial values (a bound form would show errors)."""
    values: dict[str, Any] = {k: data.get(k) for k in data if not k.startswith("csrf")}
    for doc in version.documents.all():
        values[f"doc_{doc.position}"] = bool(data.get(f"doc_{doc.position}"))
    return values


LOOKUP_YEARS = 5


def find_applicant(user: Any, *, phone: str = "", id_number: str = "") -> dict[str, str] | None:
    """The applicant of the latest earlier dossier of the officer's units with this phone or
    identity number, as the receipt form's fields; None when there is none. Found by phone, the
    identity number is left for the officer to read off the card (only its last digits shown)."""
    ids = visible_unit_ids(user, roles={Role.RECEPTION})
    scoped = Dossier.objects.filter(Q(processing_unit_id__in=ids) | Q(receiving_unit_id__in=ids))
    number = "".join(id_number.split()).upper()[:20]
    by_id = bool(number)
    if by_id:
        # No index on the identity number: the search walks the officer's units' receipts of
        # the last LOOKUP_YEARS by (processing_unit, received_at), never a whole table.
        cutoff = timezone.now() - dt.timedelta(days=365 * LOOKUP_YEARS)
        dossier = (
            Dossier.objects.filter(
                processing_unit_id__in=ids, received_at__gte=cutoff, applicant_id_number=number
            )
            .order_by("-received_at")
            .first()
        )
    else:
        normalised = normalise_phone(phone)  # InvalidPhone for the caller to report
        if not normalised:
            return None
        dossier = scoped.filter(applicant_phone=normalised).order_by("-id").first()
    if dossier is None:
        return None
    found = {
        "applicant_kind": dossier.applicant_kind,
        "applicant_name": dossier.applicant_name,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "applicant_address": dossier.applicant_address,
        "applicant_id_number": dossier.applicant_id_number if by_id else "",
        "masked_id": mask_id_number(dossier.applicant_id_number),
        "from_dossier": dossier.code,
    }
    return found


@login_required
@require_GET
def procedure_search(request: HttpRequest) -> HttpResponse:
    """Search-as-you-type for the counter (receive.js): the procedures the officer's units carry
    out, by name without diacritics or by code, as a list of options. Another unit's code → 404."""
    units = _reception_units(request.user)
    if not units.exists():
        return _not_reception(request)
    unit_code = request.GET.get("unit", "")
    if unit_code:
        units = units.filter(code=unit_code[:30])
        if not units.exists():
            raise Http404(_("Không tìm thấy đơn vị"))
    field = None
    if request.GET.get("field"):
        field = Field.objects.filter(code=request.GET["field"][:50]).first()
    q = request.GET.get("q", "")[:100]
    return render(
        request,
        "dossiers/_procedure_hits.html",
        {
            "hits": _search_hits(units, q, field),
            "q": q,
            "searched": bool(q.strip()),
            "ticket": ticket if (ticket := request.GET.get("ticket", "")[:12]).isdigit() else "",
        },
    )


@login_required
@require_GET
def applicant_lookup(request: HttpRequest) -> JsonResponse:
    """The applicant of an earlier dossier of the officer's units, by phone or identity number,
    for receive.js to fill the form; never another unit's applicant."""
    if not visible_unit_ids(request.user, roles={Role.RECEPTION}):
        return JsonResponse({"error": _("Chỉ cán bộ tiếp nhận được dùng trang này.")}, status=403)
    try:
        found = find_applicant(
            request.user,
            phone=request.GET.get("phone", "")[:30],
            id_number=request.GET.get("id_number", "")[:30],
        )
    except InvalidPhone as exc:
        return JsonResponse({"found": False, "error": str(exc)}, status=422)
    if found is None:
        return JsonResponse(
            {"found": False, "message": _("Chưa có hồ sơ nào của người này tại đơn vị.")}
        )
    return JsonResponse(
        {
            "found": True,
            "applicant": found,
            "message": _("Đã điền thông tin từ hồ sơ %(code)s.") % {"code": found["from_dossier"]},
        }
    )


@login_required
def detail(request: HttpRequest, code: str, *, error: str = "", status: int = 200) -> HttpResponse:
    dossier = get_dossier_for(request.user, code)
    now = timezone.now()
    dossier_clock = clock_of(dossier, now)
    # The act the step expects first, the others behind "Thao tác khác" (desk.py).
    desk = desk_for(dossier, request.user)
    documents = list(dossier.documents.all())
    for document in documents:
        # Signer and validity of each signed PDF, shown beside it (signing.py; no query).
        setattr(document, "signatures", signing.document_signatures(document))  # noqa: B010
    return render(
        request,
        "dossiers/detail.html",
        {
            "dossier": dossier,
            "steps": dossier.steps.select_related("assignee", "given_by").order_by("position"),
            "documents": documents,
            "events": dossier.events.select_related("actor").order_by("at", "id"),
            "desk": desk,
            "primary_acts": [(a, desk.label(a)) for a in desk.primary],
            "other_acts": [(a, desk.label(a)) for a in desk.others],
            "can_attach": can_attach(dossier, request.user),
            "clock": dossier_clock,
            "payments": dossier.payments.all(),
            "payment_methods": PaymentMethod.choices,
            "error": error,
            "Action": Action,
            "Status": Status,
            "masked_id": mask_id_number(dossier.applicant_id_number),
            "printable": _printable_forms(dossier),
            "signed_forms": signing.signable_forms(dossier, request.user),
            "can_sign_results": signing.can_sign_results(dossier, request.user),
            "my_roles": user_roles_in(request.user, dossier.receiving_unit),
        },
        status=status,
    )


def _action_name(action: str) -> str:
    return str(Action(action).label) if action in Action.values else action


def _printable_forms(dossier: Any) -> list[tuple[str, str]]:
    """The forms that apply to this dossier now, as (number, title) for the print links."""
    forms = []
    if dossier.received_at:
        forms.append(("01", _("Giấy tiếp nhận, hẹn trả (Mẫu 01)")))
    if dossier.status == Status.INCOMPLETE or dossier.supplement_count:
        forms.append(("02", _("Phiếu yêu cầu bổ sung (Mẫu 02)")))
    if dossier.status == Status.REFUSED or dossier.end_type == "refused":
        forms.append(("03", _("Phiếu từ chối (Mẫu 03)")))
    if dossier.rescheduled_at:
        forms.append(("04", _("Phiếu xin lỗi, hẹn lại (Mẫu 04)")))
    if dossier.received_at:
        forms.append(("05", _("Phiếu kiểm soát (Mẫu 05)")))
    return forms


@login_required
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """One action, read by the API's reader (`inputs`): the page refuses what the API refuses,
    with the same sentence and status, shown above the dossier."""
    dossier = get_dossier_for(request.user, code)
    known_action(action)
    post = request.POST
    if action in IRREVERSIBLE and post.get("confirm") != "1":
        # The page asks before an act that cannot be undone; the server insists, so a form sent
        # without the box ticked (no JavaScript, an old tab) changes nothing.
        return detail(
            request,
            code,
            error=_("Hãy đánh dấu ô xác nhận trước khi thực hiện “%(action)s”: %(what)s")
            % {"action": _action_name(action), "what": IRREVERSIBLE[action]},
            status=422,
        )
    try:
        run_action(dossier, action, page_action_input(post), by=request.user)
    except actions.DossierError as exc:
        return detail(request, code, error=exc.message, status=exc.status_code)
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": Action(action).label})
    return redirect("dossiers:detail", code=code)


@login_required
@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    dossier = get_dossier_for(request.user, code)
    file = request.FILES.get("file")
    if file is None:
        return detail(request, code, error=_("Chưa chọn tệp."), status=422)
    try:
        position = int(request.POST["position"]) if request.POST.get("position") else None
        version = int(request.POST["version"]) if request.POST.get("version") else None
        attach(
            dossier,
            version=version,
            by=request.user,
            file=file,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", "submitted"),
            position=position,
            digitised=request.POST.get("digitised") == "1",
        )
    except ValueError:
        return detail(request, code, error=_("Dữ liệu gửi lên không hợp lệ."), status=422)
    except actions.DossierError as exc:
        return detail(request, code, error=exc.message, status=exc.status_code)
    messages.success(request, _("Đã thêm giấy tờ."))
    return redirect("dossiers:detail", code=code)


@login_required
def download(request: HttpRequest, code: str, document_id: int) -> FileResponse:
    return document_response(get_document_for(request.user, code, document_id))
