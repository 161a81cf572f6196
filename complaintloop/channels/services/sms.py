"""Inbound SMS (R1, R18): the gateway's callback text is read by the configurable
grammar (``SmsGrammar`` rows): formatted messages create classified tickets, free text
an unclassified one, 1/2/3 answer the phone's pending survey, anything else gets an SMS
explaining the format. Idempotent on the gateway's message id."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintloop.core import outbox
from complaintloop.core.errors import DomainError, Invalid
from complaintloop.customers import phones
from complaintloop.org.models import Unit, UnitKind
from complaintloop.taxonomy import selectors as taxonomy
from complaintloop.tickets import services as tickets
from complaintloop.tickets.models import Channel, Status, Ticket, WorkItemKind
from complaintloop.tickets.services import _base

from ..models import InboundChannel, InboundMessage, Outcome, SmsAction, SmsGrammar
from . import _common

CHANNEL = InboundChannel.SMS
ANSWER_TOPIC = "channels.sms_answer"
SURVEY_ANSWERS = {"1": "satisfied", "2": "neutral", "3": "dissatisfied"}
SIGNATURE_HEADER = "X-Signature"


def default_help() -> str:
    return _(
        "【客服】短信格式:TS#分类编码#问题描述,例如 TS#0101#宽带无法上网;"
        "也可直接发送问题描述。评价请回复 1 满意、2 一般、3 不满意。"
    )


def sign(body: bytes, secret: str | None = None) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw request body with the shared secret."""
    key = (secret if secret is not None else settings.CHANNELS_SMS_SECRET).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, header: str | None) -> bool:
    if not settings.CHANNELS_SMS_SECRET or not header:
        return False
    return hmac.compare_digest(sign(body), header.strip())


@dataclass
class SmsIn:
    phone: str
    text: str
    gateway_id: str


def _validate(data: SmsIn) -> SmsIn:
    errors: dict[str, list[str]] = {}
    phone = ""
    try:
        phone = phones.normalize(data.phone, field="from")
    except Invalid as exc:
        errors.update(exc.fields)
    if not (data.text or "").strip():
        errors["text"] = [_("必填")]
    if not (data.gateway_id or "").strip():
        errors["id"] = [_("必填")]
    if errors:
        raise Invalid("sms.invalid", _("短信回调参数不完整或格式不正确"), errors)
    return SmsIn(phone=phone, text=data.text.strip()[:2000], gateway_id=data.gateway_id.strip())


def receive(data: SmsIn) -> InboundMessage:
    """Handle one inbound SMS; the log row says what became of it."""
    data = _validate(data)
    fields = {
        "message_id": data.gateway_id[:255],
        "sender": data.phone,
        "subject": data.text[:255],
        "body": data.text,
        "size": len(data.text.encode()),
    }
    if _common.seen(CHANNEL, data.gateway_id):
        return _common.log(CHANNEL, Outcome.DUPLICATE, detail=_("网关消息 ID 已处理过"), **fields)
    try:
        with transaction.atomic():
            entry = _common.claim(CHANNEL, data.gateway_id, **fields)
            _route(data, entry)
            return entry
    except IntegrityError:
        if _common.seen(CHANNEL, data.gateway_id):
            return _common.log(
                CHANNEL, Outcome.DUPLICATE, detail=_("网关消息 ID 已处理过"), **fields
            )
        raise
    except DomainError as exc:
        return _common.log(CHANNEL, Outcome.ERROR, detail=f"{exc.code}: {exc.message}", **fields)


def _route(data: SmsIn, entry: InboundMessage) -> None:
    for rule in SmsGrammar.objects.filter(is_active=True).select_related("order_type"):
        try:
            match = re.fullmatch(rule.pattern, data.text, re.S | re.I)
        except re.error:
            continue  # the admin form refuses bad patterns; an old row must not break intake
        if match is None:
            continue
        groups = match.groupdict()
        if rule.action == SmsAction.SURVEY:
            _survey(data, entry, (groups.get("answer") or "").strip(), rule)
        elif rule.action in (SmsAction.CLASSIFIED, SmsAction.FREE_TEXT):
            _create(data, entry, rule, groups)
        else:
            _answer(data, entry, rule.answer or default_help(), _("格式说明:%s") % rule.name)
        return
    _answer(data, entry, default_help(), _("无法识别的短信格式"))


def _answer(data: SmsIn, entry: InboundMessage, text: str, detail: str, ticket=None) -> None:
    outbox.emit(ANSWER_TOPIC, {"phone": data.phone, "text": text, "inbound": entry.pk})
    _common.finish(entry, Outcome.ANSWERED, ticket=ticket, detail=f"{detail}\n→ {text}")


def _intake_unit(phone: str) -> Unit:
    """A known customer's city takes the SMS; an unknown number goes to the unit
    CHANNELS_SMS_UNIT names (else the first city)."""
    from complaintloop.customers.models import Customer

    region_id = Customer.objects.filter(phone=phone).values_list("region_id", flat=True).first()
    city = Unit.objects.filter(pk=region_id).first() if region_id else None
    if city is None and settings.CHANNELS_SMS_UNIT:
        unit = Unit.objects.filter(code=settings.CHANNELS_SMS_UNIT, is_active=True).first()
        if unit is not None:
            return unit
    if city is None:
        city = Unit.objects.filter(kind=UnitKind.CITY, is_active=True).order_by("path").first()
    if city is None:
        raise Invalid("sms.no_unit", _("没有可受理短信的单位,请配置 CHANNELS_SMS_UNIT"))
    return _common.home_unit(_common.city_of(city))


def _create(data: SmsIn, entry: InboundMessage, rule: SmsGrammar, groups: dict) -> None:
    text = (groups.get("text") or data.text).strip()
    code = ""
    if rule.action == SmsAction.CLASSIFIED:
        code = (groups.get("category") or "").strip()
        category = taxonomy.category(code) if code else None
        if category is None or not category.is_active:
            _answer(
                data,
                entry,
                _("【客服】分类编码「%(code)s」不存在。") % {"code": code} + default_help(),
                _("未知分类编码 %(code)s") % {"code": code},
            )
            return
    if not text:
        _answer(data, entry, default_help(), _("缺少问题描述"))
        return
    actor = _common.channel_actor("sms", _intake_unit(data.phone))
    try:
        with transaction.atomic():
            ticket, _created = tickets.create(
                tickets.NewTicket(
                    order_type=rule.order_type.code if rule.order_type_id else "complaint",
                    channel=Channel.SMS,
                    customer_phone=data.phone,
                    category=code,
                    description=text,
                    # Classified messages route at once; free text waits at intake.
                    dispatch=bool(code),
                    extra={"channel": "sms", "message_id": data.gateway_id, "rule": rule.name},
                ),
                actor=actor,
            )
    except DomainError as exc:
        _answer(data, entry, default_help(), f"{exc.code}: {exc.message}")
        return
    _common.finish(
        entry,
        Outcome.CREATED,
        ticket=ticket,
        detail=_("规则:%(rule)s") % {"rule": rule.name},
    )


def _survey(data: SmsIn, entry: InboundMessage, answer: str, rule: SmsGrammar) -> None:
    result = SURVEY_ANSWERS.get(answer)
    ticket = (
        Ticket.objects.filter(customer__phone=data.phone, status=Status.REPLIED)
        .order_by("-resolved_at", "-id")
        .first()
    )
    if result is None or ticket is None:
        _answer(
            data,
            entry,
            _("【客服】您目前没有待评价的工单。") + default_help(),
            _("没有待评价的工单"),
        )
        return
    item = _base.open_item(ticket, WorkItemKind.CALLBACK)
    unit = item.unit if item is not None else (ticket.accepting_unit or ticket.region)
    actor = _common.channel_actor("sms", unit)
    done = tickets.callback(
        ticket.number,
        actor=actor,
        result=result,
        comment=_("客户短信评价:%(answer)s") % {"answer": answer},
    )
    _common.finish(
        entry,
        Outcome.SURVEYED,
        ticket=done,
        detail=_("规则:%(rule)s;评价 %(result)s") % {"rule": rule.name, "result": result},
    )
