import pytest
from django.core.management import call_command

from complaintloop.tickets.models import TicketEvent


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_flush_clears_tickets_and_their_events(world):
    # given tickets with events (the flush at teardown of transactional tests, too)
    world.new_ticket()
    assert TicketEvent.objects.exists()
    # when the database is flushed
    call_command("flush", "--noinput", verbosity=0)
    # then everything is gone, the append-only guard notwithstanding
    assert not TicketEvent.objects.exists()
