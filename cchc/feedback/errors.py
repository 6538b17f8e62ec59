"""The refusals of feedback's two halves, ratings (`ratings.py`) and PAKN (`pakn.py`): the
API's one handler for `DomainError` answers them as JSON with their status, the pages show the
message. One family, so a door that offers both catches `FeedbackError` once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cchc.lib.errors import DomainError


class FeedbackError(DomainError):
    status_code = 409


class IllegalMove(FeedbackError):
    status_code = 409


class NotAllowed(FeedbackError):
    status_code = 403


class InvalidFeedback(FeedbackError):
    status_code = 422


class RatingRefused(FeedbackError):
    status_code = 403


class AlreadyRated(FeedbackError):
    status_code = 409


def action_time(at: dt.datetime | None) -> dt.datetime:
    """The moment an action happens: `at` (imports, tests) or now. Never naive: a naive moment
    would be read in the server's zone and move the deadlines counted from it."""
    moment = at or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("naive datetime")
    return moment
