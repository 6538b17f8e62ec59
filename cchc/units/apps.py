from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "cchc.units"
    verbose_name = "Đơn vị hành chính"
