"""Which operations an actor may take on a ticket now: the same rules the services
enforce, so pages show only buttons that will work."""

from __future__ import annotations

from complaintloop.org.models import Staff

from .models import EventKind, Status, Ticket, WorkItem, WorkItemKind
from .services._base import ALLOWED_FROM, holds

ACTION_EVENT = {
    "dispatch": EventKind.DISPATCHED,
    "accept": EventKind.ACCEPTED,
    "transfer": EventKind.TRANSFERRED,
    "return": EventKind.RETURNED,
    "request_assistance": EventKind.ASSIST_REQUESTED,
    "complete_assistance": EventKind.ASSIST_COMPLETED,
    "suspend": EventKind.SUSPENDED,
    "resume": EventKind.RESUMED,
    "urge": EventKind.URGED,
    "supervise": EventKind.SUPERVISED,
    "escalate": EventKind.ESCALATED,
    "reply": EventKind.REPLIED,
    "callback": EventKind.CALLED_BACK,
    "close": EventKind.CLOSED,
    "reopen": EventKind.REOPENED,
    "merge": EventKind.MERGED,
    "link": EventKind.LINKED,
    "set_parent": EventKind.PARENT_SET,
    "comment": EventKind.COMMENTED,
}
HOLDER_ACTIONS = {
    "dispatch",
    "accept",
    "transfer",
    "return",
    "request_assistance",
    "suspend",
    "resume",
    "reply",
}
SUPERVISOR_ACTIONS = {"supervise", "escalate"}


# Operations a process step may switch off (processes.engine.STEP_OPERATIONS).
STEP_BOUND = {"transfer", "return", "suspend", "request_assistance"}


def available_actions(
    ticket: Ticket,
    actor: Staff,
    open_items: list[WorkItem],
    step_operations: frozenset[str] | None = None,
) -> list[str]:
    if not (actor.can_operate or actor.can_supervise):
        return []
    main = next((w for w in open_items if w.kind == WorkItemKind.MAIN), None)
    callback_item = next((w for w in open_items if w.kind == WorkItemKind.CALLBACK), None)
    assists = [w for w in open_items if w.kind == WorkItemKind.ASSIST]
    result = []
    for action, kind in ACTION_EVENT.items():
        if ticket.status not in ALLOWED_FROM[kind]:
            continue
        if action in SUPERVISOR_ACTIONS and not actor.can_supervise:
            continue
        if action not in SUPERVISOR_ACTIONS and action != "urge" and not actor.can_operate:
            continue
        if action == "supervise" and ticket.is_supervised:
            continue
        if action in HOLDER_ACTIONS and not (holds(actor, main) or actor.can_supervise):
            continue
        if action == "reply" and assists:
            continue
        if action == "complete_assistance" and not any(
            holds(actor, w) or actor.can_supervise for w in assists
        ):
            continue
        if action in ("callback",) and not (holds(actor, callback_item) or actor.can_supervise):
            continue
        if (
            action == "close"
            and ticket.status == Status.REPLIED
            and not (holds(actor, callback_item) or actor.can_supervise)
        ):
            continue
        if (
            action == "close"
            and ticket.status == Status.NEW
            and not (holds(actor, main) or actor.can_supervise)
        ):
            continue
        if action == "reopen" and ticket.merged_into_id:
            continue
        if step_operations is not None and action in STEP_BOUND and action not in step_operations:
            continue
        result.append(action)
    return result
