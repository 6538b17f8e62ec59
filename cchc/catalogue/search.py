"""Procedure search over the folded `search_text`: tolerant of missing diacritics and word order."""

from __future__ import annotations

from django.db.models import Q

from cchc.catalogue.models import ProcedureQuerySet
from cchc.lib.text import words


def search_procedures(procedures: ProcedureQuerySet, q: str) -> ProcedureQuerySet:
    terms = words(q)
    if not terms:
        return procedures
    every_word = Q()
    for term in terms:
        every_word &= Q(search_text__contains=term)
    return procedures.filter(every_word)
