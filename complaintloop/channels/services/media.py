"""Voicemail and fax (R1): the telephony or fax server posts the file with the caller's
metadata; the ticket waits at intake with the file attached, in the 待转写 queue,
until an agent writes down what it says and classifies it."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintloop.attachments import services as attachments
from complaintloop.core import clock
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.customers import phones
from complaintloop.org.models import Staff
from complaintloop.tickets import services as tickets
from complaintloop.tickets.models import Channel, Ticket

from ..models import InboundChannel, InboundMessage, Outcome, Transcription
from . import _common

INTEGRATION_GROUP = "channel-integration"
AUDIO = {".mp3", ".wav", ".amr", ".m4a", ".aac", ".ogg"}
IMAGES = {".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"}
ACCEPTED = {InboundChannel.VOICEMAIL: AUDIO, InboundChannel.FAX: IMAGES}


def is_integration(staff: Staff) -> bool:
    return staff.groups.filter(name=INTEGRATION_GROUP).exists()


def integration_account(unit_code: str) -> Staff:
    """The dedicated account a telephony/fax server authenticates as (``integration-
    <unit>``): an agent of ``unit`` in the channel-integration group, no password."""
    from complaintloop.org.models import Role, Unit

    unit = Unit.objects.filter(code=unit_code, is_active=True).first()
    if unit is None:
        raise Invalid("unit.unknown", _("单位 %(code)s 不存在") % {"code": unit_code})
    staff = _common.channel_actor("integration", unit, role=Role.AGENT)
    group, _created = Group.objects.get_or_create(name=INTEGRATION_GROUP)
    staff.groups.add(group)
    return staff


@dataclass
class MediaIn:
    channel: str
    caller: str
    called: str
    received_at: datetime | None
    duration_seconds: int | None = None
    pages: int | None = None
    message_id: str = ""


def _validate(data: MediaIn, upload: UploadedFile | None) -> str:
    errors: dict[str, list[str]] = {}
    caller = ""
    try:
        caller = phones.normalize(data.caller, field="caller")
    except Invalid as exc:
        errors.update(exc.fields)
    if upload is None:
        errors["file"] = [_("必填")]
    else:
        ext = os.path.splitext(upload.name or "")[1].lower()
        if ext not in ACCEPTED[data.channel]:
            errors["file"] = [
                _("此渠道可接收的文件类型:%(types)s")
                % {"types": " ".join(sorted(ACCEPTED[data.channel]))}
            ]
    if data.duration_seconds is not None and data.duration_seconds < 0:
        errors["duration"] = [_("不能为负数")]
    if data.pages is not None and data.pages < 0:
        errors["pages"] = [_("不能为负数")]
    if errors:
        raise Invalid("media.invalid", _("请求参数不完整或格式不正确"), errors)
    attachments.validate([upload])
    return caller


def _key(data: MediaIn, caller: str, upload: UploadedFile) -> str:
    if data.message_id:
        return data.message_id.strip()[:255]
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stamp = data.received_at.isoformat() if data.received_at else ""
    return f"sha256:{digest.hexdigest()}:{caller}:{stamp}"


def receive(data: MediaIn, upload: UploadedFile | None, *, actor: Staff) -> InboundMessage:
    """File a voicemail or fax as a ticket waiting for transcription; a repeated
    delivery (same message id, or same file, caller and time) returns the first one."""
    if not (actor.is_superuser or is_integration(actor)):
        raise Forbidden("channels.not_integration", _("此接口仅限渠道集成账号调用"))
    caller = _validate(data, upload)
    key = _key(data, caller, upload)
    fields = {"message_id": key[:255], "sender": caller, "size": upload.size or 0}
    first = InboundMessage.objects.filter(dedupe_key=f"{data.channel}:{key}"[:300]).first()
    if first is not None:
        _common.log(data.channel, Outcome.DUPLICATE, ticket=first.ticket, **fields)
        return first
    received = data.received_at or clock.now()
    if timezone.is_naive(received):
        received = timezone.make_aware(received)  # the server's zone, like the rest of intake
    label = (
        _("语音留言(时长 %(n)s 秒)") % {"n": data.duration_seconds or 0}
        if data.channel == InboundChannel.VOICEMAIL
        else _("传真(%(n)s 页)") % {"n": data.pages or 0}
    )
    title = _("%(label)s 来自 %(caller)s") % {"label": label, "caller": caller}
    try:
        with transaction.atomic():
            entry = _common.claim(data.channel, key, subject=title[:255], **fields)
            ticket, _created = tickets.create(
                tickets.NewTicket(
                    order_type=settings.CHANNELS_MEDIA_ORDER_TYPE,
                    channel=Channel(data.channel),
                    customer_phone=caller,
                    title=title,
                    description=_("%(label)s,待转写。主叫 %(caller)s,被叫 %(called)s,接收于 %(at)s")
                    % {
                        "label": label,
                        "caller": caller,
                        "called": data.called or "-",
                        "at": timezone.localtime(received).strftime("%Y-%m-%d %H:%M"),
                    },
                    dispatch=False,
                    extra={
                        "channel": data.channel,
                        "message_id": key,
                        "called": data.called,
                        "received_at": received.isoformat(),
                    },
                ),
                actor=actor,
            )
            attachments.attach(ticket, [upload], actor=actor)
            Transcription.objects.create(
                ticket=ticket,
                channel=data.channel,
                caller=caller,
                called=(data.called or "")[:32],
                received_at=received,
                duration_seconds=data.duration_seconds,
                pages=data.pages,
            )
            if data.channel == InboundChannel.VOICEMAIL:
                # R4: a voicemail is a call from the customer (a fax has no contact kind).
                _common.contact(ticket.customer, "call", title, ticket.number, actor)
            _common.finish(entry, Outcome.CREATED, ticket=ticket)
            return entry
    except IntegrityError:
        first = InboundMessage.objects.filter(dedupe_key=f"{data.channel}:{key}"[:300]).first()
        if first is None:
            raise
        return first


@transaction.atomic
def transcribe(
    number: str, *, actor: Staff, text: str, category: str, version: int | None = None
) -> Ticket:
    """转写: write down what the recording or fax says and classify the ticket; it
    leaves the 待转写 queue and is dispatched from the ticket page as usual."""
    # The ticket first: its lock and data scope decide before anything is revealed.
    ticket = tickets.reclassify(
        number,
        actor=actor,
        category=category,
        description=text,
        comment=_("转写并分类"),
        version=version,
    )
    pending = Transcription.objects.select_for_update().filter(ticket=ticket).first()
    if pending is None:
        raise NotFound(
            "transcription.not_found", _("工单 %(number)s 不需要转写") % {"number": number}
        )
    if pending.done_at is not None:
        raise Conflict("transcription.done", _("该工单已转写"))
    pending.done_at = clock.now()
    pending.done_by = actor
    pending.save(update_fields=["done_at", "done_by"])
    return ticket
