from django.contrib import admin
from django.urls import include, path

from cchc.api import api

urlpatterns = [
    # The API first: it has a prefix, so other paths leave it after one comparison, while the
    # empty-prefix includes below are each searched to the end before the next is tried (a public
    # status lookup behind them spent about as long being routed as being answered).
    path("api/v1/", api.urls),
    path("", include("cchc.portal.urls")),
    path("", include("cchc.catalogue.urls")),
    path("", include("cchc.units.urls")),
    path("", include("cchc.dossiers.urls")),
    path("", include("cchc.feedback.urls")),
    path("", include("cchc.tickets.urls")),
    path("", include("cchc.records.urls")),
    path("", include("cchc.surveys.urls")),
    path("", include("cchc.reports.urls")),
    path("", include("cchc.reports.urls_dashboard")),
    path("", include("cchc.reports.urls_index")),
    path("", include("cchc.parindex.urls")),
    path("tai-khoan/", include("cchc.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    # /healthz and /metrics: probes, last so that they cost the citizens' pages nothing.
    path("", include("cchc.ops.urls")),
]

# A database that does not answer is an outage, not a bug: 503 with Retry-After (cchc/ops/views.py).
handler500 = "cchc.ops.views.server_error"
