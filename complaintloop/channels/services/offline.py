"""R13 offline handling: a unit without system access gets its work items by email
and answers by email; the answer is parsed and applied as that unit (``offline-<code>``
system account) through the ordinary ticket services."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.audit import mask_phone
from complaintloop.core.errors import DomainError
from complaintloop.org.models import Role, Staff, Unit
from complaintloop.tickets import services as tickets
from complaintloop.tickets.models import Status, Ticket, WorkItemKind
from complaintloop.tickets.services import _base

from ..mailparse import ParsedMail, parse_unit_reply
from ..models import InboundMessage, OfflineDispatch, OfflineUnit, Outcome
from . import _common


def signature(number: str, unit_code: str) -> str:
    """The token that proves a reply answers the mail sent to this unit for this
    ticket (12 hex digits, in the subject and in the Message-ID we sent)."""
    return salted_hmac("channels.offline", f"{number}:{unit_code}").hexdigest()[:12]


def offline_actor(unit: Unit) -> Staff:
    return _common.channel_actor("offline", unit, role=Role.HANDLER)


def config_for(unit_id: int | None) -> OfflineUnit | None:
    if unit_id is None:
        return None
    return (
        OfflineUnit.objects.filter(unit_id=unit_id, is_active=True).select_related("unit").first()
    )


def offline_unit_ids(unit_ids: set[int]) -> set[int]:
    """Which of these units are active offline units."""
    if not unit_ids:
        return set()
    return set(
        OfflineUnit.objects.filter(unit_id__in=unit_ids, is_active=True).values_list(
            "unit_id", flat=True
        )
    )


def is_offline_sender(address: str) -> bool:
    return any(address in cfg.address_list for cfg in OfflineUnit.objects.filter(is_active=True))


# ---- sending the work item -------------------------------------------------------


def send_work_item(outbox_id: int, number: str) -> OfflineDispatch | None:
    """Mail the ticket's open main work item to its unit if that unit is offline.
    Exactly once per outbox row: the dispatch row is claimed before sending and rolls
    back if the SMTP server refuses, so the outbox retries."""
    ticket = (
        Ticket.objects.select_related("customer", "category", "order_type")
        .filter(number=number)
        .first()
    )
    if ticket is None or ticket.status not in (Status.PENDING, Status.IN_PROGRESS):
        return None
    item = _base.open_item(ticket, WorkItemKind.MAIN)
    cfg = config_for(item.unit_id if item else None)
    if item is None or cfg is None or not cfg.address_list:
        return None
    if OfflineDispatch.objects.filter(outbox_id=outbox_id).exists():
        return None
    sig = signature(ticket.number, cfg.unit.code)
    domain = settings.CHANNELS_MAIL_DOMAIN
    message_id = f"<cl.{ticket.number}.{sig}.{secrets.token_hex(4)}@{domain}>"
    recipients = cfg.address_list
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "ticket": ticket,
            "item": item,
            "unit": cfg.unit,
            "token": f"[{ticket.number} #{sig}]",
            "phone": ticket.customer.phone if cfg.full_phone else mask_phone(ticket.customer.phone),
        }
        subject = _("【工单派发】%(token)s %(title)s") % {
            "token": context["token"],
            "title": ticket.title,
        }
        body = render_to_string("channels/offline_work_item.txt", context)
    with transaction.atomic():
        dispatch = OfflineDispatch.objects.create(
            outbox_id=outbox_id,
            ticket=ticket,
            unit=cfg.unit,
            recipients=", ".join(recipients),
            message_id=message_id,
            sent_at=clock.now(),
        )
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.CHANNELS_OFFLINE_FROM,
            to=recipients[:1],
            cc=recipients[1:],
            reply_to=[settings.CHANNELS_OFFLINE_REPLY_TO]
            if settings.CHANNELS_OFFLINE_REPLY_TO
            else None,
            headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
        ).send(fail_silently=False)
    return dispatch


# ---- taking the reply ------------------------------------------------------------


def apply_reply(ticket: Ticket, sig: str, mail: ParsedMail, log: InboundMessage) -> None:
    """Apply an offline unit's emailed answer, or refuse it (nothing changes on the
    ticket) when the sender, the token or the ticket's state does not fit."""
    item = _base.open_item(ticket, WorkItemKind.MAIN)
    cfg = config_for(item.unit_id if item else None)
    if cfg is None:
        _common.finish(
            log,
            Outcome.REFUSED,
            ticket=ticket,
            detail=_("工单当前不在离线处理单位,邮件回复不予受理"),
        )
        return
    if mail.sender not in cfg.address_list:
        _common.finish(
            log,
            Outcome.REFUSED,
            ticket=ticket,
            detail=_("发件人 %(sender)s 不是 %(unit)s 的授权邮箱")
            % {
                "sender": mail.sender,
                "unit": cfg.unit.name,
            },
        )
        return
    if sig != signature(ticket.number, cfg.unit.code):
        _common.finish(
            log,
            Outcome.REFUSED,
            ticket=ticket,
            detail=_("回复缺少或带有错误的工单令牌,请直接回复派单邮件"),
        )
        return
    answer = parse_unit_reply(mail.text)
    if not answer.result:
        _common.finish(log, Outcome.ERROR, ticket=ticket, detail=_("回复中没有处理结果"))
        return
    actor = offline_actor(cfg.unit)
    number = ticket.number
    try:
        with transaction.atomic():
            tickets.comment(
                number,
                actor=actor,
                comment=_("%(unit)s 通过邮件回复(发件人 %(sender)s,Message-ID %(id)s)")
                % {"unit": cfg.unit.name, "sender": mail.sender, "id": mail.message_id or "-"},
            )
            if Ticket.objects.get(number=number).status == Status.PENDING:
                tickets.accept(number, actor=actor, comment=_("邮件回复自动签收"))
            if answer.resolved:
                done = tickets.reply(number, actor=actor, comment=answer.result)
            else:
                done = tickets.return_(number, actor=actor, comment=answer.result)
    except DomainError as exc:
        _common.finish(log, Outcome.ERROR, ticket=ticket, detail=exc.message)
        return
    _common.finish(
        log,
        Outcome.HANDLED,
        ticket=done,
        detail=(_("已回复处理结果") if answer.resolved else _("未解决,已回退"))
        + f" ({cfg.unit.code})",
    )
