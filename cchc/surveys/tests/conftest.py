"""Survey tests reuse the world of `cchc/conftest.py` (province 38, commune A with its one-stop
centre, commune B next door). The example questionnaire below is the one docs/surveys.md
computes by hand."""

from __future__ import annotations

import pytest

from cchc.accounts.models import User
from cchc.surveys import actions
from cchc.surveys.models import Questionnaire, SurveyRound
from cchc.surveys.tests.support import example_doc, new_round
from cchc.testing import World, at, make_user
from cchc.units.choices import Role


@pytest.fixture
def prov(world: World) -> User:
    """TTHC-control officer of the province: issues the questionnaire."""
    return make_user("thao", world.province, Role.TTHC_CONTROL)


@pytest.fixture
def questionnaire(prov: User, world: World) -> Questionnaire:
    q = actions.import_questionnaire(
        example_doc(), unit=world.province, by=prov, at=at("2025-07-01")
    )
    return actions.activate_questionnaire(q, by=prov, at=at("2025-07-01"))


@pytest.fixture
def survey(questionnaire: Questionnaire, carol: User, world: World) -> SurveyRound:
    """Commune A's round over August 2025, open since 01/09/2025."""
    created = new_round(questionnaire, carol, world.commune_a)
    return actions.open_round(created, by=carol, at=at("2025-09-01", 8, 5))
