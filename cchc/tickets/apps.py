from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "cchc.tickets"
    verbose_name = "Xếp hàng, lịch hẹn"
