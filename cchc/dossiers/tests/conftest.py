"""The dossier fixtures live in `cchc/conftest.py` so every app's tests can use them; the helpers
are re-exported here for the modules that import them from this place."""

from cchc.conftest import TZ, at, receipt_for

__all__ = ["TZ", "at", "receipt_for"]
