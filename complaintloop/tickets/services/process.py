"""The ticket's process instance: start it, complete its steps, keep the side table."""

from __future__ import annotations

from complaintloop.processes import engine

from ..models import Ticket, TicketProcess


def start_process(ticket: Ticket, key: str, *, definition_id: int | None = None) -> engine.Instance:
    if definition_id is not None:
        instance = engine.start(definition_id=definition_id)
    else:
        instance = engine.start(key or "general_complaint")
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
