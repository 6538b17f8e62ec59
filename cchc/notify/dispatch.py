"""What the dossier workflow tells citizens and officers. Called inside the action's transaction
so that a rolled-back action sends nothing and a committed one is never lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cchc.dossiers.models import DossierEvent


def on_dossier_event(event: DossierEvent) -> None:
    """Queue the messages an event calls for (none yet: the notify app fills this in)."""
