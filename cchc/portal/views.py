from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.catalogue.models import Field
from cchc.units.choices import UnitKind
from cchc.units.models import Unit


def home(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.current().filter(kind__in=UnitKind.commune_level()).order_by("name")
    return render(request, "portal/home.html", {"units": units, "fields": Field.objects.all()})
