from django.urls import path

from cchc.units import views

app_name = "units"
urlpatterns = [
    path("lam-viec/", views.workspace, name="workspace"),
    path("lam-viec/don-vi/<str:unit_code>/", views.unit_detail, name="unit_detail"),
]
