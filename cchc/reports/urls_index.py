from django.urls import path

from cchc.reports import views_index as views

# Its own namespace, like the dashboards': the service index and the TT 01/2018 indicators.
app_name = "service_index"
urlpatterns = [
    path("lam-viec/bao-cao/chi-so-phuc-vu/", views.index_page, name="page"),
    path("lam-viec/bao-cao/chi-so-phuc-vu/tai-ve.xlsx", views.index_download, name="xlsx"),
    path("lam-viec/bao-cao/chi-so-phuc-vu/xep-hang/", views.ranking_page, name="ranking"),
    path("lam-viec/bao-cao/chi-so-phuc-vu/mat-diem/", views.lost_page, name="lost"),
    path("lam-viec/bao-cao/danh-gia-tt01/", views.indicators_page, name="indicators"),
]
