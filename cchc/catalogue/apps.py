from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "cchc.catalogue"
    verbose_name = "Bộ thủ tục hành chính"

    def ready(self) -> None:
        # Connects the signals that keep every process's search index fresh, also in processes
        # (imports, workers) that never load the URLs.
        from cchc.catalogue import search  # noqa: F401
