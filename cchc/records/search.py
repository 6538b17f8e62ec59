"""Searching the register: by number and symbol (typing "20/KH" finds 20/KH-UBND), by words of
the title with or without diacritics (folded like the catalogue's and the dossiers' search), by
type, date range and signed or not. Always within the user's units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from cchc.lib.text import words
from cchc.records.models import OfficialDocument, OfficialDocumentQuerySet, signed_q
from cchc.records.numbering import search_key

MAX_WORDS = 8


@dataclass(frozen=True)
class DocumentSearch:
    q: str = ""
    type: str = ""  # DocumentType.key
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    signed: bool | None = None
    unit_id: int | None = None
    year: int | None = None


def text_q(text: str) -> Q:
    """The rows a search box's text finds: a number and symbol by its start, else every word
    of the text in the folded title, number and signer."""
    key = search_key(text)
    if key:
        return Q(reference_key__startswith=key)
    terms = words(text)[:MAX_WORDS]
    if not terms:
        return Q()
    if len(terms) == 1 and terms[0].isdigit():
        # A bare number: that document number, or the number inside a title ("kế hoạch 20").
        return Q(number=int(terms[0][:9])) | Q(search_text__contains=terms[0])
    found = Q()
    for term in terms:
        found &= Q(search_text__contains=term)
    return found


def search_documents(user: Any, search: DocumentSearch) -> OfficialDocumentQuerySet:
    """The documents of the user's units matching `search`, newest first."""
    qs = OfficialDocument.objects.visible_to(user).select_related("unit", "type")
    if search.q.strip():
        qs = qs.filter(text_q(search.q))
    if search.type:
        qs = qs.filter(type__key=search.type)
    if search.date_from:
        qs = qs.filter(issued_on__gte=search.date_from)
    if search.date_to:
        qs = qs.filter(issued_on__lte=search.date_to)
    if search.signed is not None:
        qs = qs.filter(signed_q()) if search.signed else qs.exclude(signed_q())
    if search.unit_id is not None:
        qs = qs.filter(unit_id=search.unit_id)
    if search.year is not None:
        qs = qs.filter(year=search.year)
    return qs.order_by("-issued_on", "-number", "-id")
