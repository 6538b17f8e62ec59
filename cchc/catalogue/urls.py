from django.urls import path

from cchc.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("thu-tuc/", views.public_list, name="public_list"),
    path("thu-tuc/<str:code>/", views.procedure_page, name="procedure"),
    path("don-vi/<str:unit_code>/niem-yet/", views.public_listing, name="public_listing"),
    path("lam-viec/don-vi/<str:unit_code>/thu-tuc/", views.unit_catalogue, name="unit_catalogue"),
    path(
        "lam-viec/don-vi/<str:unit_code>/thu-tuc/<str:code>/",
        views.unit_adoption_update,
        name="unit_adoption_update",
    ),
]
