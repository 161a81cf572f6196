"""受理: creating a ticket from any channel, idempotent on the client's key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintloop.core import calendar, clock
from complaintloop.core.errors import Conflict, Invalid
from complaintloop.customers import phones
from complaintloop.customers.models import ContactRecord, Customer, CustomerLevel
from complaintloop.org import selectors as org
from complaintloop.org.models import Staff, Unit, UnitKind
from complaintloop.processes import engine
from complaintloop.routing import reasons as routing_reasons
from complaintloop.routing import services as routing
from complaintloop.routing.models import Urgency
from complaintloop.taxonomy import selectors as taxonomy
from complaintloop.taxonomy.models import Category, OrderType, Product, ServiceProvider

from .. import search
from ..models import Channel, EventKind, Status, Ticket, TicketProcess, WorkItemKind
from . import _base, incident
from .numbering import next_number
from .process import process_data

CHANNEL_TO_CONTACT = {
    Channel.PHONE: "call",
    Channel.SMS: "sms",
    Channel.EMAIL: "email",
    Channel.HALL: "visit",
    Channel.WEB: "web",
    Channel.APP: "app",
}

# Orders forwarded by partner systems and regulators may name an organisation's 400/800
# or short service number (95598, 10086) as the complainant's; other channels take
# personal mobile and landline numbers only.
SERVICE_NUMBER_CHANNELS = {Channel.PARTNER, Channel.REGULATOR}


@dataclass
class NewTicket:
    """What intake needs; the API schema and the pages fill it."""

    order_type: str
    channel: str
    description: str
    title: str = ""
    customer_phone: str = ""
    customer_id: int | None = None
    customer_name: str = ""
    category: str = ""
    product: str = ""
    sp: str = ""
    urgency: str = ""
    region: str = ""
    resolve_now: bool = False
    resolution: str = ""
    pre_handling: str = ""
    dispatch: bool = True
    extra: dict = field(default_factory=dict)

    def fingerprint(self) -> str:
        return hashlib.sha256(
            json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()


def create(
    data: NewTicket, *, actor: Staff, idempotency_key: str | None = None
) -> tuple[Ticket, bool]:
    """Create a ticket; with a key already used by this actor, return that ticket
    (``created`` False) if the request is the same, else 409."""
    fingerprint = data.fingerprint()
    if idempotency_key:
        existing = _replay(actor, idempotency_key, fingerprint)
        if existing is not None:
            return existing, False
    try:
        return _create(data, actor=actor, key=idempotency_key, fingerprint=fingerprint), True
    except IntegrityError:
        # A concurrent request with the same key won the insert: answer as a replay.
        if not idempotency_key:
            raise
        existing = _replay(actor, idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing, False


def _replay(actor: Staff, key: str, fingerprint: str) -> Ticket | None:
    ticket = Ticket.objects.filter(created_by=actor, idempotency_key=key).first()
    if ticket is not None and ticket.request_hash != fingerprint:
        raise Conflict(
            "idempotency.key_reused",
            _("Idempotency-Key 已用于另一个不同的请求"),
            {"Idempotency-Key": [key]},
        )
    return ticket


def _lookup(finder, code: str, field_name: str, label: str):
    if not code:
        return None
    found = finder(code)
    if found is None:
        raise Invalid(
            f"{field_name}.unknown",
            _("%(label)s「%(code)s」不存在") % {"label": label, "code": code},
            {field_name: [_("未知编码")]},
        )
    return found


def _customer(data: NewTicket, actor: Staff) -> Customer:
    if data.customer_id:
        # Out of the actor's data scope is the same as unknown: ids are sequential.
        customer = Customer.objects.visible_to(actor).filter(pk=data.customer_id).first()
        if customer is None:
            raise Invalid("customer.unknown", _("客户不存在"), {"customer_id": [_("未知客户")]})
        return customer
    phone = phones.normalize(
        data.customer_phone, allow_service_numbers=data.channel in SERVICE_NUMBER_CHANNELS
    )
    customer = Customer.objects.filter(phone=phone).first()
    if customer is None:
        region = org.region_of(actor.unit)
        customer = Customer.objects.create(
            phone=phone,
            name=data.customer_name.strip() or _("未登记客户"),
            level=CustomerLevel.ORDINARY,
            region=region,
        )
    return customer


def _region(data: NewTicket, customer: Customer, actor: Staff) -> Unit:
    if data.region:
        unit = org.unit_by_code(data.region)
        if unit is None or unit.kind not in (UnitKind.CITY, UnitKind.DISTRICT):
            raise Invalid(
                "region.unknown",
                _("地市「%(code)s」不存在") % {"code": data.region},
                {"region": [_("未知地市")]},
            )
        return unit
    if customer.region_id:
        return org.unit(customer.region_id)
    if actor.unit and actor.unit.region_id:
        return org.unit(actor.unit.region_id)
    raise Invalid("field.required", _("无法确定工单所属地市,请填写"), {"region": [_("必填")]})


def _validate(
    data: NewTicket,
) -> tuple[OrderType, Category | None, Product | None, ServiceProvider | None]:
    order_type = _lookup(taxonomy.order_type, data.order_type, "order_type", _("工单类型"))
    if order_type is None:
        raise Invalid("field.required", _("请选择工单类型"), {"order_type": [_("必填")]})
    if data.channel not in Channel.values:
        raise Invalid(
            "channel.unknown",
            _("受理渠道不正确"),
            {"channel": [_("可选值:") + ",".join(Channel.values)]},
        )
    if not data.description.strip():
        raise Invalid("field.required", _("请填写问题描述"), {"description": [_("必填")]})
    if data.urgency and data.urgency not in Urgency.values:
        raise Invalid(
            "urgency.unknown", _("紧急程度不正确"), {"urgency": [",".join(Urgency.values)]}
        )
    category = _lookup(taxonomy.category, data.category, "category", _("分类"))
    if category is not None and not category.is_active:
        raise Invalid("category.inactive", _("分类已停用"), {"category": [_("已停用")]})
    if data.resolve_now and not data.resolution.strip():
        raise Invalid("field.required", _("首问解决需填写处理结果"), {"resolution": [_("必填")]})
    return (
        order_type,
        category,
        _lookup(taxonomy.product, data.product, "product", _("产品")),
        _lookup(taxonomy.service_provider, data.sp, "sp", _("SP")),
    )


@transaction.atomic
def _create(data: NewTicket, *, actor: Staff, key: str | None, fingerprint: str) -> Ticket:
    _base.require_operator(actor)
    order_type, category, product, sp = _validate(data)
    customer = _customer(data, actor)
    region = _region(data, customer, actor)
    now = clock.now()
    decision = routing.decide(
        order_type=order_type,
        category=category,
        region=region,
        customer_level=customer.level,
        urgency=data.urgency,
        channel=data.channel,
        product=product.code if product else "",
        sp=sp.code if sp else "",
        text=f"{data.title}\n{data.description}",
        is_enterprise=customer.is_enterprise,
        at=now,
    )
    accepting = actor.unit or region
    status = (
        Status.CLOSED if data.resolve_now else (Status.PENDING if data.dispatch else Status.NEW)
    )
    urgency = decision.urgency
    due_at, unknown_year = calendar.deadline_or_natural(
        now, decision.time_limit_minutes, decision.time_basis
    )
    reasons = list(decision.reasons)
    if unknown_year is not None:
        # The calendar has no holidays for that year yet: say the limit ran in natural time.
        reasons.append(routing_reasons.reason("calendar_fallback", year=unknown_year))
    ticket = Ticket(
        number=next_number(now),
        order_type=order_type,
        channel=data.channel,
        customer=customer,
        customer_level=customer.level,
        category=category,
        category_path=category.path if category else "",
        product=product,
        sp=sp,
        urgency=urgency,
        region=region,
        region_path=region.path,
        title=(data.title.strip() or data.description.strip()[:40])[:200],
        description=data.description.strip(),
        status=status,
        accepting_unit=accepting,
        accepting_path=accepting.path,
        created_by=actor,
        created_at=now,
        updated_at=now,
        time_basis=decision.time_basis,
        time_limit_minutes=decision.time_limit_minutes,
        first_response_due_at=calendar.deadline(
            now, settings.SLA_FIRST_RESPONSE_MINUTES, decision.time_basis
        ),
        due_at=due_at,
        is_pre_handled=bool(data.pre_handling.strip()),
        idempotency_key=key,
        request_hash=fingerprint,
        version=1,
    )
    # An outage this complaint is about: recorded with the insert and the creation event.
    hit = None if data.resolve_now else incident.match_at_intake(ticket)
    if hit is not None:
        ticket.incident_number = hit[1]
    payload: dict = {
        # Reasons as codes + parameters, said in each reader's language (routing.reasons).
        "routing": {
            "unit": decision.unit.code,
            "reasons": reasons,
            "rule": decision.rule_id,
            # Which table versions decided, and which of their rules matched (R11).
            "tables": list(decision.tables),
        }
    }
    if data.resolve_now:
        ticket.is_fcr = True
        ticket.owner_unit = accepting
        ticket.owner_staff = actor
        ticket.resolution = data.resolution.strip()
        ticket.first_response_at = ticket.resolved_at = ticket.closed_at = now
        ticket.current_step = ""
        ticket.save(force_insert=True)
        payload["resolved_at_first_contact"] = True
    elif not data.dispatch:
        ticket.owner_unit = accepting
        ticket.current_step = "dispatch"
        ticket.save(force_insert=True)
        _base.new_item(
            ticket, kind=WorkItemKind.MAIN, unit=accepting, step="dispatch", due_at=ticket.due_at
        )
    else:
        ticket.owner_unit = decision.unit
        instance = engine.start(
            decision.process_key or "general_complaint", data=process_data(ticket)
        )
        step = instance.ready[0] if instance.ready else None
        ticket.current_step = step.id if step else ""
        ticket.save(force_insert=True)
        TicketProcess.objects.create(
            ticket=ticket,
            definition_id=instance.definition_id,
            state=instance.state,
            finished=instance.finished,
        )
        _base.new_item(
            ticket,
            kind=WorkItemKind.MAIN,
            unit=decision.unit,
            step=ticket.current_step,
            from_unit=accepting,
            due_at=_step_due(ticket, now, step.time_limit_minutes if step else None),
        )
    if data.pre_handling.strip():
        payload["pre_handling"] = data.pre_handling.strip()
    if data.extra:
        payload["source"] = data.extra  # e.g. the inbound channel's message id
    if hit is not None:
        payload["incident"] = hit[1]
    _contact(ticket, customer, actor, now)
    search.index(ticket)
    _base.record(
        ticket,
        EventKind.CREATED,
        actor=actor,
        from_status="",
        comment=data.resolution.strip() if data.resolve_now else "",
        payload=payload,
        bump=False,
    )
    if hit is not None:
        hit[0].attached(ticket, hit[1], actor)
    return ticket


def _step_due(ticket: Ticket, start, step_minutes: int | None):
    if step_minutes:
        return min(ticket.due_at, calendar.deadline(start, step_minutes, ticket.time_basis))
    return ticket.due_at


def _contact(ticket: Ticket, customer: Customer, actor: Staff, now) -> None:
    channel = CHANNEL_TO_CONTACT.get(ticket.channel)
    if channel is None:
        return
    ContactRecord.objects.create(
        customer=customer,
        channel=channel,
        direction="in",
        summary=ticket.title,
        ticket_number=ticket.number,
        staff=actor,
        at=now - timedelta(seconds=0),
    )


__all__ = ["NewTicket", "create", "TicketProcess"]
