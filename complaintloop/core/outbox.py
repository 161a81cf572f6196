"""Transactional outbox: ``emit`` inside the state change's transaction, ``deliver``
after commit (Celery task) or from the periodic drain.

Consumers register per topic and must be idempotent on the outbox id: delivery is
at-least-once (a claim whose worker died is retried after the lease)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from . import clock
from .models import Outbox

log = logging.getLogger(__name__)
Consumer = Callable[[Outbox], None]
_consumers: dict[str, list[Consumer]] = {}
CLAIM_LEASE = timedelta(seconds=getattr(settings, "OUTBOX_CLAIM_LEASE_SECONDS", 300))
MAX_ATTEMPTS = 12


def consumer(topic: str) -> Callable[[Consumer], Consumer]:
    def register(fn: Consumer) -> Consumer:
        _consumers.setdefault(topic, [])
        if fn not in _consumers[topic]:
            _consumers[topic].append(fn)
        return fn

    return register


def emit(topic: str, payload: dict[str, Any]) -> Outbox:
    row = Outbox.objects.create(topic=topic, payload=payload, created_at=clock.now())
    if settings.OUTBOX_DISPATCH_ON_COMMIT:
        transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def _enqueue(outbox_id: int) -> None:
    from .tasks import deliver_outbox

    try:
        deliver_outbox.delay(outbox_id)
    except Exception:  # the periodic drain picks it up; intake must not fail on a broker hiccup
        log.warning("outbox enqueue failed for %s; the drain will deliver it", outbox_id)


def _claim(outbox_id: int) -> bool:
    now = clock.now()
    claimable = Q(delivered_at__isnull=True) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    )
    return bool(Outbox.objects.filter(claimable, pk=outbox_id).update(claimed_at=now))


def deliver(outbox_id: int) -> bool:
    """Deliver one row to its consumers; True when this call delivered it."""
    if not _claim(outbox_id):
        return False
    row = Outbox.objects.get(pk=outbox_id)
    try:
        for fn in _consumers.get(row.topic, []):
            fn(row)
    except Exception as exc:
        log.exception("outbox %s delivery failed", outbox_id)
        backoff = CLAIM_LEASE - timedelta(seconds=min(2**row.attempts * 10, 290))
        Outbox.objects.filter(pk=outbox_id).update(
            attempts=row.attempts + 1,
            last_error=repr(exc)[:2000],
            # release the claim early so the next drain retries with a growing delay
            claimed_at=clock.now() - backoff if row.attempts + 1 < MAX_ATTEMPTS else clock.now(),
        )
        return False
    Outbox.objects.filter(pk=outbox_id).update(delivered_at=clock.now(), attempts=row.attempts + 1)
    return True


def drain(limit: int = 1000) -> int:
    """Deliver pending rows in id order; returns how many this call delivered."""
    now = clock.now()
    pending = (
        Outbox.objects.filter(delivered_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for outbox_id in list(pending) if deliver(outbox_id))
