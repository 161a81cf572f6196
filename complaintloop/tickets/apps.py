from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "complaintloop.tickets"
    label = "tickets"

    def ready(self) -> None:
        from django.db.models import Exists, OuterRef, Q

        from complaintloop.customers.models import extend_scope

        from .models import Ticket

        def has_visible_ticket(actor) -> Q:
            return Q(Exists(Ticket.objects.visible_to(actor).filter(customer=OuterRef("pk"))))

        extend_scope(has_visible_ticket)
