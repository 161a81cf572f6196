"""Merge duplicates, link related tickets, parent/child for batch incidents."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Conflict, Invalid
from complaintloop.org.models import Staff

from ..models import EventKind, LinkKind, Status, Ticket, TicketLink
from . import _base
from .process import finish_process


def _lock_pair(first: str, second: str, actor: Staff) -> tuple[Ticket, Ticket]:
    if not second:
        raise Invalid("field.required", _("请填写目标工单号"), {"target": [_("必填")]})
    if first == second:
        raise Invalid("ticket.same", _("不能与自身操作"), {"target": [_("与当前工单相同")]})
    # Lock in number order so two opposite merges cannot deadlock.
    a, b = sorted([first, second])
    locked = {a: _base.lock_visible(a, actor), b: _base.lock_visible(b, actor)}
    return locked[first], locked[second]


@transaction.atomic
def merge(
    number: str, *, actor: Staff, target: str, comment: str = "", version: int | None = None
) -> Ticket:
    """合并: close ``number`` as a duplicate of ``target``."""
    ticket, main = _lock_pair(number, target, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.MERGED, version)
    _base.check_transition(main, EventKind.MERGED_IN)
    if main.merged_into_id:
        raise Conflict("merge.target_merged", _("目标工单已被合并"))
    before = ticket.status
    _base.cancel_open_items(ticket)
    finish_process(ticket)
    ticket.status = Status.CLOSED
    ticket.closed_at = clock.now()
    ticket.merged_into = main
    ticket.current_step = ""
    TicketLink.objects.get_or_create(
        source=ticket, target=main, defaults={"kind": LinkKind.DUPLICATE, "created_at": clock.now()}
    )
    _base.record(
        ticket,
        EventKind.MERGED,
        actor=actor,
        from_status=before,
        comment=comment,
        payload={"into": main.number},
    )
    _base.record(
        main,
        EventKind.MERGED_IN,
        actor=actor,
        from_status=main.status,
        comment=comment,
        payload={"from": ticket.number},
        notify=False,
    )
    return ticket


@transaction.atomic
def link(
    number: str,
    *,
    actor: Staff,
    target: str,
    kind: str = LinkKind.RELATED,
    comment: str = "",
    version: int | None = None,
) -> Ticket:
    """关联: note that two tickets are related."""
    ticket, other = _lock_pair(number, target, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.LINKED, version)
    if kind not in LinkKind.values:
        raise Invalid("link.bad_kind", _("关联类型不正确"), {"kind": LinkKind.values})
    if (
        TicketLink.objects.filter(source=ticket, target=other).exists()
        or TicketLink.objects.filter(source=other, target=ticket).exists()
    ):
        raise Conflict("link.exists", _("两张工单已关联"))
    TicketLink.objects.create(source=ticket, target=other, kind=kind, created_at=clock.now())
    _base.record(
        ticket,
        EventKind.LINKED,
        actor=actor,
        from_status=ticket.status,
        comment=comment,
        payload={"target": other.number, "kind": kind},
        notify=False,
    )
    return ticket


@transaction.atomic
def set_parent(
    number: str, *, actor: Staff, target: str, comment: str = "", version: int | None = None
) -> Ticket:
    """主子工单: make ``target`` the parent (batch incident) of ``number``."""
    ticket, parent = _lock_pair(number, target, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.PARENT_SET, version)
    if ticket.parent_id == parent.pk:
        raise Conflict("parent.same", _("已是该工单的子工单"))
    ancestor, depth = parent, 0
    while ancestor is not None and depth < 50:
        if ancestor.pk == ticket.pk:
            raise Conflict("parent.cycle", _("不能形成循环的主子关系"))
        ancestor, depth = ancestor.parent, depth + 1
    ticket.parent = parent
    _base.record(
        ticket,
        EventKind.PARENT_SET,
        actor=actor,
        from_status=ticket.status,
        comment=comment,
        payload={"parent": parent.number},
        notify=False,
    )
    return ticket
