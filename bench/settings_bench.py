"""Settings for the benchmarks: the platform's settings, plus one bare JSON endpoint.

`DJANGO_SETTINGS_MODULE=bench.settings_bench` serves everything `cchc.urls` serves, plus
`/bench/ok/`, a `JsonResponse({"ok": True})` behind the same middleware: the baseline the
benchmarks divide by, measured in the same run, served the same way.

This module is also the URLconf (`ROOT_URLCONF` points here): `urlpatterns` is built on first
access, once the apps are ready, so importing the settings does not import any view.
"""

from __future__ import annotations

from typing import Any

from cchc.settings import *  # noqa: F403

ROOT_URLCONF = "bench.settings_bench"

# Pages render without `collectstatic` having run (as in the tests): the manifest storage would
# refuse `{% static %}` for a file it has not hashed. Only the URL of the style sheet changes.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _urlpatterns() -> list[Any]:
    from django.http import HttpRequest, JsonResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def ok(request: HttpRequest) -> JsonResponse:
        # Reads the body like a real endpoint would, then answers the smallest JSON.
        request.body  # noqa: B018
        return JsonResponse({"ok": True})

    return [path("bench/ok/", ok, name="bench-ok"), path("", include("cchc.urls"))]


def __getattr__(name: str) -> Any:
    if name == "urlpatterns":
        patterns = _urlpatterns()
        globals()["urlpatterns"] = patterns
        return patterns
    raise AttributeError(name)
