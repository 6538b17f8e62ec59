"""What the two doors of a dossier action accept: one schema, one reader, one refusal.

The staff page and the API both turn what they received into `ActionIn` (the API's body, so the
OpenAPI file states every limit) and hand it to `run_action`, which reads it into the
`actions.ActionParams` that `actions.perform` takes, locks the dossier at the version the person
decided on, and performs the action, in one transaction. The same bad input is refused with the
same `DossierError` (same status, same sentence) whichever door it came through.

Only the notation differs, and `page_action_input` is where the page's is read:
- a list of missing documents is a textarea, one item a line ("name — reason"); the API sends a
  list of strings or `{name, reason}`;
- the new due moment (`new_due`) is typed as the office's wall clock, "14:30 25/11/2026" or
  "25/11/2026 14:30" (or an ISO form without an offset, from older pages), and is read in
  Asia/Ho_Chi_Minh: that is what the officer sees on the paper forms and the page says nothing
  else. An API client is a program and must say which moment it means: `new_due` without an
  offset is refused (422), never guessed;
- a ticked box is "1".

The counter's receipt has one reader too (`read_counter_outcome`, `record_at_counter`): receive
(Mẫu 01), guide to complete (Mẫu 02) or refuse (Mẫu 03) is decided in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, cast

from annotated_types import MaxLen
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict

from cchc.accounts.models import User
from cchc.dossiers import actions
from cchc.dossiers.choices import Action
from cchc.dossiers.desk import recipient_allowed
from cchc.dossiers.missing import MissingItem, clean_items
from cchc.dossiers.models import Dossier, DossierDocument, DossierPayment
from cchc.lib.forms import parse_datetime as parse_local_datetime
from cchc.lib.inputs import FreeText, IsoMoment, column, read_form, text, version_required

# Items of a list of missing documents live in the event's data, not a column: a line's worth.
ItemText = Annotated[str, text(500)]
# Lists are bounded too: a procedure has a few dozen documents, not thousands.
MAX_LIST_ITEMS = 100


class MissingItemIn(Schema):
    """One item to supplement with its reason (Mẫu 02); a plain string is an item without one."""

    name: ItemText
    reason: ItemText = ""


VERSION_HELP = (
    "Bắt buộc: `version` của hồ sơ như lần đọc gần nhất (GET /dossiers/{code}). Thao tác chỉ "
    "được thực hiện nếu hồ sơ chưa đổi từ đó (nếu đã đổi: 409), nên gửi lại cùng một yêu cầu "
    "không bao giờ thực hiện hai lần."
)


class ActionIn(Schema):
    # The input of every dossier action, from the API's body or the page's form (a comment, not
    # a docstring: the docstring would become the OpenAPI file's description).
    model_config = ConfigDict(json_schema_extra=version_required)

    version: Annotated[int, column(Dossier, "row_version")] | None = Field(
        None, description=VERSION_HELP
    )
    reason: FreeText = ""
    items: Annotated[list[ItemText | MissingItemIn], MaxLen(MAX_LIST_ITEMS)] = []
    to: Annotated[str, column(User, "username")] | None = None
    new_due: IsoMoment | None = None
    amount_vnd: Annotated[int, column(DossierPayment, "amount_vnd")] | None = None
    receipt_number: Annotated[str, column(DossierPayment, "receipt_number")] = ""
    # record_payment: how it was paid (cash at the counter, bank transfer, online platform, post).
    payment_method: Literal["cash", "bank_transfer", "online", "postal"] = "cash"
    method: Literal["counter", "postal", "online"] | None = None
    postal_tracking: Annotated[str, column(Dossier, "postal_tracking")] = ""
    digital: bool = False


def missing_items(items: Sequence[str | MissingItemIn]) -> list[str | MissingItem]:
    """The API's items as the actions take them: a string is an item without its reason."""
    return [i if isinstance(i, str) else MissingItem(i.name, i.reason) for i in items]


def known_action(action: str) -> str:
    """An action is a resource under the dossier: a name that is none is "not found" (404), told
    apart from a known action refused for this dossier (409/422/403)."""
    if action not in Action.values:
        raise Http404(_("Không có thao tác “%(action)s”.") % {"action": action[:40]})
    return action


def lines(text: str) -> list[str]:
    """A textarea's non-empty lines, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def page_action_input(post: Mapping[str, Any]) -> ActionIn:
    """The page's form in the page's notation (see the module's docstring), as `ActionIn`. A
    value the schema refuses (too long, not a number, not one of the choices) is refused here
    with 400 and the fields named, as the API's schema refuses it."""
    raw_due = str(post.get("new_due", "") or "")
    new_due = None
    if raw_due.strip():
        new_due = parse_local_datetime(raw_due)
        if new_due is None:
            raise actions.InvalidDossierData(
                _(
                    "Ngày giờ hẹn mới “%(value)s” không hợp lệ: hãy nhập giờ:phút "
                    "ngày/tháng/năm, ví dụ 14:30 25/11/2026."
                )
                % {"value": raw_due[:30]}
            )
    data: dict[str, Any] = {
        "version": post.get("version") or None,
        "reason": post.get("reason", ""),
        "items": [MissingItem.parse(line).as_data() for line in lines(post.get("items", ""))],
        "to": post.get("to") or None,
        "new_due": new_due,
        "amount_vnd": post.get("amount_vnd") or None,
        "receipt_number": post.get("receipt_number", ""),
        "payment_method": post.get("payment_method") or "cash",
        "method": post.get("method") or None,
        "postal_tracking": post.get("postal_tracking", ""),
        "digital": post.get("digital") == "1",
    }
    return read_form(ActionIn, data, actions.InvalidDossierData)


def read_action(dossier: Dossier, payload: ActionIn, *, by: Any) -> actions.ActionParams:
    """`ActionIn` as the action's parameters, or the refusal both doors give (422)."""
    to = None
    if payload.to:
        # Whom a hand-over may name: the people of the next step's role in the unit that does
        # it, never the officer themselves (the page's list, `desk.recipients`).
        to = recipient_allowed(dossier, payload.to, by)
        if to is None:
            raise actions.InvalidDossierData(
                _(
                    "Người nhận không thuộc vai trò của bước tiếp theo tại đơn vị (“%(to)s”): "
                    "hãy chọn một người trong danh sách."
                )
                % {"to": payload.to[:150]}
            )
    if payload.new_due is not None and timezone.is_naive(payload.new_due):
        raise actions.InvalidDossierData(
            _("new_due phải có múi giờ (ví dụ 2025-08-12T17:00:00+07:00).")
        )
    return actions.ActionParams(
        expected_version=payload.version,
        reason=payload.reason,
        items=missing_items(payload.items),
        to=to,
        new_due=payload.new_due,
        amount_vnd=payload.amount_vnd,
        receipt_number=payload.receipt_number,
        payment_method=payload.payment_method,
        method=payload.method,
        postal_tracking=payload.postal_tracking,
        digital=payload.digital,
    )


def lock_at_version(dossier: Dossier, version: int | None) -> None:
    """Inside the caller's transaction: lock the dossier and refuse unless it is still at
    `version`. Every action checks here, the note and an upload too (which the action layer
    lets through without a version), so 50 copies of one request apply once and the others
    get 409."""
    if version is None:
        raise actions.InvalidDossierData(
            _(
                "Thiếu version: gửi kèm version của hồ sơ %(code)s như lần đọc gần nhất, để một "
                "yêu cầu gửi lại không bị thực hiện hai lần."
            )
            % {"code": dossier.code}
        )
    current = (
        Dossier.objects.select_for_update()
        .filter(pk=dossier.pk)
        .values_list("row_version", flat=True)
        .get()
    )
    if current != version:
        raise actions.StaleDossier(
            _(
                "Hồ sơ %(code)s vừa được người khác cập nhật (version hiện tại %(current)s, yêu "
                "cầu gửi %(sent)s): thao tác không được thực hiện. Hãy tải lại hồ sơ rồi quyết "
                "định."
            )
            % {"code": dossier.code, "current": current, "sent": version}
        )


def run_action(dossier: Dossier, action: str, payload: ActionIn, *, by: Any) -> Dossier:
    """Both doors' one way to act: read, lock at the version, perform — all or nothing."""
    known_action(action)
    with transaction.atomic():
        # The version first: a request that lost the race is told the dossier moved (409), not
        # that its recipient no longer fits the step the winner moved to.
        lock_at_version(dossier, payload.version)
        params = read_action(dossier, payload, by=by)
        return actions.perform(dossier, action, by=by, params=params)


def attach(dossier: Dossier, *, version: int | None, by: Any, **document: Any) -> DossierDocument:
    """Both doors' upload: at the version read, like every action, so a retried upload is never
    stored twice; `document` is `actions.attach_document`'s (file, name, kind, position…)."""
    with transaction.atomic():
        lock_at_version(dossier, version)
        return actions.attach_document(dossier, by=by, **document)


# -- the counter's receipt ------------------------------------------------------------------------

Outcome = Literal["received", "incomplete", "refused"]


@dataclass(frozen=True)
class CounterOutcome:
    """What the officer decided at the counter, with what that decision needs."""

    outcome: Outcome
    missing: Sequence[str | MissingItem] = field(default_factory=list)
    reason: str = ""


# The input a refusal of each outcome is about, for the page's form.
OUTCOME_FIELDS = {"incomplete": "missing", "refused": "reason"}


def read_counter_outcome(
    outcome: str, *, missing: Sequence[str | MissingItem] = (), reason: str = ""
) -> CounterOutcome:
    """The counter's decision, or the refusal both doors give: guiding to complete needs the
    full list of what is missing, a refusal its reason (422, the actions' own sentences)."""
    if outcome not in ("received", "incomplete", "refused"):
        raise actions.InvalidDossierData(
            _("Kết quả kiểm tra hồ sơ phải là received, incomplete hoặc refused.")
        )
    decision = CounterOutcome(cast(Outcome, outcome), list(missing), reason)
    if outcome == "incomplete" and not clean_items(decision.missing):
        raise actions.InvalidDossierData(_("Phải ghi đầy đủ, một lần các nội dung cần bổ sung."))
    if outcome == "refused" and not reason.strip():
        raise actions.InvalidDossierData(_("Phải ghi rõ lý do từ chối tiếp nhận."))
    return decision


def record_at_counter(receipt: actions.Receipt, decision: CounterOutcome, *, by: Any) -> Dossier:
    """The action the counter's decision calls: Mẫu 01, 02 or 03."""
    if decision.outcome == "incomplete":
        return actions.turn_away_incomplete(receipt, missing=decision.missing, by=by)
    if decision.outcome == "refused":
        return actions.refuse_at_counter(receipt, reason=decision.reason, by=by)
    return actions.receive_dossier(receipt, by=by)
