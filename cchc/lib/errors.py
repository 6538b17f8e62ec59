"""The one base for refusals of a business action: a message for the person (in Vietnamese) and
the HTTP status the API answers with. Pages show the message; the API's handler sends both."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
