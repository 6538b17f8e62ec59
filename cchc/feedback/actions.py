"""The names feedback's two doors (`views.py`, `api.py`) call, re-exported from where they live:
ratings in `ratings.py`, PAKN in `pakn.py`, the refusals in `errors.py`.

Only those two doors read this module (their input handling is being reworked separately, so
their bodies keep saying `actions.…` for now); everything else imports the module that defines
a name, and that is also where a test must monkeypatch it.
"""

from __future__ import annotations

from cchc.feedback.errors import FeedbackError, IllegalMove, InvalidFeedback
from cchc.feedback.pakn import (
    addressable_units,
    allowed_actions,
    answer,
    classify,
    forward,
    new_code,
    publish,
    reject,
    submit_feedback,
)
from cchc.feedback.ratings import (
    dossier_id_from_rating_token,
    kiosk_expired_message,
    link_invalid_message,
    open_kiosk,
    rate_by_code,
    rate_dossier,
    read_kiosk_token,
)

__all__ = [
    "FeedbackError",
    "IllegalMove",
    "InvalidFeedback",
    "addressable_units",
    "allowed_actions",
    "answer",
    "classify",
    "dossier_id_from_rating_token",
    "forward",
    "kiosk_expired_message",
    "link_invalid_message",
    "new_code",
    "open_kiosk",
    "publish",
    "rate_by_code",
    "rate_dossier",
    "read_kiosk_token",
    "reject",
    "submit_feedback",
]
