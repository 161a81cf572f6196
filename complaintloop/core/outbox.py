"""Transactional outbox: ``emit`` inside the state change's transaction, ``deliver``
after commit (Celery task) or from the periodic drain.

Consumers register per topic and must be idempotent on the outbox id: delivery is
at-least-once (a claim whose worker died is retried after the lease). A batch consumer
takes a list of rows: ``drain`` hands it every row of its topic claimed in one poll (the
quality rollup applies a poll's ticket events in one pass), ``deliver`` a list of one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from . import clock
from .models import Outbox

log = logging.getLogger(__name__)
Consumer = Callable[[Outbox], None]
BatchConsumer = Callable[[list[Outbox]], None]
_consumers: dict[str, list[Consumer]] = {}
_batch_consumers: dict[str, list[BatchConsumer]] = {}
CLAIM_LEASE = timedelta(seconds=getattr(settings, "OUTBOX_CLAIM_LEASE_SECONDS", 300))
MAX_ATTEMPTS = 12
CLAIM_CHUNK = 200


def consumer(topic: str) -> Callable[[Consumer], Consumer]:
    def register(fn: Consumer) -> Consumer:
        _consumers.setdefault(topic, [])
        if fn not in _consumers[topic]:
            _consumers[topic].append(fn)
        return fn

    return register


def batch_consumer(topic: str) -> Callable[[BatchConsumer], BatchConsumer]:
    def register(fn: BatchConsumer) -> BatchConsumer:
        _batch_consumers.setdefault(topic, [])
        if fn not in _batch_consumers[topic]:
            _batch_consumers[topic].append(fn)
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


def _claimable(now) -> Q:
    return Q(delivered_at__isnull=True) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    )


def _claim(outbox_id: int) -> bool:
    now = clock.now()
    return bool(Outbox.objects.filter(_claimable(now), pk=outbox_id).update(claimed_at=now))


def _fail(row: Outbox, exc: Exception) -> None:
    log.error("outbox %s delivery failed: %r", row.pk, exc, exc_info=exc)
    backoff = CLAIM_LEASE - timedelta(seconds=min(2**row.attempts * 10, 290))
    Outbox.objects.filter(pk=row.pk).update(
        attempts=row.attempts + 1,
        last_error=repr(exc)[:2000],
        # release the claim early so the next drain retries with a growing delay
        claimed_at=clock.now() - backoff if row.attempts + 1 < MAX_ATTEMPTS else clock.now(),
    )


def _run(row: Outbox, *, batched: bool) -> bool:
    """The row's consumers (its batch consumers too, unless they already had it)."""
    try:
        if not batched:
            for fn in _batch_consumers.get(row.topic, []):
                fn([row])
        for fn in _consumers.get(row.topic, []):
            fn(row)
    except Exception as exc:
        _fail(row, exc)
        return False
    return True


def _mark_delivered(ids: list[int]) -> int:
    if ids:
        Outbox.objects.filter(pk__in=ids).update(
            delivered_at=clock.now(), attempts=F("attempts") + 1
        )
    return len(ids)


def deliver(outbox_id: int) -> bool:
    """Deliver one row to its consumers; True when this call delivered it."""
    if not _claim(outbox_id):
        return False
    if not _run(Outbox.objects.get(pk=outbox_id), batched=False):
        return False
    _mark_delivered([outbox_id])
    return True


def _claim_many(limit: int) -> list[Outbox]:
    """Claim up to ``limit`` pending rows at once, oldest first (rows another worker is
    claiming right now are skipped, not waited for)."""
    now = clock.now()
    with transaction.atomic():
        pending = (
            Outbox.objects.filter(_claimable(now), attempts__lt=MAX_ATTEMPTS)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        ids = list(pending[:limit])
        Outbox.objects.filter(pk__in=ids).update(claimed_at=now)
    return list(Outbox.objects.filter(pk__in=ids).order_by("id"))


def drain(limit: int = 1000) -> int:
    """Deliver pending rows in id order; returns how many this call delivered. Each
    topic's batch consumers get the poll's rows of that topic in one call; when one
    fails, every row goes through them again on its own, so one bad row holds up only
    itself."""
    delivered = 0
    while limit > 0:
        # Claim in chunks a worker gets through well within the lease.
        rows = _claim_many(min(limit, CLAIM_CHUNK))
        if not rows:
            break
        limit -= len(rows)
        delivered += _deliver_claimed(rows)
    return delivered


def _deliver_claimed(rows: list[Outbox]) -> int:
    by_topic: dict[str, list[Outbox]] = {}
    for row in rows:
        by_topic.setdefault(row.topic, []).append(row)
    batched: set[str] = set()
    for topic, group in by_topic.items():
        try:
            for fn in _batch_consumers.get(topic, []):
                fn(group)
            batched.add(topic)
        except Exception:
            log.warning(
                "outbox batch of %s rows on %s failed; delivering one by one", len(group), topic
            )
    # One "delivered" mark for the poll: a crash before it only means consumers see
    # the rows again, which they must tolerate anyway.
    return _mark_delivered([row.pk for row in rows if _run(row, batched=row.topic in batched)])


def retry_again(ids: list[int]) -> int:
    """Undelivered rows among ``ids`` start over: attempts, claim and error cleared
    (the admin's "redeliver" for dead letters); returns how many."""
    return Outbox.objects.filter(pk__in=ids, delivered_at__isnull=True).update(
        attempts=0, claimed_at=None, last_error=""
    )
