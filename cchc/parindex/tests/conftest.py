"""PAR Index tests: the shared world (province 38, communes A and B) with the shipped commune
set loaded, and an assessment of commune A opened by the province's appraiser (pat)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cchc.accounts.models import User
from cchc.parindex import actions
from cchc.parindex.criteria import load_shipped, save_set
from cchc.parindex.models import Assessment, CriteriaSet
from cchc.testing import World, at


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def commune_set(db: Any) -> CriteriaSet:
    """PAR.md's reconstructed commune set: 7 fields, 70 appraisal + 30 survey."""
    return save_set(load_shipped("par-xa-2025.json"))


@pytest.fixture
def assessment(world: World, commune_set: CriteriaSet, pat: User) -> Assessment:
    return actions.open_assessment(
        world.commune_a,
        commune_set,
        by=pat,
        self_assessment_due=dt.date(2025, 11, 15),
        appraisal_due=dt.date(2025, 12, 20),
        at=at("2025-10-01"),
    )
