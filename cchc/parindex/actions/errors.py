"""The PAR Index's refusals: the API's one handler for DomainError answers them as JSON."""

from __future__ import annotations

from cchc.lib.errors import DomainError


class ParIndexError(DomainError):
    status_code = 409


class IllegalMove(ParIndexError):
    status_code = 409


class NotAllowed(ParIndexError):
    status_code = 403


class InvalidScore(ParIndexError):
    status_code = 422


class FileTooLarge(InvalidScore):
    """An evidence file over the upload limit (cchc.lib.uploads.max_file_bytes): 413 through
    both doors, the criterion named."""

    status_code = 413


class DuplicateEvidence(ParIndexError):
    """The same file, reference or register document already stands as evidence for the
    criterion: a form sent twice, or an upload retried after a lost answer, stores it once."""

    status_code = 409
