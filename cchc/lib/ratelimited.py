"""The answer to a request a rate limit blocked (django-ratelimit's RATELIMIT_VIEW): 429 with what
to do, as JSON on the API and as a page elsewhere. In lib because every door uses it (the portal's
lookups and submissions, the queue's kiosk, feedback)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Shown when a visitor sends too many requests (lookups, submissions, codes, feedback)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."}, status=429
        )
    return render(request, "portal/rate_limited.html", status=429)
