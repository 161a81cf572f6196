"""Outbox consumers of the channels app (idempotent on the outbox id)."""

from __future__ import annotations

from complaintloop.core import outbox
from complaintloop.core.models import Outbox

from .services import offline, sms

# Events after which the main work item may sit at a new unit.
HANDOVER_KINDS = {"created", "dispatched", "transferred", "returned", "reopened", "called_back"}


@outbox.batch_consumer("ticket.event")
def mail_offline_unit(rows: list[Outbox]) -> None:
    """R13: a work item that lands at an offline unit goes out by email. One query for
    the poll tells which units are offline (most polls have none)."""
    handovers = [
        r for r in rows if r.payload.get("kind") in HANDOVER_KINDS and r.payload.get("owner_unit")
    ]
    offline_units = offline.offline_unit_ids({r.payload["owner_unit"] for r in handovers})
    for row in handovers:
        if row.payload["owner_unit"] in offline_units:
            offline.send_work_item(row.pk, row.payload["ticket"])


@outbox.consumer(sms.ANSWER_TOPIC)
def send_sms_answer(row: Outbox) -> None:
    from complaintloop.notify import services as notify

    notify.send_sms(row.pk, row.payload["phone"], row.payload["text"])
