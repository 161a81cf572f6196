"""Inbound email (R1, R13): a raw message, piped or fetched over IMAP, becomes a new
ticket, a comment on the ticket it answers, an offline unit's handling result, or a
logged refusal. Idempotent on the Message-ID."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintloop.core.errors import DomainError
from complaintloop.tickets import services as tickets
from complaintloop.tickets.models import Channel, Ticket

from ..mailparse import ParsedMail, parse
from ..models import EmailIdentity, InboundChannel, InboundMessage, Mailbox, Outcome
from . import _common, offline

log = logging.getLogger("complaintloop.channels")
CHANNEL = InboundChannel.EMAIL


def default_mailbox() -> Mailbox | None:
    return Mailbox.objects.filter(is_active=True).order_by("id").first()


def ingest(raw: bytes, *, mailbox: Mailbox | None = None) -> InboundMessage:
    """Take one raw message; returns its log row (see ``InboundMessage.outcome``)."""
    mail = parse(raw)
    fields = {
        "message_id": mail.message_id or mail.key,
        "mailbox": mailbox,
        "sender": mail.sender[:255],
        "subject": mail.subject,
        "size": mail.size,
        "body": mail.text[:20000],
        "html": mail.html[:50000],
    }
    if _common.seen(CHANNEL, mail.key):
        return _common.log(CHANNEL, Outcome.DUPLICATE, detail=_("Message-ID 已处理过"), **fields)
    try:
        with transaction.atomic():
            entry = _common.claim(CHANNEL, mail.key, **fields)
            _route(mail, mailbox, entry)
            return entry
    except IntegrityError:
        if _common.seen(CHANNEL, mail.key):  # a concurrent delivery of the same message won
            return _common.log(
                CHANNEL, Outcome.DUPLICATE, detail=_("Message-ID 已处理过"), **fields
            )
        raise
    except DomainError as exc:
        # Rolled back; logged without the key so a corrected retry can go through.
        return _common.log(CHANNEL, Outcome.ERROR, detail=f"{exc.code}: {exc.message}", **fields)


def _route(mail: ParsedMail, mailbox: Mailbox | None, entry: InboundMessage) -> None:
    if mail.autoreply_reason:
        # Never answered and never a ticket, so no mail loop can start here.
        _common.finish(entry, Outcome.IGNORED_AUTOREPLY, detail=mail.autoreply_reason)
        return
    if not mail.sender:
        _common.finish(entry, Outcome.REFUSED, detail=_("邮件没有发件人地址"))
        return
    ticket, sig, by_header = _thread(mail)
    if ticket is not None:
        if sig or offline.is_offline_sender(mail.sender):
            offline.apply_reply(ticket, sig, mail, entry)
        else:
            _comment(ticket, mail, entry, by_header)
        return
    if mailbox is None:
        mailbox = default_mailbox()
    if mailbox is None:
        _common.finish(entry, Outcome.ERROR, detail=_("没有启用的收件邮箱配置,无法建单"))
        return
    _create(mail, mailbox, entry)


def _notified_numbers(mail: ParsedMail) -> list[str]:
    """Tickets whose notification mail (sent by the notify app, Message-ID
    ``<event-<outbox id>.…>``) this message answers; only ids we really sent count."""
    from complaintloop.core.models import Outbox
    from complaintloop.notify.models import EmailMessage

    refs = mail.event_refs()
    if not refs:
        return []
    sent = set(
        EmailMessage.objects.filter(message_id__in=[mid for mid, _id in refs]).values_list(
            "message_id", flat=True
        )
    )
    ids = [outbox_id for mid, outbox_id in refs if mid in sent]
    rows = Outbox.objects.filter(pk__in=ids, topic="ticket.event").values_list("payload", flat=True)
    return [p["ticket"] for p in rows if p.get("ticket")]


def _thread(mail: ParsedMail) -> tuple[Ticket | None, str, bool]:
    """The ticket the message answers: (ticket, signature, whether the token came from
    References/In-Reply-To, i.e. the message replies to one we sent)."""
    from_headers = {number for number, _sig in mail.header_tokens()}
    notified = _notified_numbers(mail)
    from_headers.update(notified)
    candidates = [(number, "") for number in notified] + mail.thread_tokens()
    for number, sig in candidates:
        ticket = Ticket.objects.select_related("customer").filter(number=number).first()
        if ticket is not None:
            return ticket, sig, number in from_headers
    return None, "", False


def _comment(ticket: Ticket, mail: ParsedMail, entry: InboundMessage, by_header: bool) -> None:
    """A customer's answer to a notification goes into the trace as a comment; the
    subject token alone is taken only from the ticket's own customer."""
    known = mail.sender == (ticket.customer.email or "").lower() or (
        EmailIdentity.objects.filter(address=mail.sender, customer_id=ticket.customer_id).exists()
    )
    if not (by_header or known):
        _common.finish(
            entry,
            Outcome.REFUSED,
            ticket=ticket,
            detail=_("发件人 %(sender)s 不是该工单的客户,未追加到工单") % {"sender": mail.sender},
        )
        return
    actor = _common.channel_actor("email", ticket.accepting_unit or ticket.region)
    body = mail.text or mail.subject
    tickets.comment(
        ticket.number,
        actor=actor,
        comment=_("客户邮件回复(%(sender)s):\n%(body)s") % {"sender": mail.sender, "body": body},
    )
    skipped = _common.attach_files(ticket, [(f.name, f.data) for f in mail.files], actor=actor)
    _common.contact(ticket.customer, "email", mail.subject or body, ticket.number, actor)
    _common.finish(entry, Outcome.COMMENTED, ticket=ticket, detail="\n".join(skipped))


def _create(mail: ParsedMail, mailbox: Mailbox, entry: InboundMessage) -> None:
    city = _common.city_of(mailbox.unit)
    customer = _common.customer_by_email(mail.sender, name=mail.sender_name, region=city)
    actor = _common.channel_actor("email", mailbox.unit)
    description = mail.text or mail.subject or _("(邮件无正文,见附件)")
    ticket, _created = tickets.create(
        tickets.NewTicket(
            order_type=mailbox.order_type.code,
            channel=Channel.EMAIL,
            customer_id=customer.pk,
            title=mail.subject[:200],
            description=description,
            dispatch=mailbox.auto_dispatch,
            extra={"channel": "email", "message_id": mail.message_id, "from": mail.sender},
        ),
        actor=actor,
    )
    skipped = _common.attach_files(ticket, [(f.name, f.data) for f in mail.files], actor=actor)
    _common.finish(entry, Outcome.CREATED, ticket=ticket, detail="\n".join(skipped))
