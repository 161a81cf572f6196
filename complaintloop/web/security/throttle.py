"""Login throttling (登录限制): failures count per username and source address.

A pair that failed ``LOGIN_CHALLENGE_AFTER`` times must answer a picture challenge and
wait a doubling delay before each further attempt is even evaluated; at
``LOGIN_MAX_FAILURES`` that pair, and only that pair, is locked for
``LOGIN_LOCKOUT_MINUTES``. Nobody can lock a named account out from elsewhere: the same
username from another address signs in as usual. Spraying (one address, many usernames)
and distributed guessing (one username, many addresses) bring the challenge; an address
past ``LOGIN_ADDRESS_MAX_FAILURES`` is blocked for every username.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils.translation import gettext as _

from complaintloop.core import audit, clock
from complaintloop.core.errors import Forbidden, NotFound
from complaintloop.org.models import Role

from ..models import LoginFailure, LoginThrottle

UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a placeholder key, nothing listens on it
# The failure log (LoginFailure, one row per counted failure) keeps this many days.
FAILURE_LOG_DAYS = 30


def source_address(request) -> str:
    """The client's address: REMOTE_ADDR, or with ``LOGIN_TRUSTED_PROXIES`` = n the n-th
    X-Forwarded-For entry from the right (what the outermost trusted proxy saw; entries
    further left are whatever the client sent and are never trusted)."""
    hops = settings.LOGIN_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [h for h in forwarded if h]
        if len(forwarded) >= hops:
            address = _normalized(forwarded[-hops])
            if address:
                return address
    return _normalized(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_ADDRESS


def _normalized(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def username_key(username: str) -> str:
    """Counters ignore case, so 'Admin' and 'admin' fail against one counter."""
    return (username or "").strip().casefold()[:150]


@dataclass(frozen=True)
class Gate:
    """What stands before the next attempt of one username from one address."""

    locked_until: datetime | None  # the pair is locked
    blocked_until: datetime | None  # the address is blocked for every username
    retry_at: datetime | None  # the pair must wait until then
    challenge: bool  # the picture challenge must be answered first
    failures: int  # the pair's counted failures in the window

    @property
    def refused_until(self) -> datetime | None:
        return self.locked_until or self.blocked_until


def _window_start() -> datetime:
    return clock.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def _live_failures(row: LoginThrottle | None, now: datetime) -> int:
    """The pair's failures that still count: none once the window passed without one."""
    if row is None:
        return 0
    if row.locked_until and row.locked_until > now:
        return row.failures
    if row.last_failure_at < now - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES):
        return 0
    if row.locked_until:  # an expired lock leaves the pair at the challenge step
        return min(row.failures, settings.LOGIN_CHALLENGE_AFTER)
    return row.failures


def gate(username: str, address: str) -> Gate:
    """The state of the pair, its address and its username, read in two queries."""
    now = clock.now()
    key = username_key(username)
    since = _window_start()
    row = LoginThrottle.objects.filter(username=key, address=address).first() if key else None
    totals = LoginThrottle.objects.filter(
        Q(address=address) | Q(username=key), last_failure_at__gte=since
    ).aggregate(
        address_failures=Sum("failures", filter=Q(address=address)),
        address_last=Max("last_failure_at", filter=Q(address=address)),
        account_failures=Sum("failures", filter=Q(username=key) & ~Q(username="")),
    )
    failures = _live_failures(row, now)
    locked_until = row.locked_until if row and row.locked_until and row.locked_until > now else None
    blocked_until = None
    address_failures = totals["address_failures"] or 0
    if address_failures >= settings.LOGIN_ADDRESS_MAX_FAILURES:
        until = totals["address_last"] + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        blocked_until = until if until > now else None
    retry_at = None
    if row and locked_until is None and failures >= settings.LOGIN_CHALLENGE_AFTER:
        retry_at = row.retry_at if row.retry_at and row.retry_at > now else None
    challenge = (
        failures >= settings.LOGIN_CHALLENGE_AFTER
        or address_failures >= settings.LOGIN_ADDRESS_CHALLENGE_AFTER
        or (totals["account_failures"] or 0) >= settings.LOGIN_ACCOUNT_CHALLENGE_AFTER
    )
    return Gate(locked_until, blocked_until, retry_at, challenge, failures)


def retry_delay(failures: int) -> timedelta:
    """The wait after the n-th failure: none before the challenge step, then 1, 2, 4 … s
    up to ``LOGIN_RETRY_MAX_SECONDS``."""
    steps = failures - settings.LOGIN_CHALLENGE_AFTER
    if steps < 0:
        return timedelta(0)
    return timedelta(seconds=min(2**steps, settings.LOGIN_RETRY_MAX_SECONDS))


def claim_attempt(username: str, address: str) -> bool:
    """Take the pair's next attempt slot: at the challenge step, of parallel attempts
    only one is evaluated per waiting period (the slot moves on as it is taken)."""
    now = clock.now()
    key = username_key(username)
    row = LoginThrottle.objects.filter(username=key, address=address).first()
    failures = _live_failures(row, now)
    if row is None or failures < settings.LOGIN_CHALLENGE_AFTER:
        return True
    taken = LoginThrottle.objects.filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=now), pk=row.pk
    ).update(retry_at=now + retry_delay(failures))
    return taken == 1


@transaction.atomic
def record_failure(username: str, address: str) -> LoginThrottle:
    """One more counted failure of the pair; at ``LOGIN_MAX_FAILURES`` the pair locks."""
    now = clock.now()
    key = username_key(username)
    # The pair's row is locked so parallel failures count one by one.
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(
        username=key,
        address=address,
        defaults={"first_failure_at": now, "last_failure_at": now},
    )
    failures = _live_failures(row, now)
    if failures == 0:
        row.first_failure_at = now
    row.failures = failures + 1
    row.last_failure_at = now
    row.locked_until = None
    row.retry_at = None
    if row.failures >= settings.LOGIN_MAX_FAILURES:
        row.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    else:
        delay = retry_delay(row.failures)
        row.retry_at = now + delay if delay else None
    row.save()
    LoginFailure.objects.create(username=key, ip=address, at=now)
    LoginFailure.objects.filter(at__lt=now - timedelta(days=FAILURE_LOG_DAYS)).delete()
    return row


def clear(username: str, address: str) -> None:
    """A successful sign-in forgets the pair's failures (other pairs keep theirs)."""
    LoginThrottle.objects.filter(username=username_key(username), address=address).delete()


def failures_left(row: LoginThrottle) -> int:
    return max(settings.LOGIN_MAX_FAILURES - row.failures, 0)


# -- the system administrator's view ---------------------------------------------------


def may_unlock(actor) -> bool:
    return bool(actor.is_superuser or actor.role == Role.SYSTEM_ADMIN)


@dataclass(frozen=True)
class BlockedAddress:
    address: str
    failures: int
    usernames: int
    since: datetime
    until: datetime


def current(actor) -> tuple[list[LoginThrottle], list[BlockedAddress]]:
    """Pairs with failures that still count (locked first), and blocked addresses."""
    if not may_unlock(actor):
        raise Forbidden("login.unlock_forbidden", _("仅系统管理员可以解除登录锁定"))
    now = clock.now()
    since = _window_start()
    pairs = list(
        LoginThrottle.objects.filter(
            Q(last_failure_at__gte=since) | Q(locked_until__gt=now)
        ).order_by(F("locked_until").desc(nulls_last=True), "-last_failure_at")[:500]
    )
    for row in pairs:
        row.live_failures = _live_failures(row, now)
        row.is_locked = bool(row.locked_until and row.locked_until > now)
    lockout = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    blocked = [
        BlockedAddress(
            address=a["address"],
            failures=a["failures"],
            usernames=a["usernames"],
            since=a["since"],
            until=a["last"] + lockout,
        )
        for a in LoginThrottle.objects.filter(last_failure_at__gte=since)
        .values("address")
        .annotate(
            failures=Sum("failures"),
            usernames=Count("id"),
            since=Min("first_failure_at"),
            last=Max("last_failure_at"),
        )
        .filter(failures__gte=settings.LOGIN_ADDRESS_MAX_FAILURES)
        .order_by("-last")
        if a["last"] + lockout > now
    ]
    return pairs, blocked


@transaction.atomic
def unlock(actor, *, pair_id: int | None = None, address: str | None = None) -> int:
    """解锁: forget one pair's failures, or every pair of a blocked address; audited.
    Returns how many pairs were cleared."""
    if not may_unlock(actor):
        raise Forbidden("login.unlock_forbidden", _("仅系统管理员可以解除登录锁定"))
    rows = LoginThrottle.objects.select_for_update()
    if pair_id is not None:
        rows = rows.filter(pk=pair_id)
    elif address:
        rows = rows.filter(address=address)
    else:
        rows = rows.none()
    cleared = list(rows)
    if not cleared:
        raise NotFound("login.lock_not_found", _("该锁定已不存在"))
    now = clock.now()
    for row in cleared:
        audit.record(
            actor,
            "login.unlocked",
            row,
            username=row.username,
            address=row.address,
            failures=row.failures,
            locked=bool(row.locked_until and row.locked_until > now),
            since=row.first_failure_at.isoformat(),
        )
    LoginThrottle.objects.filter(pk__in=[r.pk for r in cleared]).delete()
    return len(cleared)
