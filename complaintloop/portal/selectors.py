"""Reads for the customer portal: choices for the form and the customer's view of a
ticket (no staff names, no internal units, no internal notes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from complaintloop.org.models import Unit, UnitKind
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import EventKind, Status, Ticket

SATISFACTION_LABELS = {
    "satisfied": gettext_lazy("满意"),
    "neutral": pgettext_lazy("satisfaction", "一般"),
    "dissatisfied": gettext_lazy("不满意"),
}


def cities() -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.CITY, is_active=True).order_by("path"))


def city(code: str) -> Unit | None:
    if not code:
        return None
    return Unit.objects.filter(kind=UnitKind.CITY, is_active=True, code=code).first()


def categories() -> list[tuple[Category, list[Category]]]:
    """Level-1 categories, each with its level-2 children, for one grouped select."""
    rows = list(Category.objects.filter(is_active=True, level__lte=2).order_by("path"))
    tops = [c for c in rows if c.level == 1]
    return [(top, [c for c in rows if c.parent_id == top.pk]) for top in tops]


def category(code: str) -> Category | None:
    if not code:
        return None
    return Category.objects.filter(is_active=True, level__lte=2, code=code).first()


def ticket(number: str) -> Ticket | None:
    return Ticket.objects.select_related("category", "region").filter(number=number).first()


def status_label(ticket_obj: Ticket) -> str:
    return {
        Status.NEW: _("已受理,等待处理"),
        Status.PENDING: _("已受理,等待处理部门签收"),
        Status.IN_PROGRESS: _("处理中"),
        Status.SUSPENDED: _("处理中"),
        Status.REPLIED: _("已处理,待您评价"),
        Status.CLOSED: _("已办结"),
    }[ticket_obj.status]


@dataclass
class Step:
    at: datetime
    title: str
    text: str = ""
    kind: str = ""


def trace(ticket_obj: Ticket) -> list[Step]:
    """What the customer may see of the event log, oldest first."""
    steps: list[Step] = []
    events = ticket_obj.events.order_by("seq").only("kind", "at", "comment", "to_status", "payload")
    for event in events:
        step = _step(event)
        if step is not None:
            steps.append(step)
    return steps


def _step(event) -> Step | None:
    kind = event.kind
    if kind == EventKind.CREATED:
        if event.to_status == Status.CLOSED:
            return Step(event.at, _("已受理并当场解决"), event.comment, "closed")
        return Step(event.at, _("已受理"), _("您的诉求已登记,我们会尽快处理。"), "created")
    if kind == EventKind.DISPATCHED:
        return Step(event.at, _("已派发"), _("已派发至处理部门。"), "moved")
    if kind == EventKind.ACCEPTED:
        return Step(event.at, _("处理部门已签收"), _("处理部门正在处理您的问题。"), "accepted")
    if kind == EventKind.TRANSFERRED:
        return Step(event.at, _("已转交"), _("已转交相关部门处理。"), "moved")
    if kind == EventKind.REPLIED:
        return Step(event.at, _("处理完成"), event.comment, "replied")
    if kind == EventKind.CALLED_BACK:
        result = (event.payload or {}).get("result", "")
        label = SATISFACTION_LABELS.get(result, "")
        if (event.payload or {}).get("second_handling"):
            return Step(
                event.at, _("已评价:%(r)s") % {"r": label}, _("已安排重新处理。"), "reopened"
            )
        return Step(event.at, _("已评价:%(r)s") % {"r": label}, _("工单已办结。"), "closed")
    if kind == EventKind.CLOSED:
        return Step(event.at, _("已办结"), "", "closed")
    if kind == EventKind.REOPENED:
        return Step(event.at, _("重新处理"), _("工单已重新交由处理部门处理。"), "reopened")
    return None
