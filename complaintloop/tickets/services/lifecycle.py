"""The main line of a ticket: dispatch, accept, transfer, return, suspend/resume,
reply, callback, close, reopen (R8). One transaction and one event per operation."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from complaintloop.core import calendar, clock
from complaintloop.core.errors import Conflict, Invalid
from complaintloop.org import selectors as org_selectors
from complaintloop.org.models import Staff, Unit

from ..models import EventKind, SlaState, Status, Ticket, WorkItemKind
from . import _base
from .process import (
    complete_step,
    finish_process,
    require_step_allows,
    restart_process,
    start_process,
)

SATISFACTION = ("satisfied", "neutral", "dissatisfied")


def _handover(
    ticket: Ticket, *, to_unit: Unit, from_unit: Unit | None, step: str = "handle"
) -> None:
    """Give the main work item to ``to_unit`` (closing the current one)."""
    current = _base.open_item(ticket, WorkItemKind.MAIN)
    if current is not None:
        _base.finish_item(current, cancelled=True)
    _base.new_item(
        ticket,
        kind=WorkItemKind.MAIN,
        unit=to_unit,
        step=step,
        from_unit=from_unit,
        due_at=ticket.due_at,
    )
    _base.set_owner(ticket, to_unit)
    ticket.current_step = step


@transaction.atomic
def dispatch(
    number: str, *, actor: Staff, to_unit: str, comment: str = "", version: int | None = None
) -> Ticket:
    """派单: send a ticket held at intake (pre-handling) to a handling unit."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.DISPATCHED, version)
    _base.require_holder(actor, ticket)
    unit = _base.unit_by_code(to_unit)
    before = ticket.status
    instance = start_process(ticket, ticket.order_type.default_process_key)
    step = instance.ready[0].id if instance.ready else "handle"
    _handover(ticket, to_unit=unit, from_unit=actor.unit, step=step)
    ticket.status = Status.PENDING
    _base.record(
        ticket,
        EventKind.DISPATCHED,
        actor=actor,
        from_status=before,
        comment=comment,
        payload={"to_unit": unit.code, "from_unit": actor.unit.code if actor.unit else None},
    )
    return ticket


@transaction.atomic
def accept(number: str, *, actor: Staff, comment: str = "", version: int | None = None) -> Ticket:
    """签收: the actor's unit takes the main work item; the actor becomes the owner."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.ACCEPTED, version)
    item = _base.require_holder(actor, ticket)
    now = clock.now()
    if item is not None:
        item.accepted_at, item.accepted_by, item.staff = now, actor, actor
        item.save(update_fields=["accepted_at", "accepted_by", "staff"])
    before = ticket.status
    ticket.status = Status.IN_PROGRESS
    ticket.owner_staff = actor
    ticket.first_response_at = ticket.first_response_at or now
    _base.record(ticket, EventKind.ACCEPTED, actor=actor, from_status=before, comment=comment)
    return ticket


@transaction.atomic
def transfer(
    number: str, *, actor: Staff, to_unit: str, comment: str = "", version: int | None = None
) -> Ticket:
    """转派: hand the ticket to another unit, which must sign for it again."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.TRANSFERRED, version)
    item = _base.require_holder(actor, ticket)
    require_step_allows(ticket, "transfer", _("转派"))
    unit = _base.unit_by_code(to_unit)
    if item is not None and item.unit_id == unit.pk:
        raise Invalid(
            "transfer.same_unit", _("不能转派给当前处理单位"), {"to_unit": [_("与当前单位相同")]}
        )
    before = ticket.status
    source = item.unit if item is not None else ticket.owner_unit
    _handover(ticket, to_unit=unit, from_unit=source, step=ticket.current_step or "handle")
    ticket.status = Status.PENDING
    ticket.transfer_count += 1
    _base.record(
        ticket,
        EventKind.TRANSFERRED,
        actor=actor,
        from_status=before,
        comment=comment,
        payload={"from_unit": source.code if source else None, "to_unit": unit.code},
    )
    return ticket


@transaction.atomic
def return_(number: str, *, actor: Staff, comment: str, version: int | None = None) -> Ticket:
    """回退: send the ticket back to the unit it came from, with a reason. Back at the
    accepting unit it waits to be dispatched again."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.RETURNED, version)
    reason = _base.require_text(comment, "comment", _("回退原因"))
    item = _base.require_holder(actor, ticket)
    require_step_allows(ticket, "return", _("回退"))
    sender = (item.from_unit if item is not None else None) or ticket.accepting_unit
    if sender is None:
        raise Conflict("return.no_sender", _("找不到可回退的上一环节"))
    before = ticket.status
    to_intake = sender.pk == ticket.accepting_unit_id
    _handover(
        ticket,
        to_unit=sender,
        from_unit=item.unit if item else None,
        step="dispatch" if to_intake else (ticket.current_step or "handle"),
    )
    ticket.status = Status.NEW if to_intake else Status.PENDING
    ticket.return_count += 1
    _base.record(
        ticket,
        EventKind.RETURNED,
        actor=actor,
        from_status=before,
        comment=reason,
        payload={"to_unit": sender.code},
    )
    return ticket


@transaction.atomic
def suspend(number: str, *, actor: Staff, comment: str, version: int | None = None) -> Ticket:
    """挂起: stop the clock, e.g. while waiting on the customer."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.SUSPENDED, version)
    reason = _base.require_text(comment, "comment", _("挂起原因"))
    _base.require_holder(actor, ticket)
    require_step_allows(ticket, "suspend", _("挂起"))
    before = ticket.status
    ticket.status = Status.SUSPENDED
    ticket.suspended_at = clock.now()
    _base.record(ticket, EventKind.SUSPENDED, actor=actor, from_status=before, comment=reason)
    return ticket


@transaction.atomic
def resume(number: str, *, actor: Staff, comment: str = "", version: int | None = None) -> Ticket:
    """解挂: restart the clock; deadlines move by the suspended (working) time."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.RESUMED, version)
    _base.require_holder(actor, ticket)
    now = clock.now()
    paused = max(0, calendar.elapsed_minutes(ticket.suspended_at or now, now, ticket.time_basis))
    old_due = ticket.due_at
    if ticket.due_at is not None and paused:
        ticket.due_at = _base.deadline(ticket, ticket.due_at, paused)
    for item in ticket.work_items.filter(status="open", due_at__isnull=False):
        if paused:
            item.due_at = _base.deadline(ticket, item.due_at, paused)
            item.warn_at = _base.warn_at(item.created_at, item.due_at, ticket.time_basis)
            item.save(update_fields=["due_at", "warn_at"])
    before = ticket.status
    ticket.status = Status.IN_PROGRESS
    ticket.suspended_minutes += paused
    ticket.suspended_at = None
    _base.record(
        ticket,
        EventKind.RESUMED,
        actor=actor,
        from_status=before,
        comment=comment,
        payload={
            "suspended_minutes": paused,
            "due_at_before": old_due.isoformat() if old_due else None,
            "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
        },
    )
    return ticket


@transaction.atomic
def reply(number: str, *, actor: Staff, comment: str, version: int | None = None) -> Ticket:
    """回复: the handling unit gives its result; the ticket goes to callback."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.REPLIED, version)
    result = _base.require_text(comment, "comment", _("处理结果"))
    item = _base.require_holder(actor, ticket)
    if _base.open_item(ticket, WorkItemKind.ASSIST) is not None:
        raise Conflict("reply.assist_open", _("仍有协办未完成,不能回复"))
    if item is not None:
        _base.finish_item(item, result=result)
    now = clock.now()
    done_step = item.step if item and item.step else "handle"
    instance = complete_step(ticket, done_step)
    step = instance.ready[0] if instance and instance.ready else None
    if step is not None and step.assignee != "accepting":
        return _next_step(ticket, step, done=done_step, item=item, actor=actor, result=result)
    if instance is not None and instance.finished:
        return _reply_and_finish(ticket, actor=actor, result=result, now=now)
    callback_unit = ticket.accepting_unit or ticket.region
    _base.new_item(
        ticket,
        kind=WorkItemKind.CALLBACK,
        unit=callback_unit,
        step=step.id if step else "callback",
        from_unit=item.unit if item else None,
        due_at=calendar.deadline(
            now, step.time_limit_minutes or calendar.workday_minutes(), ticket.time_basis
        )
        if step
        else calendar.deadline(now, calendar.workday_minutes(), ticket.time_basis),
    )
    before = ticket.status
    ticket.status = Status.REPLIED
    ticket.resolution = result
    ticket.resolved_at = now
    ticket.first_response_at = ticket.first_response_at or now
    ticket.current_step = step.id if step else "callback"
    _base.set_owner(ticket, callback_unit)
    _base.record(
        ticket,
        EventKind.REPLIED,
        actor=actor,
        from_status=before,
        comment=result,
        payload={"on_time": bool(ticket.due_at is None or now <= ticket.due_at)},
    )
    return ticket


def _step_unit(ticket: Ticket, assignee: str, fallback: Unit) -> Unit:
    """Who holds a process step: ``routed`` is the unit routing chose (the ticket's first
    handling unit), a department code is that department in the ticket's city, else the
    province's."""
    if assignee == "routed":
        first = (
            ticket.work_items.filter(kind=WorkItemKind.MAIN)
            .exclude(step="dispatch")
            .order_by("id")
            .select_related("unit")
            .first()
        )
        return first.unit if first else fallback
    city = org_selectors.region_of(ticket.region) or ticket.region
    found = org_selectors.unit_by_code(f"{city.code}-{assignee}")
    if found is None and city.parent_id:
        # A department only the province has (质量管理部 JS-ZL for root-cause analysis).
        province = org_selectors.unit(city.parent_id)
        found = org_selectors.unit_by_code(f"{province.code}-{assignee}") if province else None
    return found or fallback


def _next_step(ticket: Ticket, step, *, done: str, item, actor: Staff, result: str) -> Ticket:
    """The process goes on to another handling step (e.g. the SP's reply): its unit
    gets the main work item and must sign for it; the ticket is not replied yet."""
    fallback = item.unit if item is not None else (ticket.owner_unit or ticket.region)
    unit = _step_unit(ticket, step.assignee, fallback)
    _handover(ticket, to_unit=unit, from_unit=item.unit if item else None, step=step.id)
    if step.time_limit_minutes:
        new = _base.open_item(ticket, WorkItemKind.MAIN)
        due = _base.deadline(ticket, clock.now(), step.time_limit_minutes)
        if new is not None and ticket.due_at is not None:
            new.due_at = min(ticket.due_at, due)
            new.warn_at = _base.warn_at(clock.now(), new.due_at, ticket.time_basis)
            new.save(update_fields=["due_at", "warn_at"])
    before = ticket.status
    ticket.status = Status.PENDING
    ticket.owner_staff = None
    _base.record(
        ticket,
        EventKind.STEP_COMPLETED,
        actor=actor,
        from_status=before,
        comment=result,
        payload={"step": done, "next_step": step.id, "to_unit": unit.code},
    )
    return ticket


def _reply_and_finish(ticket: Ticket, *, actor: Staff, result: str, now) -> Ticket:
    """A process without a callback (inquiry, suggestion, praise) ends with the reply."""
    before = ticket.status
    ticket.status = Status.REPLIED
    ticket.resolution = result
    ticket.resolved_at = now
    ticket.first_response_at = ticket.first_response_at or now
    _base.record(
        ticket,
        EventKind.REPLIED,
        actor=actor,
        from_status=before,
        comment=result,
        payload={"on_time": bool(ticket.due_at is None or now <= ticket.due_at)},
    )
    _close(ticket, now)
    _base.record(
        ticket,
        EventKind.CLOSED,
        actor=actor,
        from_status=Status.REPLIED,
        comment=_("流程无回访环节,答复后办结"),
        payload={"process_finished": True},
    )
    return ticket


@transaction.atomic
def callback(
    number: str, *, actor: Staff, result: str, comment: str = "", version: int | None = None
) -> Ticket:
    """回访: record the customer's verdict; dissatisfied sends the ticket back for
    second handling (二次处理), otherwise it is archived."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.CALLED_BACK, version)
    if result not in SATISFACTION:
        raise Invalid(
            "callback.bad_result",
            _("回访结果应为 satisfied/neutral/dissatisfied"),
            {"result": list(SATISFACTION)},
        )
    item = _base.require_holder(actor, ticket, WorkItemKind.CALLBACK)
    satisfied = result != "dissatisfied"
    if item is not None:
        _base.finish_item(item, result=f"{result} {comment}".strip())
    instance = complete_step(
        ticket, item.step if item and item.step else "callback", {"satisfied": satisfied}
    )
    before = ticket.status
    ticket.satisfaction = result
    now = clock.now()
    if satisfied:
        _close(ticket, now)
    else:
        handler = _last_handler(ticket) or ticket.region
        step = instance.ready[0].id if instance and instance.ready else "handle"
        ticket.second_handling = True
        ticket.status = Status.PENDING
        ticket.resolved_at = None
        ticket.due_at = _base.deadline(ticket, now, ticket.time_limit_minutes)
        ticket.sla_state = SlaState.OK
        _handover(ticket, to_unit=handler, from_unit=item.unit if item else None, step=step)
    _base.record(
        ticket,
        EventKind.CALLED_BACK,
        actor=actor,
        from_status=before,
        comment=comment,
        payload={"result": result, "second_handling": not satisfied},
    )
    return ticket


def _last_handler(ticket: Ticket) -> Unit | None:
    item = (
        ticket.work_items.filter(kind=WorkItemKind.MAIN)
        .exclude(step="dispatch")
        .order_by("-id")
        .first()
    )
    return item.unit if item else None


def _close(ticket: Ticket, now) -> None:
    _base.cancel_open_items(ticket)
    finish_process(ticket)
    ticket.status = Status.CLOSED
    ticket.closed_at = now
    ticket.current_step = ""
    ticket.owner_staff = None


@transaction.atomic
def close(number: str, *, actor: Staff, comment: str, version: int | None = None) -> Ticket:
    """归档: archive a replied ticket without callback (e.g. unreachable) or an
    invalid one still at intake; a reason is required."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.CLOSED, version)
    reason = _base.require_text(comment, "comment", _("归档说明"))
    _base.require_holder(
        actor,
        ticket,
        WorkItemKind.CALLBACK if ticket.status == Status.REPLIED else WorkItemKind.MAIN,
    )
    before = ticket.status
    _close(ticket, clock.now())
    _base.record(ticket, EventKind.CLOSED, actor=actor, from_status=before, comment=reason)
    return ticket


REOPEN_WINDOW = timedelta(days=30)


@transaction.atomic
def reopen(number: str, *, actor: Staff, comment: str, version: int | None = None) -> Ticket:
    """重启: a closed ticket goes back to its last handling unit with a fresh limit."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.REOPENED, version)
    reason = _base.require_text(comment, "comment", _("重启原因"))
    if ticket.merged_into_id:
        raise Conflict("reopen.merged", _("已合并的工单不能重启,请重启主工单"))
    now = clock.now()
    handler = _last_handler(ticket) or ticket.owner_unit or ticket.region
    instance = restart_process(ticket)
    step = instance.ready[0].id if instance.ready else "handle"
    before = ticket.status
    ticket.status = Status.PENDING
    ticket.closed_at = ticket.resolved_at = None
    ticket.reopen_count += 1
    ticket.sla_state = SlaState.OK
    ticket.due_at = _base.deadline(ticket, now, ticket.time_limit_minutes)
    _handover(ticket, to_unit=handler, from_unit=actor.unit, step=step)
    _base.record(
        ticket,
        EventKind.REOPENED,
        actor=actor,
        from_status=before,
        comment=reason,
        payload={"to_unit": handler.code, "due_at": ticket.due_at.isoformat()},
    )
    return ticket


@transaction.atomic
def comment(number: str, *, actor: Staff, comment: str, version: int | None = None) -> Ticket:
    """备注: an internal note in the trace."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.COMMENTED, version)
    text = _base.require_text(comment, "comment", _("备注内容"))
    _base.record(
        ticket,
        EventKind.COMMENTED,
        actor=actor,
        from_status=ticket.status,
        comment=text,
        notify=False,
    )
    return ticket


@transaction.atomic
def files_attached(number: str, *, actor: Staff, files: list[dict], comment: str = "") -> Ticket:
    """附件: files filed with the ticket, traced with their names and sizes (R9). The
    bytes are stored by ``attachments.services.attach`` in the same transaction."""
    ticket = _base.lock_visible(number, actor)
    _base.require_overseer(actor)
    _base.check_transition(ticket, EventKind.COMMENTED)
    _base.record(
        ticket,
        EventKind.COMMENTED,
        actor=actor,
        from_status=ticket.status,
        comment=comment.strip(),
        payload={"attachments": [{"name": f["name"], "size": f["size"]} for f in files]},
        notify=False,
    )
    return ticket
