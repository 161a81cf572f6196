"""Kill the delivery worker mid-batch: nothing is lost, and a receiver that honours the
event id processes every notification exactly once.

The worker is the real ``manage.py outbox_worker`` in a subprocess, so it needs a
database another process can open: PostgreSQL only (SQLite tests run in memory)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from complaintloop.core import outbox
from complaintloop.core.models import Outbox
from complaintloop.notify.models import SmsMessage
from complaintloop.webhooks.models import Delivery, Subscription

from ..markers import postgres_only
from .receiver import Receiver

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    postgres_only("a worker process needs a shared database"),
]
ROOT = Path(__file__).resolve().parents[2]
EVENTS = 150
TICKETS = 15


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(receiver: Receiver) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "OUTBOX_CLAIM_LEASE_SECONDS": "2",
        "OUTBOX_DISPATCH_ON_COMMIT": "0",
        "SMS_GATEWAY": "http",
        "SMS_GATEWAY_URL": f"{receiver.url}/sms",
        "NOTIFY_QUIET_HOURS": "",
        "LOG_LEVEL": "WARNING",
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",  # the receiver is on 127.0.0.1
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "outbox_worker", "--batch", "50", "--idle-sleep", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _all_done() -> bool:
    return (
        not Outbox.objects.filter(delivered_at__isnull=True).exists()
        and not Delivery.objects.exclude(status="delivered").exists()
        and not SmsMessage.objects.exclude(status="sent").exists()
    )


def test_sigkill_mid_batch_loses_nothing_and_sends_nothing_twice(world):
    # Restoring the serialized reference data (serialized_rollback) re-saves the working
    # calendar, which emits calendar.changed rows depending on what ran before: start
    # from an empty outbox so the count below is this test's own.
    Outbox.objects.all().delete()
    with Receiver(delay=0.01) as receiver:
        Subscription.objects.create(name="CRM", url=f"{receiver.url}/hook", event_types=["*"])
        # given real tickets (each owes a webhook and a customer SMS) and a backlog of
        # other events (a webhook each)
        for _ in range(TICKETS):
            world.new_ticket()
        for i in range(EVENTS):
            outbox.emit("ticket.event", {"ticket": f"EXT{i:05d}", "kind": "commented"})
        events = set(Outbox.objects.values_list("id", flat=True))
        assert len(events) == EVENTS + TICKETS

        # when the worker is killed while it is delivering
        worker = _start_worker(receiver)
        try:
            assert _wait(lambda: len(receiver.requests) >= 40, 90), worker.stderr.read1()
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
        delivered_before_restart = len(receiver.processed)
        assert delivered_before_restart < EVENTS + 2 * TICKETS, "the kill came too late"
        assert Outbox.objects.filter(delivered_at__isnull=True).exists()

        # and started again
        worker = _start_worker(receiver)
        try:
            finished = _wait(_all_done, 120)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(20)
        assert finished, worker.stderr.read()

    # then every event reached the receiver, exactly once after its dedupe on the id
    hooks = {k for k in receiver.processed if ":" not in k}
    sms = {k for k in receiver.processed if ":" in k}
    assert hooks == {str(e) for e in events}
    expected_sms = {
        f"{outbox_id}:{phone}"
        for outbox_id, phone in SmsMessage.objects.values_list("outbox_id", "phone")
    }
    assert len(expected_sms) == TICKETS and sms == expected_sms
    # copies on the wire are only those a dead worker had in flight
    assert receiver.duplicates <= 5, receiver.duplicates
    assert len(receiver.requests) == len(receiver.processed) + receiver.duplicates
