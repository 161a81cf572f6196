"""Webhooks: every outbox event a subscription asks for becomes a signed POST.

The outbox consumer writes one ``Delivery`` per (event, subscription) and tries it
once; failures are retried by ``send_due`` with exponential backoff and jitter until
``WEBHOOK_MAX_ATTEMPTS``, then the delivery is a dead letter an administrator can
redeliver. A receiver verifies ``X-ComplaintLoop-Signature: sha256=<hex>``, an
HMAC-SHA256 of the exact body with the subscription's secret, and drops an
``X-ComplaintLoop-Event-Id`` it has already seen (a crashed worker may send twice)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import timedelta
from functools import cache
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from complaintloop.core import clock, outbox
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.core.models import Outbox
from complaintloop.notify import retry
from complaintloop.org.models import Role, Staff

from . import targets
from .models import TOPIC_PREFIX, Delivery, DeliveryStatus, Subscription

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-ComplaintLoop-Signature"
OPEN = Q(status=DeliveryStatus.PENDING)
KNOWN_FAMILIES = ("ticket.", "insights.notice.")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (also used by the tests)."""
    return hmac.compare_digest(sign(secret, body), header or "")


def validate_event_types(event_types: object) -> None:
    if not isinstance(event_types, list) or not event_types:
        raise ValidationError({"event_types": _("请至少填写一个事件类型(列表)")})
    bad = [
        t
        for t in event_types
        if not isinstance(t, str) or not (t == "*" or t.startswith(KNOWN_FAMILIES))
    ]
    if bad:
        raise ValidationError(
            {
                "event_types": _(
                    "未知事件类型:%(types)s(应为 *、ticket.*、ticket.<事件> 或 insights.notice.*)"
                )
                % {"types": ", ".join(map(str, bad))}
            }
        )


def event_type(row: Outbox) -> str:
    return f"{TOPIC_PREFIX[row.topic]}.{row.payload.get('kind', 'event')}"


def body_of(row: Outbox, kind: str) -> str:
    payload = {
        "id": row.pk,
        "type": kind,
        "created_at": row.created_at.isoformat(),
        "data": row.payload,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@cache
def _client() -> httpx.Client:
    transport = httpx.HTTPTransport()
    # Connect only to the addresses targets.py has checked (see there: DNS rebinding).
    # httpx has no public hook for httpcore's network backend; the pool takes it for
    # each new connection. Through an HTTP(S)_PROXY from the environment the proxy
    # connects instead, and the check before each POST is what guards.
    transport._pool._network_backend = targets.GuardedBackend()  # noqa: SLF001
    return httpx.Client(
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False, transport=transport
    )


def _post(delivery: Delivery) -> httpx.Response:
    body = delivery.body.encode()
    sub = delivery.subscription
    targets.check_url(sub.url, unresolvable_ok=False)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "ComplaintLoop-Webhooks/1",
        "X-ComplaintLoop-Event": delivery.event_type,
        "X-ComplaintLoop-Event-Id": str(delivery.outbox_id),
        "X-ComplaintLoop-Delivery": str(delivery.pk),
        "X-ComplaintLoop-Timestamp": str(int(clock.now().timestamp())),
        SIGNATURE_HEADER: sign(sub.secret, body),
    }
    return _client().post(sub.url, content=body, headers=headers)


def send_one(delivery_id: int, loaded: Delivery | None = None) -> bool:
    """Claim, POST and record one delivery; True if the receiver took it (2xx).
    ``loaded``: the row as just written by fan_out (saves reading it again)."""
    if not retry.claim(Delivery, delivery_id, OPEN):
        return False
    delivery = loaded or Delivery.objects.select_related("subscription").get(pk=delivery_id)
    attempts = delivery.attempts + 1
    status, error = None, ""
    try:
        response = _post(delivery)
        status = response.status_code
        if response.is_success:
            Delivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.DELIVERED,
                delivered_at=clock.now(),
                attempts=attempts,
                last_status=status,
                last_error="",
                claimed_at=None,
            )
            return True
        error = f"HTTP {status}: {response.text[:500]}"
    except httpx.HTTPError as exc:
        error = repr(exc)[:2000]
    except targets.Blocked as exc:
        # Not sent: the host is (now) internal. Retried like a failure, in case DNS
        # points it back; the reason is what the dead letter shows.
        error = _("未发送:%(reason)s") % {"reason": exc}
    dead = attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    delay = retry.backoff(
        attempts,
        base_seconds=settings.WEBHOOK_RETRY_BASE_SECONDS,
        cap_seconds=settings.WEBHOOK_RETRY_MAX_SECONDS,
    )
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING,
        attempts=attempts,
        last_status=status,
        last_error=error,
        next_attempt_at=None if dead else clock.now() + delay,
        claimed_at=None,
    )
    log.warning(
        "webhook delivery %s failed (try %s%s): %s",
        delivery_id,
        attempts,
        ", dead" if dead else "",
        error,
    )
    return False


def send_due(limit: int = 200) -> int:
    now = clock.now()
    ids = list(
        Delivery.objects.filter(OPEN & retry.due(now) & retry.claimable(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for pk in ids if send_one(pk))


_subscriptions: dict[str, Any] = {"at": None, "rows": []}
SUBSCRIPTION_CACHE = timedelta(seconds=5)


def _active_subscriptions() -> list[Subscription]:
    # Read at most every few seconds per worker: a busy worker would otherwise ask for
    # the same few rows on every event. A new subscription sees events within 5 s.
    now = clock.now()
    if _subscriptions["at"] is None or now - _subscriptions["at"] > SUBSCRIPTION_CACHE:
        _subscriptions["rows"] = list(Subscription.objects.filter(is_active=True))
        _subscriptions["at"] = now
    return _subscriptions["rows"]


def clear_subscription_cache() -> None:
    _subscriptions["at"] = None


def fan_out(row: Outbox) -> list[Delivery]:
    """The deliveries this event owes; none new on a redelivered outbox row."""
    kind = event_type(row)
    subs = [s for s in _active_subscriptions() if s.matches(kind)]
    if not subs:
        return []
    body = body_of(row, kind)
    now = clock.now()
    rows = [
        Delivery(subscription=s, outbox_id=row.pk, event_type=kind, body=body, created_at=now)
        for s in subs
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    by_id = {s.pk: s for s in subs}
    fresh = list(
        Delivery.objects.filter(
            outbox_id=row.pk, subscription__in=subs, status=DeliveryStatus.PENDING, attempts=0
        )
    )
    for delivery in fresh:
        delivery.subscription = by_id[delivery.subscription_id]
    return fresh


def deliver_event(row: Outbox) -> None:
    for delivery in fan_out(row):
        send_one(delivery.pk, delivery)


outbox.consumer("ticket.event")(deliver_event)
outbox.consumer("insights.notice")(deliver_event)


# ---- administration ----------------------------------------------------------------


def require_admin(actor: Staff) -> None:
    if not (actor.is_superuser or actor.role == Role.SYSTEM_ADMIN):
        raise Forbidden("webhooks.forbidden", _("仅系统管理员可管理 Webhook"))


def redeliver(delivery_id: int, *, actor: Staff | None) -> Delivery:
    """Send a delivery again with a fresh retry schedule (dead letters and delivered
    ones alike: the receiver dedupes on the event id)."""
    if actor is not None:
        require_admin(actor)
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound("webhooks.delivery_not_found", _("推送记录不存在"))
    if delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0:
        raise Conflict("webhooks.already_pending", _("该推送正在等待发送"))
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=clock.now(),
        claimed_at=None,
        last_error="",
    )
    delivery.refresh_from_db()
    log.info("webhook delivery %s queued again by %s", delivery_id, actor)
    return delivery


def _full_clean(sub: Subscription) -> None:
    try:
        sub.full_clean()
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise Invalid("webhooks.invalid", _("Webhook 订阅数据无效"), fields) from exc


@transaction.atomic
def create_subscription(
    *,
    actor: Staff,
    name: str,
    url: str,
    event_types: list[str],
    secret: str = "",
    is_active: bool = True,
) -> Subscription:
    require_admin(actor)
    sub = Subscription(
        name=name, url=url, event_types=event_types, is_active=is_active, owner=actor
    )
    if secret:
        sub.secret = secret
    _full_clean(sub)
    sub.save()
    return sub


@transaction.atomic
def update_subscription(subscription_id: int, *, actor: Staff, **changes: object) -> Subscription:
    require_admin(actor)
    sub = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound("webhooks.subscription_not_found", _("Webhook 订阅不存在"))
    for field in ("name", "url", "event_types", "secret", "is_active"):
        if changes.get(field) is not None:
            setattr(sub, field, changes[field])
    _full_clean(sub)
    sub.save()
    return sub


@transaction.atomic
def delete_subscription(subscription_id: int, *, actor: Staff) -> None:
    require_admin(actor)
    deleted, _rows = Subscription.objects.filter(pk=subscription_id).delete()
    if not deleted:
        raise NotFound("webhooks.subscription_not_found", _("Webhook 订阅不存在"))


@receiver([post_save, post_delete], sender=Subscription)
def _subscription_changed(**kwargs: object) -> None:
    clear_subscription_cache()  # this process at once; other workers within 5 s
