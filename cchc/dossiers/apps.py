from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "cchc.dossiers"
    verbose_name = "Hồ sơ một cửa"

    def ready(self) -> None:
        from cchc.dossiers.recompute import recompute_due_dates
        from cchc.dossiers.reminders import remind_officers
        from cchc.notify.registry import register_morning_job
        from cchc.worktime.actions import register_recompute

        register_recompute(recompute_due_dates)
        # The outbox's morning run reminds officers of what falls due (notify imports no domain).
        register_morning_job(remind_officers)
