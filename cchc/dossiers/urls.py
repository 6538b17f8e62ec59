from django.urls import path

from cchc.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("lam-viec/ho-so/", views.worklist, name="worklist"),
    path("lam-viec/ho-so/tiep-nhan/", views.receive, name="receive"),
    path("lam-viec/ho-so/<str:code>/", views.detail, name="detail"),
    path("lam-viec/ho-so/<str:code>/thao-tac/<str:action>/", views.act, name="act"),
    path("lam-viec/ho-so/<str:code>/giay-to/", views.upload, name="upload"),
    path("lam-viec/ho-so/<str:code>/giay-to/<int:document_id>/", views.download, name="download"),
]
