"""The ticket's process instance: start it, complete its steps, keep the side table."""

from __future__ import annotations

from complaintloop.org import selectors as org_selectors
from complaintloop.processes import engine

from ..models import Ticket, TicketProcess


def process_data(ticket: Ticket) -> dict:
    """The ticket's fields a gateway may branch on (processes.lint.PROCESS_DATA)."""
    region = ticket.region
    city = org_selectors.region_of(region) or region
    return {
        "customer_level": ticket.customer_level or "",
        "is_enterprise": bool(ticket.customer.is_enterprise) if ticket.customer_id else False,
        "city": city.code if city else "",
        "region": region.code if region else "",
        "channel": ticket.channel or "",
        "order_type": ticket.order_type.code if ticket.order_type_id else "",
        "category": ticket.category.code if ticket.category_id else "",
        "category_path": ticket.category_path or "",
        "urgency": ticket.urgency or "",
        "product": ticket.product.code if ticket.product_id else "",
        "sp": ticket.sp.code if ticket.sp_id else "",
    }


def start_process(ticket: Ticket, key: str, *, definition_id: int | None = None) -> engine.Instance:
    data = process_data(ticket)
    if definition_id is not None:
        instance = engine.start(definition_id=definition_id, data=data)
    else:
        instance = engine.start(key or "general_complaint", data=data)
    TicketProcess.objects.update_or_create(
        ticket=ticket,
        defaults={
            "definition_id": instance.definition_id,
            "state": instance.state,
            "finished": instance.finished,
        },
    )
    return instance


def complete_step(ticket: Ticket, step_id: str, data: dict | None = None) -> engine.Instance | None:
    """Advance the process if the ticket has one on that step; tickets without a
    process (bulk-imported, first-contact resolved) move by the lifecycle alone."""
    process = TicketProcess.objects.filter(ticket=ticket).first()
    if process is None or process.finished:
        return None
    ready = {s.id for s in engine.ready_steps(process.definition_id, process.state)}
    if step_id not in ready:
        return None
    instance = engine.complete(process.definition_id, process.state, step_id, data or {})
    process.state = "" if instance.finished else instance.state
    process.finished = instance.finished
    process.save(update_fields=["state", "finished"])
    return instance


def finish_process(ticket: Ticket) -> None:
    """Closing prunes the state: a closed ticket's history is its event log."""
    TicketProcess.objects.filter(ticket=ticket).update(state="", finished=True)


def restart_process(ticket: Ticket) -> engine.Instance:
    """Reopen runs again on the version the ticket started with."""
    process = TicketProcess.objects.filter(ticket=ticket).first()
    if process is None:
        return start_process(ticket, ticket.order_type.default_process_key)
    return start_process(ticket, "", definition_id=process.definition_id)


def step_operations(ticket: Ticket) -> frozenset[str] | None:
    """The step-bound operations the ticket's current step allows (None: all)."""
    process = TicketProcess.objects.filter(ticket=ticket).first()
    if process is None or process.finished or not process.state:
        return None
    for step in engine.ready_steps(process.definition_id, process.state):
        if step.id == ticket.current_step:
            return step.operations
    return None


def require_step_allows(ticket: Ticket, operation: str, label: str) -> None:
    """Refuse an operation the process designer switched off for the current step."""
    allowed = step_operations(ticket)
    if allowed is not None and operation not in allowed:
        from django.utils.translation import gettext as _

        from complaintloop.core.errors import Conflict

        raise Conflict(
            "step.operation_not_allowed",
            _("当前环节不允许「%(op)s」") % {"op": label},
            {"step": [ticket.current_step]},
        )
