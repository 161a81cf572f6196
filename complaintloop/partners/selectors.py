"""Partner answers (live at intake, or the snapshot kept with a ticket) shaped for
the pages: bills per month with totals, faults with what they mean for this caller."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from complaintloop.core import clock
from complaintloop.tickets.models import Ticket

from .models import Source, TicketEnrichment

STATUS_TEXT = {
    "timeout": _("响应超时"),
    "error": _("接口出错"),
    "unavailable": _("暂不可用"),
}
ACCOUNT_STATUS = {
    "normal": _("正常"),
    "arrears": _("欠费"),
    "suspended": _("停机"),
}
FAULT_KIND = {
    "outage": _("中断"),
    "degraded": _("质量下降"),
    "maintenance": _("割接"),
}
# A fault that ended within this window still explains a complaint coming in now.
RECENT_FAULT = timedelta(days=3)


@dataclass
class Fault:
    id: str
    area: str
    title: str
    kind: str
    start: datetime
    end: datetime | None
    active: bool
    same_area: bool
    recent: bool

    @property
    def kind_label(self) -> str:
        return str(FAULT_KIND.get(self.kind, self.kind))

    @property
    def suggests_batch(self) -> bool:
        return self.same_area and (self.active or self.recent)


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals, without going through floats."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


@dataclass
class Month:
    month: str
    lines: list[dict]
    total_fen: int

    @property
    def total_yuan(self) -> str:
        return yuan(self.total_fen)


@dataclass
class PartnerView:
    fetched_at: datetime | None
    area: str
    statuses: dict[str, str] = field(default_factory=dict)  # source → unavailable text
    profile: dict | None = None
    months: list[Month] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    @property
    def batch_fault(self) -> Fault | None:
        return next((f for f in self.faults if f.suggests_batch), None)

    @property
    def any_unavailable(self) -> bool:
        return bool(self.statuses)


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return clock.localtime(datetime.fromisoformat(value))
    except ValueError:
        return None


def present(data: dict, *, at: datetime | None = None) -> PartnerView:
    """Shape an enrichment dict (``Enrichment.as_dict()`` or a stored snapshot)."""
    moment = at or _when(data.get("fetched_at")) or clock.now()
    area = (data.get("customer") or {}).get("area", "")
    view = PartnerView(fetched_at=_when(data.get("fetched_at")), area=area)
    for source in Source.values:
        entry = data.get(source) or {"status": "unavailable"}
        if entry.get("status") != "ok":
            view.statuses[source] = str(STATUS_TEXT.get(entry.get("status"), STATUS_TEXT["error"]))
    profile = (data.get(Source.DIRECTORY) or {}).get("data")
    if isinstance(profile, dict):
        view.profile = {
            **profile,
            "balance_yuan": yuan(int(profile.get("balance_fen") or 0)),
            "status_label": str(
                ACCOUNT_STATUS.get(profile.get("account_status"), profile.get("account_status"))
            ),
        }
    months: OrderedDict[str, list[dict]] = OrderedDict()
    for line in (data.get(Source.BILLING) or {}).get("data") or []:
        line = {**line, "yuan": yuan(int(line.get("amount_fen") or 0))}
        months.setdefault(line.get("month", ""), []).append(line)
    view.months = [
        Month(m, lines, sum(int(x.get("amount_fen") or 0) for x in lines))
        for m, lines in sorted(months.items(), reverse=True)
    ]
    for f in (data.get(Source.FAULTS) or {}).get("data") or []:
        start, end = _when(f.get("start")), _when(f.get("end"))
        if start is None:
            continue
        active = start <= moment and (end is None or moment < end)
        view.faults.append(
            Fault(
                id=f.get("id", ""),
                area=f.get("area", ""),
                title=f.get("title", ""),
                kind=f.get("kind", ""),
                start=start,
                end=end,
                active=active,
                same_area=not area or not f.get("area") or f.get("area") == area,
                recent=end is not None and moment - end <= RECENT_FAULT,
            )
        )
    # What matters to this caller first: active, then in their area, then newest.
    view.faults.sort(key=lambda f: (not f.active, not f.same_area, -f.start.timestamp()))
    return view


def for_ticket(ticket: Ticket) -> PartnerView | None:
    snapshot = TicketEnrichment.objects.filter(ticket=ticket).only("data").first()
    return present(snapshot.data) if snapshot is not None else None
