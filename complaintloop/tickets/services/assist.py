"""协办: the handling unit asks other units for parallel help."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from complaintloop.core import calendar, clock
from complaintloop.core.errors import Conflict, Invalid
from complaintloop.org.models import Staff

from ..models import EventKind, Ticket, WorkItemKind, WorkItemStatus
from . import _base
from .process import require_step_allows


@transaction.atomic
def request_assistance(
    number: str,
    *,
    actor: Staff,
    units: list[str],
    comment: str,
    time_limit_minutes: int | None = None,
    version: int | None = None,
) -> Ticket:
    """Open one assist work item per unit; the ticket cannot be replied until all are done."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.ASSIST_REQUESTED, version)
    request = _base.require_text(comment, "comment", _("协办要求"))
    main = _base.require_holder(actor, ticket)
    require_step_allows(ticket, "request_assistance", _("发起协办"))
    if not units:
        raise Invalid("field.required", _("请选择协办单位"), {"units": [_("必填")]})
    if len(set(units)) != len(units):
        raise Invalid("assist.duplicate_unit", _("协办单位重复"), {"units": [_("重复")]})
    targets = [_base.unit_by_code(code, "units") for code in units]
    busy = set(
        ticket.work_items.filter(status=WorkItemStatus.OPEN, kind=WorkItemKind.ASSIST).values_list(
            "unit_id", flat=True
        )
    )
    for unit in targets:
        if main is not None and unit.pk == main.unit_id:
            raise Invalid("assist.self", _("不能请本单位协办"), {"units": [unit.code]})
        if unit.pk in busy:
            raise Conflict(
                "assist.already_open", _("%(unit)s 已有未完成的协办") % {"unit": unit.name}
            )
    now = clock.now()
    limit = time_limit_minutes or calendar.workday_minutes()
    due = min(filter(None, [ticket.due_at, calendar.deadline(now, limit, ticket.time_basis)]))
    for unit in targets:
        _base.new_item(
            ticket,
            kind=WorkItemKind.ASSIST,
            unit=unit,
            step="assist",
            from_unit=main.unit if main else actor.unit,
            due_at=due,
            request=request,
        )
    _base.record(
        ticket,
        EventKind.ASSIST_REQUESTED,
        actor=actor,
        from_status=ticket.status,
        comment=request,
        payload={"units": [u.code for u in targets], "due_at": due.isoformat()},
    )
    return ticket


@transaction.atomic
def complete_assistance(
    number: str, *, actor: Staff, comment: str, unit: str = "", version: int | None = None
) -> Ticket:
    """The assisting unit answers; its work item closes."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.ASSIST_COMPLETED, version)
    result = _base.require_text(comment, "comment", _("协办结果"))
    items = ticket.work_items.filter(
        status=WorkItemStatus.OPEN, kind=WorkItemKind.ASSIST
    ).select_related("unit")
    if unit:
        items = items.filter(unit__code=unit)
    mine = [item for item in items if _base.holds(actor, item)] or (
        list(items) if actor.can_supervise else []
    )
    if not mine:
        raise Conflict("assist.none_open", _("没有您所在单位待完成的协办"))
    item = mine[0]
    _base.finish_item(item, result=result)
    _base.record(
        ticket,
        EventKind.ASSIST_COMPLETED,
        actor=actor,
        from_status=ticket.status,
        comment=result,
        payload={"unit": item.unit.code},
    )
    return ticket
