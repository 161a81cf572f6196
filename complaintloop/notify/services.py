"""Delivery of ticket events: in-app notifications for staff, SMS for customers
(log-only gateway in embedded mode). Idempotent on the outbox id."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from complaintloop.core import clock, outbox
from complaintloop.core.models import Outbox
from complaintloop.org.models import Role, Staff

from .models import Notification, SmsMessage

log = logging.getLogger("complaintloop.sms")

# Customer SMS on the events R14 names: accepted, changed hands, answered, closed.
CUSTOMER_SMS = {
    "created": "【客服】您反映的问题已受理,工单号 {number},我们将尽快处理。",
    "accepted": "【客服】您的工单 {number} 已由处理部门签收,正在处理。",
    "transferred": "【客服】您的工单 {number} 已转交相关部门处理。",
    "replied": "【客服】您的工单 {number} 已处理完毕,稍后将回访您。",
    "closed": "【客服】您的工单 {number} 已办结,感谢您的支持。",
}
STAFF_TITLES = {
    "created": "新工单待签收",
    "dispatched": "新工单待签收",
    "transferred": "工单转派给您",
    "returned": "工单被回退",
    "assist_requested": "协办请求",
    "urged": "工单催办",
    "supervised": "工单督办",
    "escalated": "工单升级",
    "sla_near": "工单即将超时",
    "sla_breached": "工单已超时",
    "first_response_breached": "工单首次响应超时",
    "called_back": "回访结果",
    "reopened": "工单重启",
}


def send_sms(outbox_id: int, phone: str, text: str) -> bool:
    try:
        with transaction.atomic():
            SmsMessage.objects.create(
                outbox_id=outbox_id, phone=phone, text=text, created_at=clock.now()
            )
    except IntegrityError:
        return False  # already sent for this outbox row
    log.info("sms to %s: %s", phone, text)
    return True


def notify_units(
    outbox_id: int,
    unit_ids: list[int],
    title: str,
    number: str,
    body: str = "",
    roles: tuple[str, ...] = (),
) -> int:
    recipients = Staff.objects.filter(unit_id__in=unit_ids, is_active=True)
    if roles:
        recipients = recipients.filter(role__in=roles)
    rows = [
        Notification(
            outbox_id=outbox_id,
            recipient=s,
            ticket_number=number,
            title=title,
            body=body,
            created_at=clock.now(),
        )
        for s in recipients[:200]
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@outbox.consumer("ticket.event")
def deliver_ticket_event(row: Outbox) -> None:
    from complaintloop.tickets.models import Ticket, WorkItem

    p = row.payload
    ticket = Ticket.objects.select_related("customer").filter(number=p["ticket"]).first()
    if ticket is None:
        return
    kind = p["kind"]
    if kind == "closed" or (kind == "called_back" and ticket.status == "closed"):
        sms = CUSTOMER_SMS["closed"]
    else:
        sms = CUSTOMER_SMS.get(kind)
    if sms and not ticket.is_fcr:
        send_sms(row.pk, ticket.customer.phone, sms.format(number=ticket.number))
    title = STAFF_TITLES.get(kind)
    if title:
        units = list(
            WorkItem.objects.filter(ticket=ticket, status="open")
            .values_list("unit_id", flat=True)
            .distinct()
        )
        roles: tuple[str, ...] = ()
        if kind in ("escalated", "sla_breached", "supervised"):
            roles = (Role.SUPERVISOR,)
            units = units + [u for u in [ticket.accepting_unit_id] if u]
        notify_units(
            row.pk, units, f"{title}:{ticket.number}", ticket.number, ticket.title, roles=roles
        )
    if ticket.customer_level == "vip" and kind == "created":
        units = [u for u in [ticket.accepting_unit_id, ticket.owner_unit_id] if u]
        notify_units(
            row.pk,
            units,
            f"VIP 客户工单:{ticket.number}",
            ticket.number,
            ticket.title,
            roles=(Role.SUPERVISOR,),
        )
