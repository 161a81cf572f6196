"""Email piped to ``manage.py ingest_email`` (Postfix pipe transport): tickets, comments,
charset decoding, attachments, sanitized HTML, auto-replies and bounces, idempotency."""

import io
import sys

import pytest
from django.core.management import call_command

from complaintloop.attachments.models import Attachment
from complaintloop.channels.models import EmailIdentity, InboundMessage, Outcome
from complaintloop.channels.services import email
from complaintloop.customers.models import ContactRecord
from complaintloop.tickets.models import Channel, EventKind, Status, Ticket

from . import mails


def pipe(raw: bytes, *args: str) -> str:
    """Run the command with ``raw`` on its standard input, as Postfix does."""
    out = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(raw))
    try:
        call_command("ingest_email", *args, stdout=out)
    finally:
        sys.stdin = stdin
    return out.getvalue()


def test_new_mail_creates_an_email_ticket_for_a_new_customer(mailbox):
    # when a customer nobody knows writes to the service mailbox
    output = pipe(mails.plain(message_id="<first@example.com>"))
    # then one email-channel ticket is accepted at the mailbox's unit, waiting at intake
    ticket = Ticket.objects.get()
    assert output.startswith("created " + ticket.number)
    assert ticket.channel == Channel.EMAIL
    assert ticket.title == "宽带故障投诉"
    assert "无法上网" in ticket.description
    assert ticket.accepting_unit == mailbox.unit and ticket.status == Status.NEW
    # and the creation event says where it came from
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.payload["source"] == {
        "channel": "email",
        "message_id": "<first@example.com>",
        "from": "wang@example.com",
    }
    # and the customer is known by the address from now on
    assert ticket.customer.email == "wang@example.com"
    assert EmailIdentity.objects.get(address="wang@example.com").customer == ticket.customer
    assert ContactRecord.objects.filter(customer=ticket.customer, channel="email").exists()
    log = InboundMessage.objects.get()
    assert (log.outcome, log.ticket, log.channel) == (Outcome.CREATED, ticket, "email")


def test_second_mail_from_the_same_address_finds_the_customer(mailbox):
    pipe(mails.plain(message_id="<a@example.com>"))
    pipe(mails.plain(message_id="<b@example.com>", subject="又断网了"))
    first, second = Ticket.objects.order_by("id")
    assert first.customer_id == second.customer_id


def test_existing_customer_with_that_email_gets_the_ticket(world, mailbox):
    from complaintloop.customers.models import Customer

    wang = Customer.objects.get(phone="13800001111")
    wang.email = "wang@example.com"
    wang.save()
    pipe(mails.plain())
    assert Ticket.objects.get().customer == wang


def test_gbk_labelled_gb2312_decodes(mailbox):
    # given a mail labelled gb2312 that uses a GBK-only character (镕)
    pipe(mails.gbk())
    ticket = Ticket.objects.get()
    # then subject, body and sender name decode without loss
    assert ticket.title == "关于朱镕基路营业厅的投诉"
    assert "朱镕基路营业厅排队两小时" in ticket.description
    assert ticket.customer.name == "李四"


def test_attachments_are_filed_and_unsafe_ones_left_out(mailbox):
    pipe(mails.with_attachments())
    ticket = Ticket.objects.get()
    names = sorted(Attachment.objects.filter(ticket=ticket).values_list("name", flat=True))
    assert names == ["screen.png", "账单.pdf"]
    pdf = Attachment.objects.get(ticket=ticket, name="账单.pdf")
    assert pdf.file.read().startswith(b"%PDF")
    assert "多扣了 50 元" in ticket.description
    # the executable is named in the log, not filed
    assert "setup.exe" in InboundMessage.objects.get().detail


def test_html_only_mail_is_sanitized_to_text(mailbox):
    pipe(mails.html_only())
    ticket = Ticket.objects.get()
    assert "手机信号很差" in ticket.description and "南京市鼓楼区" in ticket.description
    assert "<" not in ticket.description and "alert" not in ticket.description
    log = InboundMessage.objects.get()
    assert "<script" not in log.html and "onerror" not in log.html
    assert "javascript:" not in log.html and "<b>很差</b>" in log.html


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Return-Path": "<>"},
    ],
)
def test_auto_replies_never_create_tickets(mailbox, headers):
    pipe(mails.plain(subject="自动回复:我正在休假", headers=headers))
    assert not Ticket.objects.exists()
    assert InboundMessage.objects.get().outcome == Outcome.IGNORED_AUTOREPLY


def test_auto_submitted_no_is_an_ordinary_mail(mailbox):
    pipe(mails.plain(headers={"Auto-Submitted": "no"}))
    assert Ticket.objects.count() == 1


def test_bounce_from_mailer_daemon_is_ignored(mailbox):
    pipe(mails.bounce())
    assert not Ticket.objects.exists()
    log = InboundMessage.objects.get()
    assert log.outcome == Outcome.IGNORED_AUTOREPLY and "mailer-daemon" in log.detail


def test_same_message_id_twice_creates_one_ticket(mailbox):
    raw = mails.plain(message_id="<dup@example.com>")
    pipe(raw)
    output = pipe(raw)
    assert Ticket.objects.count() == 1
    assert output.startswith("duplicate")
    outcomes = list(InboundMessage.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [Outcome.CREATED, Outcome.DUPLICATE]


def test_message_without_message_id_is_deduplicated_by_content(mailbox):
    raw = mails.plain(message_id="")
    email.ingest(raw)
    email.ingest(raw)
    assert Ticket.objects.count() == 1


def test_reply_to_a_notification_becomes_a_comment(world, mailbox):
    # given a ticket from an email customer, and our notification's Message-ID
    pipe(mails.plain(message_id="<orig@example.com>"))
    ticket = Ticket.objects.get()
    notification_id = f"<cl.{ticket.number}.n.7f3a@complaintloop.local>"
    # when the customer answers it
    raw = mails.reply(
        sender="wang@example.com",
        subject=f"Re: 您的工单 [{ticket.number}] 已受理",
        body="补充:光猫的 LOS 灯一直红色闪烁。\n\n> 您的工单已受理",
        in_reply_to=notification_id,
    )
    output = pipe(raw)
    # then no new ticket, but a comment in the trace
    assert Ticket.objects.count() == 1
    assert output.startswith("commented " + ticket.number)
    note = ticket.events.get(kind=EventKind.COMMENTED)
    assert "LOS 灯一直红色闪烁" in note.comment
    assert note.actor.username == f"email-{ticket.accepting_unit.code}"


def test_subject_token_from_the_customer_threads_too(world, mailbox):
    pipe(mails.plain(message_id="<orig2@example.com>"))
    ticket = Ticket.objects.get()
    pipe(
        mails.reply(
            sender="Wang <WANG@example.com>",
            subject=f"回复:[{ticket.number}]",
            body="已经好了,谢谢",
            message_id="<r2@example.com>",
        )
    )
    assert ticket.events.filter(kind=EventKind.COMMENTED).count() == 1


def test_subject_token_from_a_stranger_is_refused(world, mailbox):
    pipe(mails.plain(message_id="<orig3@example.com>"))
    ticket = Ticket.objects.get()
    pipe(
        mails.reply(
            sender="someone@else.example",
            subject=f"[{ticket.number}] 我也要补充",
            body="xxx",
            message_id="<r3@example.com>",
        )
    )
    assert not ticket.events.filter(kind=EventKind.COMMENTED).exists()
    assert InboundMessage.objects.get(message_id="<r3@example.com>").outcome == Outcome.REFUSED


def test_without_a_mailbox_the_message_is_logged_as_an_error(world):
    entry = email.ingest(mails.plain())
    assert entry.outcome == Outcome.ERROR and not Ticket.objects.exists()


def test_empty_input_exits_with_dataerr(mailbox):
    with pytest.raises(SystemExit) as exc:
        pipe(b"")
    assert exc.value.code == 65


def test_reply_to_a_notify_email_threads_by_its_message_id(world, mailbox):
    from complaintloop.core import outbox
    from complaintloop.customers.models import Customer
    from complaintloop.notify.models import EmailMessage

    # given a customer with an address, told by email that the ticket was taken
    Customer.objects.filter(phone="13800001111").update(email="wang@example.com")
    ticket = world.new_ticket()
    outbox.drain()
    sent = EmailMessage.objects.get(to="wang@example.com")
    # when the customer answers from another address of theirs, quoting its Message-ID
    entry = email.ingest(
        mails.reply(
            sender="wang.home@example.net",
            subject="Re: 工单进度",
            body="请下午三点后上门",
            in_reply_to=sent.message_id,
            message_id="<r-notify@example.net>",
        )
    )
    assert (entry.outcome, entry.ticket) == (Outcome.COMMENTED, ticket)
    assert "请下午三点后上门" in ticket.events.get(kind=EventKind.COMMENTED).comment


def test_forged_notification_message_id_does_not_thread(world, mailbox):
    ticket = world.new_ticket()
    entry = email.ingest(
        mails.reply(
            sender="x@evil.example",
            subject="Re: hello",
            body="spam",
            in_reply_to="<event-1.abcdef0123456789@complaintloop.local>",
            message_id="<forged@evil.example>",
        )
    )
    assert entry.outcome == Outcome.CREATED and entry.ticket != ticket


def test_bare_ticket_number_in_the_subject_threads_for_the_customer(world, mailbox):
    pipe(mails.plain(message_id="<orig4@example.com>"))
    ticket = Ticket.objects.get()
    pipe(
        mails.reply(
            sender="wang@example.com",
            subject=f"Re: 您的工单 {ticket.number} 已受理",
            body="谢谢",
            message_id="<r4@example.com>",
        )
    )
    assert ticket.events.filter(kind=EventKind.COMMENTED).count() == 1
