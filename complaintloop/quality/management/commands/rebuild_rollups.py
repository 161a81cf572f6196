"""Rebuild the daily rollup and the tickets' contributions from the ticket table.

Run it with the workers paused (or accept that events applied during the rebuild of
a day are recomputed by the next event of the same ticket)."""

import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from complaintloop.quality import rollup


class Command(BaseCommand):
    help = "Recompute DailyTicketStat from tickets (all days, or --start/--end)."

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first created day (YYYY-MM-DD)")
        parser.add_argument("--end", help="last created day (YYYY-MM-DD)")

    def handle(self, *args, **opts):
        try:
            start = date.fromisoformat(opts["start"]) if opts["start"] else None
            end = date.fromisoformat(opts["end"]) if opts["end"] else None
        except ValueError as exc:
            raise CommandError(f"bad date: {exc}") from exc
        if start and end and end < start:
            raise CommandError("--end is before --start")
        wall, cpu = time.perf_counter(), time.process_time()

        def progress(day, days, rows):
            self.stderr.write(f"{day} days {days} rows {rows}")

        done = rollup.rebuild(start, end, progress=progress)
        done.update(
            wall_s=round(time.perf_counter() - wall, 2),
            cpu_s=round(time.process_time() - cpu, 2),
        )
        self.stdout.write(json.dumps(done))
