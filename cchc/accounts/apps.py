from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cchc.accounts"
    verbose_name = "Tài khoản"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cchc.accounts import checks  # noqa: F401  (registers the system checks)
        from cchc.accounts.middleware import start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="cchc_idle_clock")
