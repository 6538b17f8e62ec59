"""The refusals of the dossier actions: each maps to one HTTP status in the API and to a message on
the page. A refused action raises one of these, with its reason in Vietnamese, and changes nothing.
"""

from __future__ import annotations

from cchc.lib.errors import DomainError


class DossierError(DomainError):
    status_code = 409


class IllegalTransition(DossierError):
    status_code = 409


class StaleDossier(DossierError):
    status_code = 409


class InvalidDossierData(DossierError):
    status_code = 422


class NotAllowed(DossierError):
    status_code = 403


class FileTooLarge(InvalidDossierData):
    status_code = 413
