"""SIPAS refusals: the API's one handler for DomainError answers them with their status."""

from __future__ import annotations

from cchc.lib.errors import DomainError


class SurveyError(DomainError):
    status_code = 409


class InvalidSurvey(SurveyError):
    status_code = 422


class NotAllowed(SurveyError):
    status_code = 403


class IllegalMove(SurveyError):
    status_code = 409


class QuestionnaireInUse(SurveyError):
    status_code = 409


class AlreadyAnswered(SurveyError):
    status_code = 409


class RoundNotOpen(SurveyError):
    status_code = 409


class UnknownInvitation(SurveyError):
    status_code = 404


class KioskExpired(SurveyError):
    status_code = 403
