"""Asking the partner systems about a caller (R30) and keeping what they said with the
ticket. A partner that is slow or down never blocks intake: every source has a short
timeout, answers are collected until one overall deadline, and whatever did not answer
is reported as unavailable (and counted for /metrics)."""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from complaintloop.core import clock
from complaintloop.customers.models import Customer
from complaintloop.org import selectors as org
from complaintloop.org.models import Staff
from complaintloop.tickets import services as tickets
from complaintloop.tickets.models import Ticket
from complaintloop.tickets.services import NewTicket

from . import http_json, simulated
from .interfaces import BillingRecords, CustomerDirectory, CustomerRef, NetworkFaults
from .models import PartnerFailure, Source, TicketEnrichment

log = logging.getLogger(__name__)

FAULT_LOOKBACK_DAYS = 30
BILLING_MONTHS = 3
CACHE_SECONDS = 120
# The district (区/县) an address names right after its city: 徐州市云龙区… → 云龙区.
AREA = re.compile(r"^([\u4e00-\u9fff]{1,5}?(?:区|县))")
# Threads only wait on sockets; a handful covers the three sources of a few concurrent
# intakes per web process.
_pool = ThreadPoolExecutor(max_workers=6, thread_name_prefix="partners")


@dataclass
class SourceResult:
    status: str  # ok | timeout | error | unavailable
    data: Any = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Enrichment:
    customer: CustomerRef
    fetched_at: Any
    sources: dict[str, SourceResult] = field(default_factory=dict)

    def as_dict(self) -> dict:
        out: dict[str, Any] = {
            "customer": {"city": self.customer.city_code, "area": self.customer.area},
            "fetched_at": self.fetched_at.isoformat(),
        }
        for name, result in self.sources.items():
            entry: dict[str, Any] = {"status": result.status}
            if result.ok:
                entry["data"] = _plain(result.data)
            out[name] = entry
        return out


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [v.as_dict() for v in value]
    return value.as_dict()


def _config(name: str) -> dict:
    return (getattr(settings, "PARTNERS", None) or {}).get(name) or {}


def directory() -> CustomerDirectory:
    conf = _config("directory")
    if conf.get("url"):
        return http_json.HttpDirectory(conf["url"], **_http_options(conf))
    return simulated.SimulatedDirectory()


def billing() -> BillingRecords:
    conf = _config("billing")
    if conf.get("url"):
        return http_json.HttpBilling(conf["url"], **_http_options(conf))
    return simulated.SimulatedBilling()


def faults() -> NetworkFaults:
    conf = _config("faults")
    if conf.get("url"):
        return http_json.HttpFaults(conf["url"], **_http_options(conf))
    return simulated.SimulatedFaults()


def _http_options(conf: dict) -> dict:
    return {
        "timeout": float(conf.get("timeout", http_json.DEFAULT_TIMEOUT)),
        "token": conf.get("token", ""),
    }


def customer_ref(phone: str, customer: Customer | None, actor: Staff | None = None) -> CustomerRef:
    """Our own facts about the caller, read before any partner is asked."""
    region = customer.region if customer is not None and customer.region_id else None
    if region is None and actor is not None and actor.unit_id:
        region = actor.unit
    city = (org.region_of(region) or region) if region is not None else None
    area = ""
    if customer is not None and customer.address:
        match = AREA.search(customer.address.split("市", 1)[-1])
        area = match.group(1) if match else ""
    return CustomerRef(
        phone=phone,
        level=customer.level if customer is not None else "",
        city_code=city.code if city is not None else "",
        city_name=city.name if city is not None else "",
        area=area,
    )


def lookup(ref: CustomerRef, *, use_cache: bool = True) -> Enrichment:
    """Ask the three sources at once; never raises, never waits past the deadline."""
    key = f"partners:lookup:{ref.phone}:{ref.city_code}:{ref.area}"
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return cached
    now = clock.now()
    since = now - timedelta(days=FAULT_LOOKBACK_DAYS)
    calls = {
        Source.DIRECTORY: (directory(), lambda a: a.profile(ref)),
        Source.BILLING: (billing(), lambda a: a.recent(ref, months=BILLING_MONTHS)),
        Source.FAULTS: (faults(), lambda a: a.near(ref, since=since, until=now)),
    }
    results: dict[str, SourceResult] = {}
    remote = {}
    for name, (adapter, call) in calls.items():
        if getattr(adapter, "remote", False):
            remote[name] = _pool.submit(call, adapter)
        else:
            # Local adapters (the simulation) read the database: run them here, on
            # this request's connection.
            results[name] = _run(name, lambda a=adapter, c=call: c(a))
    if remote:
        # Each call has its own timeout; the deadline also stops a partner that trickles
        # bytes slowly enough to never trip a read timeout.
        deadline = max(_http_options(_config(n))["timeout"] for n in remote) * 1.5 + 0.25
        wait(list(remote.values()), timeout=deadline)
        for name, future in remote.items():
            if not future.done():
                future.cancel()
                results[name] = _failed(name, "timeout", "deadline")
            else:
                results[name] = _run(name, future.result)
    enrichment = Enrichment(customer=ref, fetched_at=now, sources={n: results[n] for n in calls})
    if use_cache and all(r.ok for r in enrichment.sources.values()):
        cache.set(key, enrichment, CACHE_SECONDS)
    return enrichment


def _run(name: str, call) -> SourceResult:
    try:
        return SourceResult("ok", call())
    except http_json.PartnerError as exc:
        return _failed(name, exc.outcome, str(exc))
    except Exception as exc:  # noqa: BLE001 - a partner's bug must not break intake
        log.exception("partner %s failed", name)
        return _failed(name, "error", repr(exc))


def _failed(name: str, outcome: str, error: str) -> SourceResult:
    log.warning("partner %s %s: %s", name, outcome, error)
    count_failure(name, outcome, error)
    return SourceResult(outcome, error=error[:255])


def count_failure(source: str, outcome: str, error: str = "") -> None:
    now = clock.now()
    updated = PartnerFailure.objects.filter(source=source, outcome=outcome).update(
        count=F("count") + 1, last_at=now, last_error=error[:255]
    )
    if not updated:
        try:
            with transaction.atomic():
                PartnerFailure.objects.create(
                    source=source, outcome=outcome, count=1, last_at=now, last_error=error[:255]
                )
        except IntegrityError:
            PartnerFailure.objects.filter(source=source, outcome=outcome).update(
                count=F("count") + 1, last_at=now
            )


def record(ticket: Ticket, enrichment: Enrichment) -> TicketEnrichment:
    """Keep what the partners said with a new ticket (called once, on creation)."""
    return TicketEnrichment.objects.create(
        ticket=ticket, fetched_at=enrichment.fetched_at, data=enrichment.as_dict()
    )


@transaction.atomic
def create_ticket(
    data: NewTicket,
    *,
    actor: Staff,
    enrichment: Enrichment | None,
    idempotency_key: str | None = None,
) -> tuple[Ticket, bool]:
    """受理 with the partner snapshot: the ticket and its snapshot commit together."""
    ticket, created = tickets.create(data, actor=actor, idempotency_key=idempotency_key)
    if created and enrichment is not None:
        record(ticket, enrichment)
    return ticket, created
