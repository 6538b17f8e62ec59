from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "cchc.surveys"
    verbose_name = "Khảo sát sự hài lòng (SIPAS)"

    def ready(self) -> None:
        from cchc.notify.registry import register_morning_job
        from cchc.surveys.actions import send_due_invitations

        # Invitations drawn during the day go out with the morning run, not at night: the
        # outbox knows nothing of surveys, so the surveys register with it.
        register_morning_job(send_due_invitations)
