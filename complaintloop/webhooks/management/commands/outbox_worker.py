"""The delivery worker: drains the outbox, sends due SMS/email (retries and messages
held over quiet hours) and due webhook retries, in a loop.

Kill it at any moment: claimed rows whose worker died are taken again after
OUTBOX_CLAIM_LEASE_SECONDS, and every message carries its outbox event id so a
receiver drops the copy it already has."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.db.backends.signals import connection_created

from complaintloop.core import outbox
from complaintloop.notify import services as notify
from complaintloop.webhooks import services as webhooks


def _acknowledge_lazily(sender, connection, **kwargs) -> None:
    """The worker's own writes (claims, "sent" marks) need no fsync: a crash can only
    forget an acknowledgement, and then the message is sent again with the same event
    id, which receivers dedupe. The events themselves were committed durably by the
    ticket's transaction. On PostgreSQL this saves a disk flush per write."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


class Command(BaseCommand):
    help = "Deliver the outbox (notifications, SMS, email, webhooks) until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--idle-sleep", type=float, default=0.2)
        parser.add_argument(
            "--exit-when-idle", action="store_true", help="stop once nothing is due (benchmarks)"
        )

    def handle(self, *args, once=False, batch=500, idle_sleep=0.2, exit_when_idle=False, **options):
        connection_created.connect(_acknowledge_lazily)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
        self.stdout.write("outbox worker started", ending="\n")
        self.stdout.flush()
        total = 0
        while not stopping:
            close_old_connections()
            done = outbox.drain(limit=batch) + notify.send_due(batch) + webhooks.send_due(batch)
            total += done
            if once or (exit_when_idle and done == 0):
                break
            if done == 0:
                time.sleep(idle_sleep)
        self.stdout.write(f"outbox worker stopped after {total} deliveries")
