"""催办/督办/升级 by people, and the SLA sweep that warns and escalates by itself."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Conflict
from complaintloop.org.models import Staff

from ..models import (
    EventKind,
    SlaState,
    Status,
    Ticket,
    Urgency,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)
from . import _base

URGENCY_UP = {
    Urgency.NORMAL: Urgency.URGENT,
    Urgency.URGENT: Urgency.CRITICAL,
    Urgency.CRITICAL: Urgency.CRITICAL,
}
MAX_ESCALATION = 3


@transaction.atomic
def urge(number: str, *, actor: Staff, comment: str = "", version: int | None = None) -> Ticket:
    """催办: remind the holding unit; counted for assessment."""
    ticket = _base.lock_visible(number, actor)
    _base.require_overseer(actor)
    _base.check_transition(ticket, EventKind.URGED, version)
    ticket.urge_count += 1
    _base.record(
        ticket,
        EventKind.URGED,
        actor=actor,
        from_status=ticket.status,
        comment=comment,
        payload={"urge_count": ticket.urge_count},
    )
    return ticket


@transaction.atomic
def supervise(
    number: str, *, actor: Staff, comment: str = "", version: int | None = None
) -> Ticket:
    """督办: put the ticket under a supervisor's watch."""
    ticket = _base.lock_visible(number, actor)
    _base.require_supervisor(actor)
    _base.check_transition(ticket, EventKind.SUPERVISED, version)
    if ticket.is_supervised:
        raise Conflict("supervise.already", _("工单已在督办中"))
    ticket.is_supervised = True
    _base.record(
        ticket, EventKind.SUPERVISED, actor=actor, from_status=ticket.status, comment=comment
    )
    return ticket


@transaction.atomic
def escalate(number: str, *, actor: Staff, comment: str = "", version: int | None = None) -> Ticket:
    """升级: raise urgency and escalation level (up to 3); supervisors are alerted."""
    ticket = _base.lock_visible(number, actor)
    _base.require_supervisor(actor)
    _base.check_transition(ticket, EventKind.ESCALATED, version)
    _escalate(ticket, actor=actor, comment=comment)
    return ticket


def _escalate(
    ticket: Ticket, *, actor: Staff | None, comment: str, kind: str = EventKind.ESCALATED
) -> None:
    if ticket.escalation_level >= MAX_ESCALATION and kind == EventKind.ESCALATED:
        raise Conflict("escalate.max", _("已升级到最高级别"))
    ticket.escalation_level = min(MAX_ESCALATION, ticket.escalation_level + 1)
    ticket.urgency = URGENCY_UP[ticket.urgency]
    _base.record(
        ticket,
        kind,
        actor=actor,
        from_status=ticket.status,
        comment=comment,
        payload={"escalation_level": ticket.escalation_level, "urgency": ticket.urgency},
    )


SWEPT_STATUSES = (Status.NEW, Status.PENDING, Status.IN_PROGRESS)


def sla_sweep(now: datetime | None = None, *, limit: int = 2000) -> dict[str, int]:
    """Mark near-breach and breached work items; the main item's state is the
    ticket's. Near-breach writes an automatic urge, breach an automatic escalation.
    Each item moves ok → near → breached once, so running twice changes nothing."""
    now = now or clock.now()
    counts = {"near": 0, "breached": 0}
    breached = (
        WorkItem.objects.filter(
            status=WorkItemStatus.OPEN, due_at__lte=now, ticket__status__in=SWEPT_STATUSES
        )
        .exclude(sla_state=SlaState.BREACHED)
        .values_list("pk", flat=True)[:limit]
    )
    for item_id in list(breached):
        counts["breached"] += _mark(item_id, SlaState.BREACHED, now)
    near = WorkItem.objects.filter(
        status=WorkItemStatus.OPEN,
        warn_at__lte=now,
        sla_state=SlaState.OK,
        ticket__status__in=SWEPT_STATUSES,
    ).values_list("pk", flat=True)[:limit]
    for item_id in list(near):
        counts["near"] += _mark(item_id, SlaState.NEAR, now)
    # The first-response clock runs separately from resolution (R12): nobody signed yet.
    unanswered = Ticket.objects.filter(
        status__in=(Status.NEW, Status.PENDING),
        first_response_at__isnull=True,
        first_response_breached=False,
        first_response_due_at__lte=now,
    ).values_list("number", flat=True)[:limit]
    counts["first_response"] = sum(_first_response_breached(number) for number in list(unanswered))
    return counts


@transaction.atomic
def _first_response_breached(number: str) -> int:
    ticket = _base.lock_system(number)
    if ticket.first_response_breached or ticket.first_response_at is not None:
        return 0
    if ticket.status not in (Status.NEW, Status.PENDING):
        return 0
    ticket.first_response_breached = True
    _base.record(
        ticket,
        EventKind.FIRST_RESPONSE_BREACHED,
        actor=None,
        from_status=ticket.status,
        comment=_("首次响应超时,请尽快签收"),
        payload={"first_response_due_at": ticket.first_response_due_at.isoformat()},
    )
    return 1


@transaction.atomic
def _mark(item_id: int, state: str, now: datetime) -> int:
    item = WorkItem.objects.select_related("ticket", "unit").get(pk=item_id)
    ticket = _base.lock_system(item.ticket.number)
    allowed_from = [SlaState.OK] if state == SlaState.NEAR else [SlaState.OK, SlaState.NEAR]
    # Claim the transition; a concurrent sweep that already moved it gets 0 rows.
    if not WorkItem.objects.filter(
        pk=item_id, status=WorkItemStatus.OPEN, sla_state__in=allowed_from
    ).update(sla_state=state):
        return 0
    if ticket.status not in SWEPT_STATUSES:
        return 0
    payload = {
        "work_item": item.pk,
        "unit": item.unit.code,
        "kind": item.kind,
        "due_at": item.due_at.isoformat() if item.due_at else None,
    }
    if item.kind == WorkItemKind.MAIN:
        ticket.sla_state = state
    if state == SlaState.NEAR:
        ticket.urge_count += 1
        _base.record(
            ticket,
            EventKind.SLA_NEAR,
            actor=None,
            from_status=ticket.status,
            comment=_("系统自动催办:即将超时"),
            payload=payload,
        )
    else:
        ticket.escalation_level = min(MAX_ESCALATION, ticket.escalation_level + 1)
        ticket.urgency = URGENCY_UP[ticket.urgency]
        payload.update(escalation_level=ticket.escalation_level)
        _base.record(
            ticket,
            EventKind.SLA_BREACHED,
            actor=None,
            from_status=ticket.status,
            comment=_("系统自动升级:已超时"),
            payload=payload,
        )
    return 1
