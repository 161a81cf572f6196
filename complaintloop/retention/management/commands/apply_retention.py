"""Apply the retention policies now (R33), or with --dry-run report what they would do.

Prints one JSON line per data class: class, policy (keep, unit, active), cutoff,
``would_affect`` (dry run) or ``affected``, the oldest close date still held and when
it falls due. Writes the run record and its audit entry either way."""

import json

from django.core.management.base import BaseCommand, CommandError

from complaintloop.core.errors import Conflict
from complaintloop.retention import services
from complaintloop.retention.models import Trigger


class Command(BaseCommand):
    help = "Apply the retention policies (R33); --dry-run only reports what is due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what is due, change nothing"
        )

    def handle(self, *args, **opts):
        dry_run = opts["dry_run"]
        try:
            run = services.apply(dry_run=dry_run, trigger=Trigger.COMMAND)
        except Conflict as exc:
            raise CommandError(exc.message) from exc
        key = "would_affect" if dry_run else "affected"
        for part in run.report.values():
            line = {"run": run.pk, "dry_run": dry_run, **part}
            line[key] = line.pop("count")
            self.stdout.write(json.dumps(line, ensure_ascii=False))
