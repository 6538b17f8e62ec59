"""The one way staff code reaches a questionnaire or a round: scoped to the user's units, or 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cchc.surveys.models import Questionnaire, SurveyRound
from cchc.units.models import active_memberships, visible_unit_ids


def visible_questionnaires(user: Any) -> QuerySet[Questionnaire]:
    """The questionnaires of the units the user sees, and of the units above theirs (a commune
    officer reads the province's questionnaire that their rounds use)."""
    ids = set(visible_unit_ids(user))
    for membership in active_memberships(user) if getattr(user, "is_authenticated", False) else []:
        ids.update(int(p) for p in membership.unit.path.strip("/").split("/") if p)
    return Questionnaire.objects.filter(unit_id__in=ids)


def get_questionnaire_for(user: Any, pk: int) -> Questionnaire:
    found = visible_questionnaires(user).select_related("unit").filter(pk=pk).first()
    if found is None:
        raise Http404("Không tìm thấy bộ câu hỏi")
    return found


def get_round_for(user: Any, pk: int) -> SurveyRound:
    found = (
        SurveyRound.objects.visible_to(user)
        .select_related("unit", "questionnaire")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("Không tìm thấy đợt khảo sát")
    return found
