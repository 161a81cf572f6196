"""The trace is append-only: neither the ORM nor raw SQL may change or remove an event."""

import pytest
from django.db import DatabaseError, connection, transaction

from complaintloop.tickets.models import TicketEvent


def test_model_refuses_to_update_an_event(world):
    # given a ticket with its creation event
    event = world.new_ticket().events.get(seq=1)
    # when the event is edited and saved
    event.comment = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    # then the stored event is unchanged
    assert TicketEvent.objects.get(pk=event.pk).comment == ""


def test_model_refuses_to_delete_an_event(world):
    event = world.new_ticket().events.get(seq=1)
    with pytest.raises(PermissionError):
        event.delete()
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_database_refuses_raw_update(world):
    # given
    event = world.new_ticket().events.get(seq=1)
    # when an UPDATE bypasses the ORM
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_ticketevent SET comment = %s WHERE id = %s", ["篡改", event.pk]
        )
    # then the trigger aborted it
    assert TicketEvent.objects.get(pk=event.pk).comment == ""


def test_database_refuses_raw_delete(world):
    event = world.new_ticket().events.get(seq=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tickets_ticketevent WHERE id = %s", [event.pk])
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_queryset_bulk_update_and_delete_are_refused_too(world):
    # QuerySet.update()/delete() skip the model methods; only the trigger stops them.
    ticket = world.new_ticket()
    with pytest.raises(DatabaseError), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).update(comment="篡改")
    with pytest.raises(DatabaseError), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).delete()
    assert list(ticket.events.values_list("seq", "comment")) == [(1, "")]
