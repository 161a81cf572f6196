from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from complaintloop.core import clock

from . import detection, keywords


@shared_task(name="complaintloop.insights.tasks.run_early_warning")
def run_early_warning(day: str | None = None) -> int:
    """Nightly: alerts for ``day`` (ISO date, default yesterday); idempotent per day."""
    target = date.fromisoformat(day) if day else timezone.localdate(clock.now()) - timedelta(1)
    return len(detection.run(target))


@shared_task(name="complaintloop.insights.tasks.extract_keywords")
def extract_keywords() -> int:
    return keywords.extract_all()
