from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    name = "cchc.worktime"
    verbose_name = "Lịch làm việc"
