"""`manage.py load_par_demo` after `load_demo`: the 2022 assessment with its lost points and the
2025 one in progress; a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command

from cchc.parindex.choices import Status
from cchc.parindex.models import Assessment, Evidence
from cchc.parindex.results import lost_points, progress


def test_the_demo_holds_an_assessment_in_progress_and_one_with_lost_points(
    db: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_demo", verbosity=0)
    call_command("load_par_demo")
    call_command("load_par_demo")
    past = Assessment.objects.get(unit__code="16300", year=2022)
    assert past.status == Status.EXPLAINING
    assert sum(len(g.rows) for g in lost_points(past)) == 21
    current = Assessment.objects.get(unit__code="16300", year=2025)
    assert current.status == Status.SELF_ASSESSING
    done = progress(current)
    assert (done.self_scored, done.with_evidence, done.to_score) == (
        11,
        2,
        42,
    )  # fields 1 and 2: 7 + 4 criteria
    assert Evidence.objects.count() == 3
