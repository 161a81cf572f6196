"""Shared steps of every ticket operation: lock the visible ticket, check the
transition, append the event and its outbox row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from complaintloop.core import calendar, clock, outbox
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.org.models import Staff, Unit

from ..models import (
    EventKind,
    Status,
    Ticket,
    TicketEvent,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)

# Which operation may start from which status (the one table of allowed transitions).
ALLOWED_FROM: dict[str, set[str]] = {
    EventKind.DISPATCHED: {Status.NEW},
    EventKind.ACCEPTED: {Status.PENDING},
    EventKind.TRANSFERRED: {Status.PENDING, Status.IN_PROGRESS},
    EventKind.RETURNED: {Status.PENDING, Status.IN_PROGRESS},
    EventKind.ASSIST_REQUESTED: {Status.IN_PROGRESS},
    EventKind.ASSIST_COMPLETED: {Status.IN_PROGRESS, Status.SUSPENDED},
    EventKind.SUSPENDED: {Status.IN_PROGRESS},
    EventKind.RESUMED: {Status.SUSPENDED},
    EventKind.URGED: {Status.NEW, Status.PENDING, Status.IN_PROGRESS, Status.SUSPENDED},
    EventKind.SUPERVISED: {
        Status.NEW,
        Status.PENDING,
        Status.IN_PROGRESS,
        Status.SUSPENDED,
        Status.REPLIED,
    },
    EventKind.ESCALATED: {Status.NEW, Status.PENDING, Status.IN_PROGRESS, Status.SUSPENDED},
    EventKind.REPLIED: {Status.IN_PROGRESS},
    EventKind.CALLED_BACK: {Status.REPLIED},
    EventKind.CLOSED: {Status.NEW, Status.REPLIED},
    EventKind.REOPENED: {Status.CLOSED},
    EventKind.MERGED: {Status.NEW, Status.PENDING, Status.IN_PROGRESS, Status.SUSPENDED},
    EventKind.MERGED_IN: {
        Status.NEW,
        Status.PENDING,
        Status.IN_PROGRESS,
        Status.SUSPENDED,
        Status.REPLIED,
    },
    EventKind.LINKED: set(Status.values),
    EventKind.PARENT_SET: set(Status.values),
    EventKind.COMMENTED: set(Status.values),
    EventKind.ASSIGNED: {Status.NEW, Status.PENDING, Status.IN_PROGRESS, Status.SUSPENDED},
    EventKind.STEP_COMPLETED: {Status.IN_PROGRESS},  # inside 回复 (reply)
    EventKind.INCIDENT_ATTACHED: {
        Status.NEW,
        Status.PENDING,
        Status.IN_PROGRESS,
        Status.SUSPENDED,
    },
    EventKind.INCIDENT_DETACHED: {
        Status.NEW,
        Status.PENDING,
        Status.IN_PROGRESS,
        Status.SUSPENDED,
    },
    EventKind.SLA_NEAR: {Status.NEW, Status.PENDING, Status.IN_PROGRESS},
    EventKind.SLA_BREACHED: {Status.NEW, Status.PENDING, Status.IN_PROGRESS},
    EventKind.FIRST_RESPONSE_BREACHED: {Status.NEW, Status.PENDING},
}


def lock_visible(number: str, actor: Staff) -> Ticket:
    """The ticket, row-locked for this transaction; 404 if absent or out of scope.

    The lock makes concurrent operations on one ticket run one after the other, so the
    loser sees the new state and fails its transition check with a 409."""
    qs = Ticket.objects.visible_to(actor).filter(number=number)
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    ticket = qs.first()
    if ticket is None:
        raise NotFound("ticket.not_found", _("工单 %(number)s 不存在") % {"number": number})
    return ticket


def lock_system(number: str) -> Ticket:
    """Lock without a data scope, for the system's own sweeps."""
    qs = Ticket.objects.filter(number=number)
    if connection.features.has_select_for_update:
        qs = qs.select_for_update(of=("self",))
    ticket = qs.first()
    if ticket is None:
        raise NotFound("ticket.not_found", _("工单 %(number)s 不存在") % {"number": number})
    return ticket


def require_operator(actor: Staff) -> None:
    """Handling operations: agents, handlers, supervisors, system admins."""
    if not actor.can_operate:
        raise Forbidden("ticket.forbidden", _("当前角色无权操作工单"))


def require_overseer(actor: Staff) -> None:
    """Urging is open to operators and to those who oversee (quality managers)."""
    if not (actor.can_operate or actor.can_supervise):
        raise Forbidden("ticket.forbidden", _("当前角色无权操作工单"))


def require_supervisor(actor: Staff) -> None:
    if not actor.can_supervise:
        raise Forbidden("ticket.forbidden", _("仅班长、主管或质量经理可执行此操作"))


def check_transition(ticket: Ticket, kind: str, expected_version: int | None = None) -> None:
    if expected_version is not None and expected_version != ticket.version:
        raise Conflict(
            "ticket.version_conflict",
            _("工单已被他人修改(当前版本 %(v)s),请刷新后重试") % {"v": ticket.version},
            {"version": [str(ticket.version)]},
        )
    if ticket.status not in ALLOWED_FROM[kind]:
        raise Conflict(
            "ticket.illegal_transition",
            _("工单当前状态为「%(status)s」,不能执行「%(op)s」")
            % {"status": ticket.get_status_display(), "op": EventKind(kind).label},
            {"status": [ticket.status]},
        )


def require_text(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(
            "field.required", _("请填写%(label)s") % {"label": label}, {field: [_("必填")]}
        )
    return text


def unit_by_code(code: str | None, field: str = "to_unit") -> Unit:
    if not code:
        raise Invalid("field.required", _("请选择目标单位"), {field: [_("必填")]})
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise Invalid(
            "unit.unknown", _("单位 %(code)s 不存在") % {"code": code}, {field: [_("未知单位")]}
        )
    return unit


def holds(actor: Staff, item: WorkItem | None) -> bool:
    """Whether the actor's unit (or a unit above it) owns the work item."""
    if item is None or actor.unit is None:
        return False
    return item.unit_path.startswith(actor.unit.path)


def held_before(actor: Staff, ticket: Ticket, kind: str) -> bool:
    """Whether the actor's unit (or one below it) held a work item of ``kind`` on the
    ticket that is no longer open."""
    if actor.unit is None:
        return False
    return (
        ticket.work_items.filter(kind=kind, unit_path__startswith=actor.unit.path)
        .exclude(status=WorkItemStatus.OPEN)
        .exists()
    )


def open_item(ticket: Ticket, kind: str, unit: Unit | None = None) -> WorkItem | None:
    qs = ticket.work_items.filter(status=WorkItemStatus.OPEN, kind=kind)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("id").first()


def require_holder(actor: Staff, ticket: Ticket, kind: str = WorkItemKind.MAIN) -> WorkItem | None:
    """The open work item of ``kind``; the actor must hold it or supervise.

    Called under the ticket's row lock. An actor whose unit held this kind of work item
    on the ticket before, and lost it to a transfer, return or dispatch it did not see
    (two handlers pressing at once, or a stale page), gets 409 like any other lost
    race; 403 is for an actor whose unit never held it."""
    item = open_item(ticket, kind)
    if holds(actor, item) or actor.can_supervise:
        return item
    if held_before(actor, ticket, kind):
        raise Conflict(
            "ticket.moved_on",
            _("工单已转由 %(unit)s 处理,请刷新后重试") % {"unit": item.unit.name if item else "-"},
            {"version": [str(ticket.version)]},
        )
    raise Forbidden(
        "ticket.not_holder",
        _("工单当前由 %(unit)s 处理,您所在单位不能执行此操作")
        % {"unit": item.unit.name if item else "-"},
    )


def warn_at(start: datetime, due: datetime | None, basis: str = "working") -> datetime | None:
    """When the near-breach warning fires: after the configured share of the time
    allowed, counted on the same clock as the deadline (so no warning lands in a
    holiday or at night for a working-time limit)."""
    from django.conf import settings

    if due is None:
        return None
    allowed = calendar.elapsed_minutes(start, due, basis)
    if allowed <= 0:
        return due
    return calendar.deadline(start, int(allowed * settings.SLA_NEAR_BREACH_RATIO), basis)


def new_item(
    ticket: Ticket,
    *,
    kind: str,
    unit: Unit,
    step: str = "",
    from_unit: Unit | None = None,
    due_at: datetime | None = None,
    request: str = "",
    staff: Staff | None = None,
) -> WorkItem:
    now = clock.now()
    item = WorkItem.objects.create(
        ticket=ticket,
        kind=kind,
        step=step,
        unit=unit,
        unit_path=unit.path,
        staff=staff,
        from_unit=from_unit,
        created_at=now,
        due_at=due_at,
        warn_at=warn_at(now, due_at, ticket.time_basis),
        request=request,
    )
    if staff is None and kind != WorkItemKind.CALLBACK and unit.assignment_mode != "pool":
        from .assignment import auto_assign

        reason = auto_assign(ticket, item)
        if reason is not None:
            # Carried into the payload of the event this operation records next.
            ticket.__dict__.setdefault("_assignments", []).append(reason)
    return item


def finish_item(item: WorkItem, *, result: str = "", cancelled: bool = False) -> None:
    item.status = WorkItemStatus.CANCELLED if cancelled else WorkItemStatus.DONE
    item.completed_at = clock.now()
    item.result = result
    item.save(update_fields=["status", "completed_at", "result"])


def cancel_open_items(ticket: Ticket) -> int:
    return ticket.work_items.filter(status=WorkItemStatus.OPEN).update(
        status=WorkItemStatus.CANCELLED, completed_at=clock.now()
    )


def set_owner(ticket: Ticket, unit: Unit | None, staff: Staff | None = None) -> None:
    ticket.owner_unit = unit
    ticket.owner_staff = staff


def record(
    ticket: Ticket,
    kind: str,
    *,
    actor: Staff | None,
    from_status: str,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    notify: bool = True,
    bump: bool = True,
) -> TicketEvent:
    """Save the ticket (version + 1), append its event (seq = version) and the outbox
    row. ``bump=False`` for a ticket just inserted at version 1."""
    now = clock.now()
    assignments = ticket.__dict__.pop("_assignments", None)
    if assignments:
        payload = {**(payload or {}), "assignments": assignments}
    if bump:
        ticket.version += 1
        ticket.updated_at = now
        ticket.save()
    event = TicketEvent.append(
        ticket=ticket,
        seq=ticket.version,
        kind=kind,
        actor=actor if actor is not None and actor.pk else None,
        at=now,
        from_status=from_status,
        to_status=ticket.status,
        comment=comment,
        payload=payload or {},
    )
    if comment and actor is not None:
        from .. import search

        search.add_text(ticket, comment)
    if notify:
        outbox.emit(
            "ticket.event",
            {
                "event_id": event.pk,
                "ticket": ticket.number,
                "kind": kind,
                "status": ticket.status,
                "owner_unit": ticket.owner_unit_id,
                "actor": actor.pk if actor is not None and actor.pk else None,
            },
        )
    return event


def deadline(ticket: Ticket, start: datetime, minutes: int) -> datetime:
    return calendar.deadline(start, minutes, ticket.time_basis)
