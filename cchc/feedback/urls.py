from django.urls import path

from cchc.feedback import views

app_name = "feedback"
urlpatterns = [
    # Public: PAKN
    path("phan-anh/", views.feedback_form, name="form"),
    path("phan-anh/da-gui/", views.submitted, name="submitted"),
    path("phan-anh/tra-cuu/", views.status_lookup, name="status_lookup"),
    path("phan-anh/tra-cuu/<str:code>/", views.status, name="status"),
    path("phan-anh/cong-khai/", views.public_list, name="public_list"),
    # Public: ratings
    path("danh-gia/", views.rate_by_code, name="rate"),
    path("danh-gia/da-ghi-nhan/", views.rated, name="rated"),
    path("danh-gia/quay/<str:token>/", views.rate_kiosk, name="rate_kiosk"),
    path("danh-gia/<str:token>/", views.rate_link, name="rate_link"),
    # Staff
    path("lam-viec/phan-anh/", views.worklist, name="worklist"),
    path("lam-viec/phan-anh/<str:code>/", views.detail, name="staff_detail"),
    path("lam-viec/phan-anh/<str:code>/thao-tac/<str:action>/", views.act, name="act"),
    path(
        "lam-viec/phan-anh/<str:code>/tep/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("lam-viec/ho-so/<str:code>/danh-gia-tai-quay/", views.start_kiosk, name="start_kiosk"),
]
