"""The transactional outbox: written with the state change, delivered once per consumer."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintloop.core import outbox
from complaintloop.core.errors import Conflict
from complaintloop.core.models import Outbox
from complaintloop.notify.models import Notification, SmsMessage
from complaintloop.tickets import services
from complaintloop.tickets.models import Ticket

SH = ZoneInfo("Asia/Shanghai")
TOPIC = "test.flaky"


def ticket_rows(number: str):
    return Outbox.objects.filter(topic="ticket.event", payload__ticket=number)


def test_creating_a_ticket_writes_one_outbox_row(world):
    # when a complaint is taken
    ticket = world.new_ticket()
    # then its CREATED event has an undelivered outbox row
    row = ticket_rows(ticket.number).get()
    assert row.payload["kind"] == "created"
    assert row.payload["event_id"] == ticket.events.get(seq=1).pk
    assert row.delivered_at is None and row.attempts == 0


def test_outbox_row_shares_the_transaction_of_the_change(world, monkeypatch):
    # given emit works but the operation fails right after it
    real_emit = outbox.emit

    def emit_then_fail(topic, payload):
        real_emit(topic, payload)
        raise RuntimeError("boom after emit")

    monkeypatch.setattr(outbox, "emit", emit_then_fail)
    before = Outbox.objects.count()
    # when a ticket is created
    with pytest.raises(RuntimeError):
        world.new_ticket()
    # then neither the ticket nor its outbox row survive
    assert Ticket.objects.count() == 0
    assert Outbox.objects.count() == before


def test_failed_operation_leaves_no_outbox_row(world):
    ticket = world.new_ticket()
    before = Outbox.objects.count()
    # when an illegal transition is attempted (replying before accepting)
    with pytest.raises(Conflict):
        services.reply(ticket.number, actor=world.handler_nj, comment="已处理")
    # then no event and no outbox row were written
    assert Outbox.objects.count() == before
    assert ticket.events.count() == 1


def test_drain_sends_sms_and_notifies_the_owning_unit(world):
    # given a new complaint of 王先生, routed to 南京网管中心
    ticket = world.new_ticket()
    row = ticket_rows(ticket.number).get()
    # when the outbox is drained
    assert outbox.drain() >= 1
    # then the row is delivered, the customer got the intake SMS and the unit's staff
    # a notification
    row.refresh_from_db()
    assert row.delivered_at is not None and row.attempts == 1
    sms = SmsMessage.objects.get(outbox_id=row.pk)
    assert sms.phone == "13800001111"
    assert ticket.number in sms.text
    notes = Notification.objects.filter(outbox_id=row.pk)
    assert [n.recipient_id for n in notes] == [world.handler_nj.pk]
    assert notes[0].ticket_number == ticket.number
    # a second drain has nothing left to do
    assert outbox.drain() == 0


def test_redelivery_creates_no_duplicates(world):
    ticket = world.new_ticket()
    row = ticket_rows(ticket.number).get()
    assert outbox.deliver(row.pk) is True
    # already delivered: the claim fails and nothing runs
    assert outbox.deliver(row.pk) is False
    # when a worker died after the consumers ran but before marking it delivered
    Outbox.objects.filter(pk=row.pk).update(delivered_at=None, claimed_at=None)
    assert outbox.deliver(row.pk) is True
    # then the consumers dedupe on the outbox id
    assert SmsMessage.objects.filter(outbox_id=row.pk).count() == 1
    assert Notification.objects.filter(outbox_id=row.pk).count() == 1
    row.refresh_from_db()
    assert row.attempts == 2


def test_a_live_claim_is_not_taken_twice(world):
    ticket = world.new_ticket()
    row = ticket_rows(ticket.number).get()
    # given another worker claimed the row a minute ago
    Outbox.objects.filter(pk=row.pk).update(claimed_at=row.created_at)
    assert outbox.deliver(row.pk) is False
    assert not SmsMessage.objects.filter(outbox_id=row.pk).exists()


@pytest.fixture
def flaky_consumer():
    calls: list[int] = []

    def consume(row: Outbox) -> None:
        calls.append(row.pk)
        if len(calls) == 1:
            raise ConnectionError("sms gateway down")

    outbox.consumer(TOPIC)(consume)
    yield calls
    outbox._consumers.pop(TOPIC, None)


def test_failing_consumer_is_retried_by_a_later_drain(db, flaky_consumer):
    start = datetime(2025, 9, 26, 10, 0, tzinfo=SH)
    with time_machine.travel(start, tick=False):
        row = outbox.emit(TOPIC, {"n": 1})
        # when the consumer raises
        assert outbox.deliver(row.pk) is False
        # then the row stays undelivered with the error and one attempt recorded
        row.refresh_from_db()
        assert row.delivered_at is None
        assert row.attempts == 1
        assert "sms gateway down" in row.last_error
        # and is not retried at once (backoff)
        assert outbox.drain() == 0
    # when a later drain runs
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert outbox.drain() == 1
    # then it is delivered on the second attempt
    row.refresh_from_db()
    assert row.delivered_at is not None
    assert row.attempts == 2
    assert flaky_consumer == [row.pk, row.pk]


BATCH_TOPIC = "test.batch"


@pytest.fixture
def batch_calls():
    """A batch consumer that refuses any batch holding a row marked ``bad``."""
    calls: list[list[int]] = []

    def consume(rows: list[Outbox]) -> None:
        calls.append([row.payload["n"] for row in rows])
        if any(row.payload.get("bad") for row in rows):
            raise ValueError("bad row")

    outbox.batch_consumer(BATCH_TOPIC)(consume)
    yield calls
    outbox._batch_consumers.pop(BATCH_TOPIC, None)


def test_a_drain_hands_a_batch_consumer_the_polls_rows_at_once(db, batch_calls):
    rows = [outbox.emit(BATCH_TOPIC, {"n": n}) for n in range(5)]
    # when one drain runs
    assert outbox.drain() == 5
    # then the batch consumer saw the five rows in one call, oldest first
    assert batch_calls == [[0, 1, 2, 3, 4]]
    assert (
        Outbox.objects.filter(pk__in=[r.pk for r in rows], delivered_at__isnull=False).count() == 5
    )
    # and a single delivery hands it a list of one
    one = outbox.emit(BATCH_TOPIC, {"n": 9})
    assert outbox.deliver(one.pk) is True
    assert batch_calls[-1] == [9]


def test_a_failing_batch_is_retried_row_by_row_so_only_the_bad_row_waits(db, batch_calls):
    good = [outbox.emit(BATCH_TOPIC, {"n": n}) for n in (1, 2)]
    bad = outbox.emit(BATCH_TOPIC, {"n": 3, "bad": True})
    # when the batch fails
    assert outbox.drain() == 2
    # then each row was tried alone: the good ones delivered, the bad one waits for a retry
    assert batch_calls == [[1, 2, 3], [1], [2], [3]]
    assert (
        Outbox.objects.filter(pk__in=[r.pk for r in good], delivered_at__isnull=False).count() == 2
    )
    bad.refresh_from_db()
    assert bad.delivered_at is None and bad.attempts == 1 and "bad row" in bad.last_error


def test_a_dead_letter_is_listed_and_redelivered_from_the_admin(db, batch_calls, admin_client):
    row = outbox.emit(BATCH_TOPIC, {"n": 7, "bad": True})
    # given a row that ran out of attempts
    Outbox.objects.filter(pk=row.pk).update(attempts=outbox.MAX_ATTEMPTS, last_error="ValueError")
    assert outbox.drain() == 0
    # then the admin lists it among the dead letters, not among the delivered
    dead = admin_client.get("/admin/core/outbox/?state=dead")
    assert dead.status_code == 200 and f"/admin/core/outbox/{row.pk}/change/" in dead.text
    assert (
        f"/admin/core/outbox/{row.pk}/change/"
        not in admin_client.get("/admin/core/outbox/?state=delivered").text
    )
    # when an operator fixes the cause and redelivers it
    Outbox.objects.filter(pk=row.pk).update(payload={"n": 7})
    response = admin_client.post(
        "/admin/core/outbox/",
        {"action": "redeliver", "_selected_action": [row.pk], "state": "dead"},
    )
    assert response.status_code == 302
    # then the next drain delivers it
    assert outbox.drain() == 1
    row.refresh_from_db()
    assert row.delivered_at is not None and row.last_error == ""
