"""Claiming and retry schedule shared by outbound messages and webhook deliveries."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Model, Q

from complaintloop.core import clock


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)


def backoff(attempts: int, *, base_seconds: float, cap_seconds: float) -> timedelta:
    """Delay before try ``attempts + 1``: base·2^(attempts-1), ±20 % jitter so receivers
    that came back are not hit by every sender at the same second."""
    delay = min(base_seconds * 2 ** max(attempts - 1, 0), cap_seconds)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def claimable(now: datetime) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease())


def due(now: datetime) -> Q:
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def claim(model: type[Model], pk: int, status_q: Q) -> bool:
    """Take the row for this worker; False if another live worker has it or it is done."""
    now = clock.now()
    return bool(
        model._default_manager.filter(status_q & claimable(now) & due(now), pk=pk).update(
            claimed_at=now
        )
    )
