from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "cchc.feedback"
    verbose_name = "Đánh giá và phản ánh, kiến nghị"
