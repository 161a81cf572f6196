import json

from django.core.management.base import BaseCommand

from complaintloop.channels import imap
from complaintloop.channels.models import Mailbox


class Command(BaseCommand):
    help = "Fetch unseen mail from the active IMAP mailboxes now (the beat task does it too)."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", default="", help="only this mailbox (name or id)")
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args, mailbox: str, limit: int | None, **options):
        if mailbox:
            lookup = {"pk": int(mailbox)} if mailbox.isdigit() else {"name": mailbox}
            results = [imap.poll(box, limit=limit) for box in Mailbox.objects.filter(**lookup)]
        else:
            results = imap.poll_all(limit=limit)
        for result in results:
            self.stdout.write(
                json.dumps(
                    {
                        "mailbox": result.mailbox,
                        "fetched": result.fetched,
                        "outcomes": result.outcomes,
                        "error": result.error,
                        "seconds": round(result.seconds, 3),
                    },
                    ensure_ascii=False,
                )
            )
