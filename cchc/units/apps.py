from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "cchc.units"
    verbose_name = "Đơn vị hành chính"

    def ready(self) -> None:
        # Every SQLite connection learns the Vietnamese collation that text.by_name() orders by.
        from django.db.backends.signals import connection_created

        from cchc.lib.text import register_sqlite_collation

        connection_created.connect(register_sqlite_collation, dispatch_uid="cchc-vi-collation")
