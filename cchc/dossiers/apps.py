from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "cchc.dossiers"
    verbose_name = "Hồ sơ một cửa"

    def ready(self) -> None:
        from cchc.dossiers.recompute import recompute_due_dates
        from cchc.worktime.actions import register_recompute

        register_recompute(recompute_due_dates)
