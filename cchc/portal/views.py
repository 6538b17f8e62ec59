from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.catalogue.models import Field
from cchc.units.choices import UnitKind
from cchc.units.models import Unit


def home(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.current().filter(kind__in=UnitKind.commune_level()).order_by("name")
    return render(request, "portal/home.html", {"units": units, "fields": Field.objects.all()})


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Shown when a visitor sends too many requests (lookups, submissions, codes, feedback)."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse(
            {"detail": "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau ít phút."}, status=429
        )
    return render(request, "portal/rate_limited.html", status=429)
