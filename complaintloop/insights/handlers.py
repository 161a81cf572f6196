"""Reactions to the insights app's own outbox rows: a new warning notice tells the
responsible unit in-app, its response tells the issuer. Idempotent on the outbox id."""

from __future__ import annotations

from complaintloop.core import clock, outbox
from complaintloop.core.models import Outbox
from complaintloop.notify import services as notify
from complaintloop.notify.models import Notification
from complaintloop.org.models import Staff

from .models import WarningNotice

TITLES = {
    "issued": "风险预警单待反馈:{number}",
    "responded": "风险预警单已反馈:{number}",
}


@outbox.consumer("insights.notice")
def notify_notice(row: Outbox) -> None:
    kind = row.payload.get("kind")
    if kind not in TITLES:
        return
    notice = (
        WarningNotice.objects.select_related("issued_by")
        .filter(number=row.payload.get("notice"))
        .first()
    )
    if notice is None:
        return
    if kind == "issued":
        units = [notice.responsible_unit_id]
    else:
        units = [notice.issued_by.unit_id] if notice.issued_by.unit_id else []
    title = TITLES[kind].format(number=notice.number)
    recipients = Staff.objects.filter(unit_id__in=units, is_active=True)[:200]
    notify.in_app(
        [
            Notification(
                outbox_id=row.pk,
                recipient=staff,
                ticket_number=notice.number,
                title=title,
                body=notice.title,
                created_at=clock.now(),
            )
            for staff in recipients
        ]
    )
