from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "cchc.tickets"
    verbose_name = "Xếp hàng, lịch hẹn"

    def ready(self) -> None:
        # A counter receipt opened from a called ticket (dossiers sits below the queue).
        from cchc.dossiers.receipt_sources import register_ticket_resolver
        from cchc.tickets.lookup import receipt_source

        register_ticket_resolver(receipt_source)
