from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "cchc.feedback"
    verbose_name = "Đánh giá và phản ánh, kiến nghị"

    def ready(self) -> None:
        from cchc.feedback.notices import rating_invitation
        from cchc.notify.choices import Kind
        from cchc.notify.registry import register_addendum

        # The "result returned" e-mail ends with the rating invitation; the dossiers, which
        # write that e-mail, come before feedback in the import order and cannot ask for it.
        register_addendum(Kind.RETURNED, rating_invitation)
