"""What ComplaintLoop asks the operator's other systems (003: CRM, BOSS, NSP) at intake.

Each source is a small Protocol so the simulated adapter (demo, tests) and the HTTP
JSON adapter (production) are interchangeable; results are plain dataclasses that
serialize to the ticket's enrichment snapshot."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class CustomerRef:
    """Who is asked about: read from our own tables before any partner is called, so
    adapters never touch the database (they may run in worker threads)."""

    phone: str
    level: str = ""
    city_code: str = ""
    city_name: str = ""
    area: str = ""  # district/county named in the address, e.g. 云龙区


@dataclass(frozen=True)
class Profile:
    """CRM: the subscriber's plan and account standing."""

    plan: str
    network: str
    account_status: str  # "normal" | "arrears" | "suspended"
    balance_fen: int
    since: date
    credit_level: str = ""

    def as_dict(self) -> dict:
        return {**asdict(self), "since": self.since.isoformat()}


@dataclass(frozen=True)
class BillingLine:
    """BOSS: one line of a monthly bill (amounts in fen, never floats)."""

    month: str  # YYYY-MM
    item: str
    amount_fen: int
    kind: str = "fee"  # fee | value_added | overage | adjustment | payment
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class NetworkFault:
    """NSP: a network fault (故障单) and the area and period it affects."""

    id: str
    city_code: str
    area: str
    title: str
    kind: str  # outage | degraded | maintenance
    start: datetime
    end: datetime | None = None
    services: tuple[str, ...] = field(default_factory=tuple)

    def active_at(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "services": list(self.services),
        }


@runtime_checkable
class CustomerDirectory(Protocol):
    def profile(self, customer: CustomerRef) -> Profile | None: ...


@runtime_checkable
class BillingRecords(Protocol):
    def recent(self, customer: CustomerRef, *, months: int = 3) -> list[BillingLine]: ...


@runtime_checkable
class NetworkFaults(Protocol):
    def near(
        self, customer: CustomerRef, *, since: datetime, until: datetime
    ) -> list[NetworkFault]: ...
