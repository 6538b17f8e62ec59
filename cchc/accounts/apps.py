from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cchc.accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from cchc.accounts import checks  # noqa: F401  (registers the system checks)
