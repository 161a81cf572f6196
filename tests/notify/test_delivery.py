"""Customers and supervisors hear about tickets by SMS, email and in-app (R14, R31),
through the outbox, in their language, and never twice for one event."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintloop.core import outbox
from complaintloop.customers.models import Customer
from complaintloop.notify import gateways
from complaintloop.notify import services as notify
from complaintloop.notify.models import (
    CustomerPreference,
    EmailMessage,
    Notification,
    NotificationTemplate,
    SmsMessage,
    StaffAlertSetting,
)
from complaintloop.tickets import services

from ..webhooks.receiver import Receiver

SH = ZoneInfo("Asia/Shanghai")
DAYTIME = datetime(2025, 9, 24, 10, 0, tzinfo=SH)


@pytest.fixture
def daytime():
    with time_machine.travel(DAYTIME, tick=False) as traveller:
        yield traveller


def _email_customer(language="zh-hans"):
    customer = Customer.objects.get(phone="13800001111")
    customer.email = "wang@example.cn"
    customer.save()
    CustomerPreference.objects.create(customer=customer, language=language)
    return customer


def test_customer_gets_chinese_email_over_smtp_on_each_step(world, smtp, daytime):
    _email_customer()
    # given a complaint accepted, answered and closed
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    services.reply(ticket.number, actor=world.handler_nj, comment="已更换光猫,网络恢复正常")
    outbox.drain()
    # then the SMTP server received one mail per step, in Chinese, to the customer
    subjects = [subject(m) for m in smtp.messages]
    assert subjects == [
        f"您的工单 {ticket.number} 已受理",
        f"您的工单 {ticket.number} 正在处理",
        f"您的工单 {ticket.number} 已处理完毕",
    ]
    assert all(m["to"] == ["wang@example.cn"] for m in smtp.messages)
    reply = smtp.messages[2]["msg"]
    text = reply.get_content()
    assert "王先生,您好" in text and "已更换光猫,网络恢复正常" in text
    assert "南京网管中心" in smtp.messages[1]["msg"].get_content()
    # every mail names its outbox event, and a stable Message-ID
    row = outbox_row(ticket.number, "replied")
    assert reply["X-ComplaintLoop-Event-Id"] == str(row.pk)
    assert reply["Message-ID"] == EmailMessage.objects.get(outbox_id=row.pk).message_id
    assert EmailMessage.objects.filter(status="sent").count() == 3
    # and the same steps went out by SMS
    assert SmsMessage.objects.filter(phone="13800001111", status="sent").count() == 3


def outbox_row(number, kind):
    from complaintloop.core.models import Outbox

    return Outbox.objects.get(topic="ticket.event", payload__ticket=number, payload__kind=kind)


def test_english_speaking_customer_gets_english(world, smtp, daytime):
    _email_customer(language="en")
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    outbox.drain()
    assert [subject(m) for m in smtp.messages] == [
        f"Your ticket {ticket.number} has been registered",
        f"Your ticket {ticket.number} is being handled",
    ]
    assert "Dear 王先生" in smtp.messages[0]["msg"].get_content()
    sms = SmsMessage.objects.get(event="customer.accepted")
    assert sms.text == f"[Service] Ticket {ticket.number} has been accepted and is being handled."
    assert sms.language == "en"


def test_customer_without_email_or_with_sms_off(world, smtp, daytime):
    # 王先生 has no email: SMS only
    world.new_ticket()
    outbox.drain()
    assert smtp.messages == [] and SmsMessage.objects.count() == 1
    # 李女士 turned SMS off and has an email: email only
    customer = Customer.objects.get(phone="13900002222")
    customer.email = "li@example.cn"
    customer.save()
    CustomerPreference.objects.create(customer=customer, sms_enabled=False)
    world.new_ticket(customer_phone="13900002222")
    outbox.drain()
    assert SmsMessage.objects.count() == 1
    assert [m["to"] for m in smtp.messages] == [["li@example.cn"]]


def test_redelivered_outbox_row_sends_nothing_twice(world, smtp, daytime):
    _email_customer()
    ticket = world.new_ticket()
    row = outbox_row(ticket.number, "created")
    assert outbox.deliver(row.pk)
    # when a worker died after sending but before marking the outbox row delivered
    type(row).objects.filter(pk=row.pk).update(delivered_at=None, claimed_at=None)
    assert outbox.deliver(row.pk)
    # then (event id, recipient, channel) rows dedupe every channel
    assert len(smtp.messages) == 1
    assert SmsMessage.objects.filter(outbox_id=row.pk).count() == 1
    assert Notification.objects.filter(outbox_id=row.pk).count() == 1


def test_sms_in_quiet_hours_waits_until_morning(world):
    # given a complaint taken at 22:30
    with time_machine.travel(datetime(2025, 9, 24, 22, 30, tzinfo=SH), tick=False):
        ticket = world.new_ticket()
        outbox.drain()
        # then the SMS is held until 08:00, nothing went to the gateway
        sms = SmsMessage.objects.get(outbox_id=outbox_row(ticket.number, "created").pk)
        assert sms.status == "held"
        assert sms.next_attempt_at == datetime(2025, 9, 25, 8, 0, tzinfo=SH)
        assert notify.send_due() == 0
        # while the staff's in-app notice is there at once
        assert Notification.objects.filter(recipient=world.handler_nj).exists()
    with time_machine.travel(datetime(2025, 9, 25, 7, 59, tzinfo=SH), tick=False):
        assert notify.send_due() == 0
    # when the quiet period ends, the next sweep sends it
    with time_machine.travel(datetime(2025, 9, 25, 8, 0, 5, tzinfo=SH), tick=False):
        assert notify.send_due() == 1
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.sent_at == datetime(2025, 9, 25, 8, 0, 5, tzinfo=SH)


def test_urgent_template_ignores_quiet_hours_and_window_is_configurable(world, settings):
    NotificationTemplate.objects.filter(event="customer.created", channel="sms").update(
        is_urgent=True
    )
    with time_machine.travel(datetime(2025, 9, 24, 23, 0, tzinfo=SH), tick=False):
        world.new_ticket()
        outbox.drain()
    assert SmsMessage.objects.get().status == "sent"
    # a window that does not span midnight
    settings.NOTIFY_QUIET_HOURS = "12:00-13:30"
    assert notify.quiet_until(datetime(2025, 9, 24, 12, 10, tzinfo=SH)) == datetime(
        2025, 9, 24, 13, 30, tzinfo=SH
    )
    assert notify.quiet_until(datetime(2025, 9, 24, 23, 0, tzinfo=SH)) is None
    settings.NOTIFY_QUIET_HOURS = ""
    assert notify.quiet_until(datetime(2025, 9, 24, 3, 0, tzinfo=SH)) is None


def test_vip_ticket_alerts_supervisor_in_app_sms_and_email(world, smtp, daytime):
    # given 南京 supervisor wants SMS and email alerts, in English
    world.supervisor_nj.phone = "13700009999"
    world.supervisor_nj.email = "boss@example.cn"
    world.supervisor_nj.save()
    StaffAlertSetting.objects.create(
        staff=world.supervisor_nj, by_sms=True, by_email=True, language="en"
    )
    # when a VIP customer's complaint is taken by 南京
    ticket = world.new_ticket(customer_phone="13900002222")
    outbox.drain()
    # then the supervisor sees it in-app, by SMS and by email
    note = Notification.objects.get(recipient=world.supervisor_nj)
    assert note.title == f"VIP customer ticket: {ticket.number}"
    sms = SmsMessage.objects.get(phone="13700009999")
    assert "VIP customer 李女士" in sms.text and sms.status == "sent"
    assert [m["to"] for m in smtp.messages] == [["boss@example.cn"]]
    assert subject(smtp.messages[0]) == f"VIP customer ticket {ticket.number}"


def test_sla_breach_alerts_supervisor_even_at_night(world, smtp):
    StaffAlertSetting.objects.create(staff=world.supervisor_nj, by_sms=True)
    world.supervisor_nj.phone = "13700009999"
    world.supervisor_nj.save()
    with time_machine.travel(DAYTIME, tick=False):
        ticket = world.new_ticket()
        services.accept(ticket.number, actor=world.handler_nj)
        outbox.drain()
    # when the sweep finds it overdue at 23:00 (the shipped breach SMS is urgent)
    with time_machine.travel(datetime(2025, 10, 20, 23, 0, tzinfo=SH), tick=False):
        services.sla_sweep()
        outbox.drain()
    row = outbox_row(ticket.number, "sla_breached")
    note = Notification.objects.get(outbox_id=row.pk, recipient=world.supervisor_nj)
    assert note.title == f"工单已超时:{ticket.number}"
    assert SmsMessage.objects.get(outbox_id=row.pk, phone="13700009999").status == "sent"
    # and the handler is told in-app
    assert Notification.objects.filter(outbox_id=row.pk, recipient=world.handler_nj).exists()


def test_http_sms_gateway_retries_non_2xx_with_the_event_id(world, settings, daytime):
    with Receiver(fail_first=1) as gateway:
        settings.SMS_GATEWAY = "http"
        settings.SMS_GATEWAY_URL = f"{gateway.url}/sms"
        settings.SMS_GATEWAY_KEY = "k-123"
        gateways.sms_gateway.cache_clear()
        try:
            ticket = world.new_ticket()
            outbox.drain()
            sms = SmsMessage.objects.get()
            # the first POST got a 503: kept for a retry after the backoff
            assert sms.status == "pending" and sms.attempts == 1
            assert "503" in sms.last_error
            assert timedelta(seconds=24) <= sms.next_attempt_at - DAYTIME <= timedelta(seconds=36)
            daytime.shift(timedelta(seconds=40))
            assert notify.send_due() == 1
        finally:
            gateways.sms_gateway.cache_clear()
    sms.refresh_from_db()
    assert sms.status == "sent" and sms.attempts == 2 and sms.gateway == "http"
    request = gateway.requests[-1]
    assert request["headers"]["Authorization"] == "Bearer k-123"
    assert request["headers"]["X-ComplaintLoop-Event-Id"] == str(sms.outbox_id)
    body = gateway.processed[f"{sms.outbox_id}:13800001111"]
    assert body["phone"] == "13800001111" and ticket.number in body["text"]


def subject(received) -> str:
    # long encoded-word subjects are folded; the unfolded value may keep the fold's space
    return str(received["msg"]["Subject"]).strip()


def test_a_polls_events_are_fanned_out_together_in_the_queries_of_one(world, daytime):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaintloop.core.models import Outbox

    # given four complaints urged by the supervisor, their creation already delivered
    tickets = [world.new_ticket() for _ in range(4)]
    outbox.drain()
    for ticket in tickets:
        services.urge(ticket.number, actor=world.supervisor_nj, comment="请尽快处理")
    rows = list(Outbox.objects.filter(topic="ticket.event", payload__kind="urged").order_by("id"))
    # when one event is fanned out alone and the other three as one poll
    with CaptureQueriesContext(connection) as one:
        notify.fan_out_many(rows[:1])
    with CaptureQueriesContext(connection) as three:
        notify.fan_out_many(rows[1:])
    # then the poll cost no more queries than the single event
    assert len(three) == len(one)
    # and each event reached the same people, about its own ticket
    recipients = {
        row.pk: set(
            Notification.objects.filter(outbox_id=row.pk).values_list("recipient", flat=True)
        )
        for row in rows
    }
    assert recipients[rows[0].pk] and all(r == recipients[rows[0].pk] for r in recipients.values())
    for row, ticket in zip(rows, tickets, strict=True):
        numbers = Notification.objects.filter(outbox_id=row.pk).values_list("ticket_number")
        assert set(numbers) == {(ticket.number,)}
    # and a redelivered poll adds nothing
    before = Notification.objects.count()
    notify.fan_out_many(rows)
    assert Notification.objects.count() == before
