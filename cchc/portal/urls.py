from django.urls import path

from cchc.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tra-cuu/", views.track, name="track"),
    path("tra-cuu/<str:code>/", views.track_dossier, name="track_dossier"),
    path("tra-cuu/<str:code>/bo-sung/", views.complete, name="complete"),
    path("cong-dan/dang-nhap/", views.citizen_login, name="citizen_login"),
    path("cong-dan/xac-thuc/", views.citizen_verify, name="citizen_verify"),
    path("cong-dan/dinh-danh/", views.citizen_identity_start, name="citizen_identity_start"),
    path("cong-dan/dinh-danh/ve/", views.citizen_identity_return, name="citizen_identity_return"),
    path("cong-dan/dang-xuat/", views.citizen_logout, name="citizen_logout"),
    path("cong-dan/", views.citizen_home, name="citizen_home"),
    path("nop-truc-tuyen/<str:code>/", views.submit_start, name="submit_start"),
    path("nop-truc-tuyen/ho-so/<str:token>/", views.draft_page, name="draft"),
]
