from django.urls import path

from cchc.reports import views_dashboard as views

# Its own namespace: the reports app's other pages (the Biểu 06 screen) have theirs.
app_name = "dashboards"
urlpatterns = [
    path("lam-viec/tong-quan/", views.dashboard, name="home"),
    path("lam-viec/tong-quan/<str:unit_code>/", views.dashboard, name="unit"),
    path("don-vi/<str:unit_code>/ket-qua-giai-quyet/", views.public_results, name="public"),
]
urlpatterns += [
    path("lam-viec/tong-quan-bao-cao/", views.report_form, name="export"),
    path("lam-viec/tong-quan-bao-cao/<uuid:job_id>/", views.export_status, name="export_status"),
    path(
        "lam-viec/tong-quan-bao-cao/<uuid:job_id>/tai-ve/",
        views.export_download,
        name="export_download",
    ),
]
