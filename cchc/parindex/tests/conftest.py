"""PAR Index tests: the shared world (province 38, communes A and B) with the shipped commune
set loaded, an assessment of commune A opened by the province's appraiser (pat), and the browser
tests' page at a given size."""

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


@pytest.fixture
def sized_page(browser: Any, live_server: Any, settings: Any, tmp_path: Any, request: Any):
    """A signed-out Chromium page on the live server at the size `request.param` (width,
    height), parametrised indirectly by the browser tests: a desk, a phone."""
    settings.MEDIA_ROOT = tmp_path
    settings.RATELIMIT_ENABLE = False
    settings.TWO_FACTOR_ROLES = []
    settings.TWO_FACTOR_MULTI_COMMUNE_ROLES = []
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()
