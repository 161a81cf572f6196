from datetime import date

from celery import shared_task

from . import rollup


@shared_task(name="complaintloop.quality.tasks.rollup_day")
def rollup_day(day: str) -> int:
    """Recompute one day on demand (ISO date)."""
    return rollup.rollup_day(date.fromisoformat(day))


@shared_task(name="complaintloop.quality.tasks.rollup_recent")
def rollup_recent() -> int:
    return rollup.rollup_recent()
