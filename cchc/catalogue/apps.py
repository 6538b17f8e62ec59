from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "cchc.catalogue"
    verbose_name = "Bộ thủ tục hành chính"
