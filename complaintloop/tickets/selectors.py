"""Reads of tickets, always through the actor's data scope."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Invalid, NotFound
from complaintloop.org.models import Staff

from . import search as fulltext
from .models import OPEN_STATUSES, Status, Ticket, TicketEvent, WorkItemStatus


@dataclass
class TicketFilter:
    status: list[str] | None = None
    order_type: str = ""
    category: str = ""
    unit: str = ""
    region: str = ""
    owner: str = ""
    customer_phone: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None
    overdue: bool | None = None
    sla_state: str = ""
    urgency: str = ""
    q: str = ""


def get_visible(number: str, actor: Staff) -> Ticket:
    ticket = (
        Ticket.objects.visible_to(actor)
        .select_related(
            "order_type",
            "category",
            "customer",
            "region",
            "owner_unit",
            "owner_staff",
            "accepting_unit",
            "parent",
            "merged_into",
            "product",
            "sp",
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound("ticket.not_found", _("工单 %(number)s 不存在") % {"number": number})
    return ticket


def _unit_path(code: str, field: str) -> str:
    from complaintloop.org.models import Unit

    path = Unit.objects.filter(code=code).values_list("path", flat=True).first()
    if path is None:
        raise Invalid(
            "unit.unknown", _("单位 %(code)s 不存在") % {"code": code}, {field: [_("未知单位")]}
        )
    return path


def search(actor: Staff, flt: TicketFilter) -> QuerySet[Ticket]:
    qs = Ticket.objects.visible_to(actor)
    if flt.status:
        bad = [s for s in flt.status if s not in Status.values and s != "open"]
        if bad:
            raise Invalid("status.unknown", _("状态不正确"), {"status": bad})
        wanted = set(flt.status)
        if "open" in wanted:
            wanted = (wanted - {"open"}) | set(OPEN_STATUSES)
        qs = qs.filter(status__in=sorted(wanted))
    if flt.order_type:
        qs = qs.filter(order_type__code=flt.order_type)
    if flt.category:
        from complaintloop.taxonomy.models import Category

        path = Category.objects.filter(code=flt.category).values_list("path", flat=True).first()
        if path is None:
            raise Invalid("category.unknown", _("分类不存在"), {"category": [flt.category]})
        qs = qs.filter(category_path__startswith=path)
    if flt.unit:
        qs = qs.filter(owner_unit__path__startswith=_unit_path(flt.unit, "unit"))
    if flt.region:
        qs = qs.filter(region_path__startswith=_unit_path(flt.region, "region"))
    if flt.owner:
        qs = qs.filter(owner_staff__username=flt.owner)
    if flt.customer_phone:
        qs = qs.filter(customer__phone=flt.customer_phone)
    if flt.created_from:
        qs = qs.filter(created_at__gte=flt.created_from)
    if flt.created_to:
        qs = qs.filter(created_at__lt=flt.created_to)
    if flt.overdue is True:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=clock.now())
    elif flt.overdue is False:
        qs = qs.exclude(status__in=OPEN_STATUSES, due_at__lt=clock.now())
    if flt.sla_state:
        qs = qs.filter(sla_state=flt.sla_state)
    if flt.urgency:
        qs = qs.filter(urgency=flt.urgency)
    if flt.q:
        text = flt.q.strip()
        if re.fullmatch(r"TS\d{8,}", text):
            qs = qs.filter(number=text)
        else:
            qs = fulltext.filter_text(qs, text)
    return qs


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = raw.split(":", 1)
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("cursor.invalid", _("分页游标无效"), {"cursor": [_("无效")]}) from exc


def page(
    qs: QuerySet[Ticket], *, cursor: str | None, limit: int
) -> tuple[list[Ticket], str | None]:
    """Keyset pagination on id, newest first: stable under inserts, no OFFSET scans."""
    if cursor:
        qs = qs.filter(id__lt=decode_cursor(cursor))
    rows = list(
        qs.select_related(
            "order_type", "category", "region", "owner_unit", "owner_staff", "customer"
        ).order_by("-id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].pk) if more and rows else None)


def events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("seq")


def open_work_items(ticket: Ticket):
    return (
        ticket.work_items.filter(status=WorkItemStatus.OPEN)
        .select_related("unit", "staff")
        .order_by("id")
    )
