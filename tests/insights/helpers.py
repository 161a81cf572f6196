"""Tickets placed in the past quickly: copies of one ticket made through the service."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from complaintloop.tickets.models import Ticket


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def clone(template: Ticket, when: datetime, n: int = 1, **fields) -> list[Ticket]:
    """``n`` copies of ``template`` created at ``when`` (other columns overridable)."""
    base = {
        f.attname: getattr(template, f.attname)
        for f in Ticket._meta.concrete_fields
        if f.attname not in ("id", "number", "idempotency_key", "created_at", "updated_at")
    }
    start = Ticket.objects.count()
    rows = [
        Ticket(
            **{**base, **fields},
            number=f"TT{start + i:010d}",
            created_at=when + timedelta(seconds=i),
            updated_at=when,
        )
        for i in range(n)
    ]
    return Ticket.objects.bulk_create(rows)


def move(ticket: Ticket, when: datetime) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(created_at=when)
    ticket.refresh_from_db()
    return ticket
