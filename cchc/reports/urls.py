from django.urls import path

from cchc.reports import views

app_name = "reports"
urlpatterns = [
    path("lam-viec/bao-cao/ket-qua-giai-quyet/", views.resolution_page, name="resolution"),
    path(
        "lam-viec/bao-cao/ket-qua-giai-quyet/bieu-06.xlsx",
        views.resolution_download,
        name="resolution_xlsx",
    ),
]
