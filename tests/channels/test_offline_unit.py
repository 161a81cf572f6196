"""R13: a unit without system access gets its work item by email (sent to a real SMTP
server) and its emailed reply advances the ticket; replies from anyone else change
nothing and are logged as refused."""

import pytest

from complaintloop.channels.mailparse import header_text
from complaintloop.channels.models import InboundMessage, OfflineDispatch, OfflineUnit, Outcome
from complaintloop.channels.services import email, offline
from complaintloop.core import outbox
from complaintloop.tickets.models import EventKind, Status, Ticket

from . import mails

WG_ADDRESSES = "wg-duty@nj.example.com\nwg-lead@nj.example.com"


@pytest.fixture
def offline_wg(world):
    return OfflineUnit.objects.create(unit=world.nj_wg, addresses=WG_ADDRESSES)


@pytest.fixture
def dispatched(world, offline_wg, smtp):
    """A broadband complaint routed to 南京网管中心 (offline), its mail delivered."""
    ticket = world.new_ticket()
    assert ticket.owner_unit == world.nj_wg and ticket.status == Status.PENDING
    outbox.drain()
    return ticket


def the_mail(smtp):
    assert len(smtp.messages) == 1
    return smtp.messages[0]


def test_work_item_is_mailed_to_the_offline_unit(dispatched, smtp):
    sent = the_mail(smtp)
    message = sent["message"]
    sig = offline.signature(dispatched.number, "NJ-WG")
    # to the unit's addresses, with the ticket's token in subject and Message-ID
    assert sorted(sent["to"]) == ["wg-duty@nj.example.com", "wg-lead@nj.example.com"]
    subject = header_text(message["Subject"])
    assert subject.startswith("【工单派发】") and f"[{dispatched.number} #{sig}]" in subject
    assert message["Message-ID"].startswith(f"<cl.{dispatched.number}.{sig}.")
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert "家中宽带频繁掉线" in body and "处理结果:" in body
    # the customer's number leaves the system masked (R33: no audited unmask by mail)
    assert "138****1111" in body and "13800001111" not in body
    dispatch = OfflineDispatch.objects.get()
    assert dispatch.message_id == message["Message-ID"]


def test_a_unit_trusted_to_call_back_gets_the_full_number(world, offline_wg, smtp):
    offline_wg.full_phone = True
    offline_wg.save()
    world.new_ticket()
    outbox.drain()
    message = the_mail(smtp)["message"]
    assert "13800001111" in message.get_payload(decode=True).decode(message.get_content_charset())


def test_redelivered_event_does_not_mail_twice(dispatched, smtp):
    from complaintloop.core.models import Outbox

    row = Outbox.objects.filter(topic="ticket.event").order_by("id").first()
    from complaintloop.channels.consumers import mail_offline_unit

    mail_offline_unit([row])
    assert len(smtp.messages) == 1


def _reply(dispatched, smtp, sender, body, message_id="<wg-reply@nj.example.com>"):
    original = the_mail(smtp)["message"]
    return mails.reply(
        sender=sender,
        subject="Re: " + header_text(original["Subject"]),
        body=body,
        in_reply_to=original["Message-ID"],
        message_id=message_id,
    )


def test_authorized_reply_answers_the_ticket_as_the_unit(dispatched, smtp, world):
    raw = _reply(
        dispatched,
        smtp,
        "WG Duty <wg-duty@nj.example.com>",
        "您好,\n处理结果:已上门更换光猫,宽带恢复正常。\n结论:已解决\n\n"
        "------------------ 原始邮件 ------------------\n> 处理结果:(写明处理经过和结果)\n",
    )
    entry = email.ingest(raw)
    ticket = Ticket.objects.get(pk=dispatched.pk)
    assert entry.outcome == Outcome.HANDLED and entry.ticket == ticket
    assert ticket.status == Status.REPLIED
    assert ticket.resolution == "已上门更换光猫,宽带恢复正常。"
    kinds = list(ticket.events.order_by("seq").values_list("kind", "actor__username"))
    assert kinds[-3:] == [
        (EventKind.COMMENTED, "offline-NJ-WG"),
        (EventKind.ACCEPTED, "offline-NJ-WG"),
        (EventKind.REPLIED, "offline-NJ-WG"),
    ]
    note = ticket.events.get(kind=EventKind.COMMENTED)
    assert "通过邮件回复" in note.comment and "wg-duty@nj.example.com" in note.comment


def test_unresolved_reply_returns_the_ticket(dispatched, smtp):
    raw = _reply(
        dispatched,
        smtp,
        "wg-lead@nj.example.com",
        "结论:未解决\n结果:非本单位管辖,请转业务支撑中心",
    )
    entry = email.ingest(raw)
    ticket = Ticket.objects.get(pk=dispatched.pk)
    assert entry.outcome == Outcome.HANDLED
    assert ticket.events.filter(kind=EventKind.RETURNED).get().comment == (
        "非本单位管辖,请转业务支撑中心"
    )
    assert ticket.status in (Status.NEW, Status.PENDING) and ticket.owner_unit.code != "NJ-WG"


def test_reply_from_another_address_is_refused_and_changes_nothing(dispatched, smtp):
    before = (dispatched.status, dispatched.version, dispatched.events.count())
    raw = _reply(dispatched, smtp, "intruder@evil.example", "处理结果:已解决\n结论:已解决")
    entry = email.ingest(raw)
    ticket = Ticket.objects.get(pk=dispatched.pk)
    assert (ticket.status, ticket.version, ticket.events.count()) == before
    assert entry.outcome == Outcome.REFUSED and "intruder@evil.example" in entry.detail
    assert InboundMessage.objects.get(pk=entry.pk).ticket == ticket


def test_authorized_address_without_the_token_is_refused(dispatched, smtp):
    raw = mails.reply(
        sender="wg-duty@nj.example.com",
        subject=f"关于 [{dispatched.number}]",
        body="处理结果:已处理",
        message_id="<no-token@nj.example.com>",
    )
    entry = email.ingest(raw)
    assert entry.outcome == Outcome.REFUSED
    assert Ticket.objects.get(pk=dispatched.pk).status == Status.PENDING


def test_smtp_down_leaves_the_outbox_row_for_a_retry(world, offline_wg, settings):
    from complaintloop.core.models import Outbox

    from .dovecot import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    ticket = world.new_ticket()
    outbox.drain()
    row = Outbox.objects.get(topic="ticket.event", payload__ticket=ticket.number)
    assert row.delivered_at is None and row.attempts == 1
    assert not OfflineDispatch.objects.exists()


@pytest.mark.parametrize(
    ("text", "result", "resolved"),
    [
        ("处理结果:已修复\n结论:已解决", "已修复", True),
        ("已修复,用户确认。\n\n-- \n网管中心 张工", "已修复,用户确认。", True),
        ("结论: 未解决\n处理结果: 需要厂家到场\n第二行说明", "需要厂家到场\n第二行说明", False),
        ("On Mon, Nov 23, 2026 ops wrote:\n> 处理结果:", "", True),
        ("Result: fixed the line\nConclusion: resolved\n> quoted", "fixed the line", True),
    ],
)
def test_reply_grammar(text, result, resolved):
    from complaintloop.channels.mailparse import parse_unit_reply

    answer = parse_unit_reply(text)
    assert (answer.result, answer.resolved) == (result, resolved)
