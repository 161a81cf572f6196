"""A ticket's side of an outage (批量投诉, R16): attach it to an incident, detach it, and
answer it with the incident's one reply. The incidents app decides which tickets; these
functions change the ticket, each in the caller's transaction, with its event."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Conflict
from complaintloop.org.models import Staff

from ..models import OPEN_STATUSES, EventKind, Status, Ticket, WorkItemKind
from . import _base

# Matchers the incidents app registers, so intake need not know about incidents. Each
# has ``match(ticket) -> str | None`` (the incident number, asked before the ticket is
# saved, so the number goes in with the insert and into the creation event) and
# ``attached(ticket, number, actor)`` (after the save, in the same transaction).
MATCHERS: list[Any] = []


def match_at_intake(ticket: Ticket) -> tuple[Any, str] | None:
    for matcher in MATCHERS:
        number = matcher.match(ticket)
        if number:
            return matcher, number
    return None


def attach(ticket: Ticket, *, incident: str, how: str, actor: Staff | None) -> bool:
    """Mark the (locked) ticket as waiting on ``incident``; False if it already is or is
    no longer open."""
    if (
        ticket.incident_number == incident
        or ticket.status not in _base.ALLOWED_FROM[EventKind.INCIDENT_ATTACHED]
    ):
        return False
    if ticket.incident_number:
        raise Conflict(
            "incident.ticket_taken",
            _("工单 %(n)s 已关联重大故障 %(i)s")
            % {"n": ticket.number, "i": ticket.incident_number},
        )
    before = ticket.status
    ticket.incident_number = incident
    _base.record(
        ticket,
        EventKind.INCIDENT_ATTACHED,
        actor=actor,
        from_status=before,
        payload={"incident": incident, "how": how},
        notify=True,
    )
    return True


def detach(ticket: Ticket, *, reason: str, actor: Staff) -> None:
    before = ticket.status
    incident = ticket.incident_number
    ticket.incident_number = ""
    _base.record(
        ticket,
        EventKind.INCIDENT_DETACHED,
        actor=actor,
        from_status=before,
        comment=reason,
        payload={"incident": incident},
    )


def answer(ticket: Ticket, *, incident: str, reply: str, actor: Staff | None) -> bool:
    """The incident's reply for one attached ticket: its open work closes, the ticket is
    replied and goes to callback at its accepting unit (REPLIED notifies the customer
    once, through the outbox). False if it was already answered or is not open."""
    if ticket.incident_number != incident or ticket.status not in OPEN_STATUSES:
        return False
    if ticket.status == Status.REPLIED:
        return False
    now = clock.now()
    _base.cancel_open_items(ticket)
    callback_unit = ticket.accepting_unit or ticket.region
    _base.new_item(
        ticket,
        kind=WorkItemKind.CALLBACK,
        unit=callback_unit,
        step="callback",
        due_at=_base.deadline(ticket, now, 540),
    )
    before = ticket.status
    ticket.status = Status.REPLIED
    ticket.resolution = reply
    ticket.resolved_at = now
    ticket.first_response_at = ticket.first_response_at or now
    ticket.current_step = "callback"
    ticket.owner_unit = callback_unit
    ticket.owner_staff = None
    _base.record(
        ticket,
        EventKind.REPLIED,
        actor=actor,
        from_status=before,
        comment=reply,
        payload={
            "incident": incident,
            "on_time": bool(ticket.due_at is None or now <= ticket.due_at),
        },
    )
    return True
