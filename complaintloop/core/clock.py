"""The one place code asks for the time, so tests can move it (time-machine)."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def localtime(value: datetime | None = None) -> datetime:
    return timezone.localtime(value or now())
