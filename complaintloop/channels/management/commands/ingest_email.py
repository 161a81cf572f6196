"""Postfix pipe transport: ``python manage.py ingest_email [--mailbox NAME] < message``.

Exit status follows sysexits as Postfix expects: 0 when the message was taken (any
logged outcome, including ignored or refused), 75 (EX_TEMPFAIL) when it could not be
processed now and the MTA should retry, 65 (EX_DATAERR) for an empty message."""

import sys

from django.core.management.base import BaseCommand, CommandError

from complaintloop.channels.models import Mailbox
from complaintloop.channels.services import email

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one raw email message from stdin and ingest it (ticket, comment or log)."
    # The MTA starts one process per message: skip the system checks, which import every
    # URLconf and API module (charts, reports) this command never uses.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--mailbox", default="", help="mailbox name or id (default: first active)"
        )
        parser.add_argument("--file", default="", help="read the message from a file")

    def handle(self, *args, mailbox: str, file: str, **options):
        box = None
        if mailbox:
            lookup = {"pk": int(mailbox)} if mailbox.isdigit() else {"name": mailbox}
            box = Mailbox.objects.filter(**lookup).first()
            if box is None:
                raise CommandError(f"no mailbox {mailbox!r}")
        if file:
            with open(file, "rb") as fh:
                raw = fh.read()
        else:
            raw = sys.stdin.buffer.read()
        if not raw.strip():
            self.stderr.write("empty message")
            sys.exit(EX_DATAERR)
        try:
            entry = email.ingest(raw, mailbox=box)
        except Exception as exc:  # database down, disk full: let the MTA retry
            self.stderr.write(f"temporary failure: {exc!r}")
            sys.exit(EX_TEMPFAIL)
        ticket = entry.ticket.number if entry.ticket_id else "-"
        self.stdout.write(f"{entry.outcome} {ticket} {entry.message_id}")
