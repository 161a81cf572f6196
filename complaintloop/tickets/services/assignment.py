"""Assignment inside a unit (R10): who in the unit gets a new work item, by the unit's
mode (round robin, least loaded), skills first, never someone absent or at their limit;
a supervisor pushes an item to a person or pulls it back to the unit's pool. The choice
and its reason go into the trace."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Forbidden, Invalid, NotFound
from complaintloop.org.models import AssignmentMode, Role, Staff, Unit
from complaintloop.routing import dmn

from ..models import EventKind, Ticket, WorkItem, WorkItemKind, WorkItemStatus
from . import _base

# Who can hold work in a unit: people who operate on tickets.
HOLDER_ROLES = (Role.AGENT, Role.HANDLER, Role.SUPERVISOR)


def wanted_skills(ticket: Ticket) -> set[str]:
    """What a skill may name: the category (and its ancestors), product, SP, order type."""
    wanted = set(dmn.codes_with_ancestors(ticket.category_path))
    for code in (
        getattr(ticket.product, "code", None) if ticket.product_id else None,
        getattr(ticket.sp, "code", None) if ticket.sp_id else None,
        ticket.order_type.code if ticket.order_type_id else None,
    ):
        if code:
            wanted.add(code)
    return wanted


def open_loads(people: list[Staff]) -> dict[int, int]:
    rows = (
        WorkItem.objects.filter(status=WorkItemStatus.OPEN, staff__in=people)
        .values("staff")
        .annotate(n=Count("id"))
    )
    return {row["staff"]: row["n"] for row in rows}


def choose(unit: Unit, skills: set[str]) -> tuple[Staff | None, dict[str, Any]]:
    """The person the unit's mode picks and why (a reason in the trace's code form)."""
    people = list(
        Staff.objects.filter(unit=unit, is_active=True, role__in=HOLDER_ROLES).order_by("id")
    )
    present = [p for p in people if p.is_available]
    if not present:
        return None, {"code": "nobody_present", "mode": unit.assignment_mode}
    loads = open_loads(present)
    free = [p for p in present if p.max_open_items is None or loads.get(p.pk, 0) < p.max_open_items]
    if not free:
        return None, {"code": "all_full", "mode": unit.assignment_mode}
    skilled = [p for p in free if skills & set(p.skills or [])]
    pool = skilled or free
    never = clock.now().replace(year=1970)

    def last(p: Staff):
        return p.last_assigned_at or never

    if unit.assignment_mode == AssignmentMode.LEAST_LOADED:
        chosen = min(pool, key=lambda p: (loads.get(p.pk, 0), last(p), p.pk))
    else:
        chosen = min(pool, key=lambda p: (last(p), p.pk))
    return chosen, {
        "code": "assigned",
        "mode": unit.assignment_mode,
        "staff": chosen.username,
        "name": str(chosen),
        "load": loads.get(chosen.pk, 0),
        "skills": sorted(skills & set(chosen.skills or [])),
        "candidates": len(pool),
    }


def auto_assign(ticket: Ticket, item: WorkItem) -> dict[str, Any] | None:
    """Give a new work item to a person when its unit assigns (called in the operation's
    transaction; the reason rides on the operation's event)."""
    unit = item.unit
    if unit.assignment_mode == AssignmentMode.POOL or item.staff_id is not None:
        return None
    # One assigner at a time per unit, so two tickets at once do not both pick the
    # person who was last in line.
    Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True).first()
    chosen, reason = choose(unit, wanted_skills(ticket))
    if chosen is not None:
        item.staff = chosen
        item.save(update_fields=["staff"])
        Staff.objects.filter(pk=chosen.pk).update(last_assigned_at=clock.now())
    reason["unit"] = unit.code
    return reason


@transaction.atomic
def assign(
    number: str,
    *,
    actor: Staff,
    to_staff: str | None,
    comment: str = "",
    version: int | None = None,
) -> Ticket:
    """Push the main work item to a person of its unit (``to_staff``), or pull it back
    to the unit's pool (``None``). Supervisors only."""
    ticket = _base.lock_visible(number, actor)
    _base.require_supervisor(actor)
    _base.check_transition(ticket, EventKind.ASSIGNED, version)
    item = _base.open_item(ticket, WorkItemKind.MAIN)
    if item is None:
        raise Invalid("assign.no_item", _("工单没有待办环节可分配"), {})
    if actor.unit is None or not (
        actor.sees_whole_province or item.unit_path.startswith(actor.scope_path)
    ):
        raise Forbidden("assign.out_of_scope", _("该待办不在您的管理范围内"))
    before = item.staff
    person = None
    if to_staff:
        person = Staff.objects.filter(
            username=to_staff, unit=item.unit, is_active=True, role__in=HOLDER_ROLES
        ).first()
        if person is None:
            raise NotFound(
                "assign.staff_not_found",
                _("%(unit)s 没有可分配的人员 %(who)s") % {"unit": item.unit.name, "who": to_staff},
                {"staff": [_("不在该单位")]},
            )
    if (before.pk if before else None) == (person.pk if person else None):
        raise Invalid("assign.unchanged", _("待办已在该处"), {"staff": [_("未改变")]})
    item.staff = person
    if person is None:
        item.accepted_at = None
        item.accepted_by = None
    item.save(update_fields=["staff", "accepted_at", "accepted_by"])
    if person is not None:
        Staff.objects.filter(pk=person.pk).update(last_assigned_at=clock.now())
    if ticket.owner_staff_id and person is None:
        ticket.owner_staff = None
    elif person is not None and item.accepted_at is not None:
        ticket.owner_staff = person
    _base.record(
        ticket,
        EventKind.ASSIGNED,
        actor=actor,
        from_status=ticket.status,
        comment=comment,
        payload={
            "assigned": {
                "code": "pushed" if person else "pulled_back",
                "unit": item.unit.code,
                "staff": person.username if person else None,
                "name": str(person) if person else None,
                "from_staff": before.username if before else None,
            }
        },
    )
    return ticket
