from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "cchc.notify"
    verbose_name = "Thông báo"
