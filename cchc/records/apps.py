from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "cchc.records"
    verbose_name = "Sổ văn bản, kế hoạch và minh chứng CCHC"
