"""Real parallel transactions (threads with their own connections) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from cchc.dossiers import actions
from cchc.dossiers.actions import DossierError, receive_dossier
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.testing import World, at, receipt_for, run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_leaders_approving_at_once_exactly_one_succeeds(received: Dossier, leader) -> None:
    results = run_together(
        [
            lambda: actions.resolve(received, by=leader, expected_version=1, at=at("2025-08-05"))
            for _ in range(2)
        ]
    )
    successes = [r for r in results if isinstance(r, Dossier)]
    failures = [r for r in results if isinstance(r, DossierError)]
    assert len(successes) == 1 and len(failures) == 1, results
    received.refresh_from_db()
    assert received.status == "resolved" and received.row_version == 2
    assert DossierEvent.objects.filter(dossier=received, action="resolve").count() == 1


def test_concurrent_receipts_never_share_a_code(world: World, reception, copy_implemented) -> None:
    n = 6
    results = run_together(
        [
            lambda: receive_dossier(receipt_for(world), by=reception, at=at("2025-08-04"))
            for _ in range(n)
        ]
    )
    assert all(isinstance(r, Dossier) for r in results), results
    codes = sorted(r.code for r in results)
    assert codes == [f"000.30.10.H56-250804-{i:04d}" for i in range(1, n + 1)]
