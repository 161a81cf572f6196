"""Outbox consumers of the channels app (idempotent on the outbox id)."""

from __future__ import annotations

from complaintloop.core import outbox
from complaintloop.core.models import Outbox

from .services import offline, sms

# Events after which the main work item may sit at a new unit.
HANDOVER_KINDS = {"created", "dispatched", "transferred", "returned", "reopened", "called_back"}


@outbox.consumer("ticket.event")
def mail_offline_unit(row: Outbox) -> None:
    """R13: a work item that lands at an offline unit goes out by email."""
    if row.payload.get("kind") in HANDOVER_KINDS and row.payload.get("owner_unit"):
        if offline.config_for(row.payload["owner_unit"]) is not None:
            offline.send_work_item(row.pk, row.payload["ticket"])


@outbox.consumer(sms.ANSWER_TOPIC)
def send_sms_answer(row: Outbox) -> None:
    from complaintloop.notify import services as notify

    notify.send_sms(row.pk, row.payload["phone"], row.payload["text"])
