"""The one base for refusals of a business action: a message for the person (in Vietnamese) and
the HTTP status the API answers with. Pages show the message; the API's handler sends both.

Every app's refusals derive from `DomainError` (dossiers, PAKN, the queue, reports, the calendar,
the portal, the catalogue), so that one handler answers them all with the status each declares.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal. `status_code` is the class's status; an instance may carry another one (e.g.
    a refusal wrapped by another app keeps the status of the one it wraps). `field` names the
    input at fault, for a form or for the API's per-field answer."""

    status_code = 409

    def __init__(self, message: Any, *, status_code: int | None = None, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code

    @property
    def detail(self) -> str | dict[str, list[str]]:
        """The API's `detail`: the sentence, or `{field: [sentence]}` when a field is at fault,
        the shape Django's per-field ValidationError has always been answered with."""
        if self.field:
            return {self.field: [str(self.message)]}
        return str(self.message)


class DomainErrorMiddleware:
    """The pages' half of the one handler (the API's is `cchc.api.action_refused`): a refusal a
    view did not catch is answered with its message and its status on the site's page, not a
    500. Views that show the refusal beside the form they redisplay still catch it themselves."""

    def __init__(self, get_response: Any):
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)

    def process_exception(self, request: Any, exception: Exception) -> Any:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        from django.shortcuts import render

        return render(
            request,
            "refused.html",
            {"message": exception.message},
            status=exception.status_code,
        )
