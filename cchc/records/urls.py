from django.urls import path

from cchc.records import views

app_name = "records"
urlpatterns = [
    path("lam-viec/van-ban/", views.register, name="register"),
    path("lam-viec/van-ban/them/", views.add, name="add"),
    path("lam-viec/van-ban/sang-kien/", views.initiatives, name="initiatives"),
    path("lam-viec/van-ban/tuyen-truyen/", views.activities, name="activities"),
    path("lam-viec/van-ban/<int:pk>/", views.document, name="document"),
    path("lam-viec/van-ban/<int:pk>/sua/", views.edit, name="edit"),
    path("lam-viec/van-ban/<int:pk>/tep/", views.download, name="download"),
    path("lam-viec/van-ban/<int:pk>/dinh-kem/", views.attach, name="attach"),
    path("lam-viec/van-ban/<int:pk>/lap-ke-hoach/", views.create_plan, name="create_plan"),
    path("lam-viec/ke-hoach/<int:pk>/", views.plan, name="plan"),
    path("lam-viec/ke-hoach/<int:pk>/them-nhiem-vu/", views.add_task, name="add_task"),
    path("lam-viec/ke-hoach/<int:pk>/cap-nhat/", views.update_task, name="update_task"),
]
