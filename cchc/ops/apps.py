from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health and metrics endpoints, request ids and JSON logs, the answer to a
    database outage, the supervised job worker and the process supervisor of `manage.py serve`."""

    name = "cchc.ops"
    label = "ops"
    verbose_name = "Vận hành"
