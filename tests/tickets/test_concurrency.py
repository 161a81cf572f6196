"""Concurrent operations on one ticket: exactly one wins, the others get a clear answer.

Real concurrency needs real row locks, so this runs on PostgreSQL only."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from complaintloop.core.errors import Conflict
from complaintloop.tickets import services
from complaintloop.tickets.models import EventKind, Status, Ticket

from ..markers import postgres_only
from ..test_api import BODY, bearer

THREADS = 8

pytestmark = [
    # serialized_rollback: the flush between transactional tests would otherwise drop
    # the process definitions the migrations installed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    postgres_only("row locks"),
]


def run_together(fn, n: int = THREADS) -> list:
    """Run ``fn()`` in ``n`` threads released at once; each result or exception, in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 (the test inspects every outcome)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return results


def test_only_one_of_eight_accepts_wins(world):
    # given a ticket waiting for 南京网管 to sign
    number = world.new_ticket().number
    # when eight of its handlers press 签收 at once
    results = run_together(lambda: services.accept(number, actor=world.handler_nj))
    # then exactly one succeeds, the seven others are told it was taken
    won = [r for r in results if isinstance(r, Ticket)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1, results
    assert len(lost) == THREADS - 1, results
    ticket = Ticket.objects.get(number=number)
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.version == 2
    assert ticket.events.filter(kind=EventKind.ACCEPTED).count() == 1


def test_same_idempotency_key_creates_one_ticket(world):
    # given one request sent eight times at once with the same key
    data = services.NewTicket(**BODY)
    # when
    results = run_together(
        lambda: services.create(data, actor=world.agent_nj, idempotency_key="same")
    )
    # then every caller gets the same ticket and only one was written
    assert all(isinstance(r, tuple) for r in results), results
    assert len({ticket.number for ticket, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * (THREADS - 1) + [True]
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().events.count() == 1


def test_same_idempotency_key_over_http_creates_one_ticket(world):
    # given
    auth = bearer(world.agent_nj)

    def post():
        r = Client().post(
            "/api/v1/tickets",
            BODY,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="same-http",
            **auth,
        )
        return r.status_code, r.json().get("number")

    # when
    results = run_together(post)
    # then one 201, seven 200 replays, all naming the one ticket
    assert all(isinstance(r, tuple) for r in results), results
    assert Counter(status for status, _ in results) == {201: 1, 200: THREADS - 1}, results
    assert len({number for _, number in results}) == 1
    assert Ticket.objects.count() == 1
