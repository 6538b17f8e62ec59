from django.urls import path

from cchc.tickets import views

app_name = "tickets"
urlpatterns = [
    # By the ticket's random token; a number is the old staff-only address by id.
    path("xep-hang/ve/<str:token>/in/", views.ticket_print, name="print"),
    path("xep-hang/ve/<str:token>/", views.ticket_status, name="status"),
    path("xep-hang/<str:unit_code>/", views.kiosk, name="kiosk"),
    path("man-hinh/<str:unit_code>/", views.board, name="board"),
    path(
        "man-hinh/<str:unit_code>/quay/<int:number>/",
        views.counter_display,
        name="counter_display",
    ),
    path("dat-lich/lich-hen/<str:code>/", views.appointment, name="appointment"),
    path("dat-lich/<str:unit_code>/", views.book, name="book"),
    path("lam-viec/quay/", views.counter_list, name="counters"),
    path("lam-viec/quay/<int:counter_id>/", views.counter_page, name="counter"),
    path("lam-viec/quay/<int:counter_id>/cho/", views.counter_waiting, name="counter_waiting"),
    path("lam-viec/quay/<int:counter_id>/<str:action>/", views.counter_act, name="counter_act"),
]
