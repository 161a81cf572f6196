"""Ticket endpoints: create (idempotent), search, read, trace, and one route per R8 action."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field as SchemaField
from ninja import Header, Query, Router, Schema

from complaintloop.core.audit import mask_phone
from complaintloop.core.errors import DomainError
from complaintloop.core.schemas import ERRORS

from . import selectors, services
from .models import EventKind, Ticket
from .permissions import available_actions
from .schemas import (
    ActionBase,
    AssignAction,
    AssistAction,
    BulkAction,
    BulkOut,
    CallbackAction,
    CompleteAssistAction,
    EventOut,
    LinkAction,
    TargetAction,
    TicketIn,
    TicketListItem,
    TicketOut,
    TicketPage,
    ToUnitAction,
)

router = Router(tags=["tickets"])


def list_item(t: Ticket) -> dict:
    return {
        "number": t.number,
        "status": t.status,
        "status_label": str(t.get_status_display()),
        "order_type": t.order_type.code,
        "channel": t.channel,
        "title": t.title,
        "category": t.category.code if t.category_id else None,
        "category_name": t.category.full_name if t.category_id else None,
        "urgency": t.urgency,
        "region": t.region.code,
        "owner_unit": t.owner_unit.code if t.owner_unit_id else None,
        "owner_staff": t.owner_staff.username if t.owner_staff_id else None,
        "customer_level": t.customer_level,
        "created_at": t.created_at,
        "due_at": t.due_at,
        "sla_state": t.sla_state,
    }


def detail(t: Ticket, actor) -> dict:
    items = list(selectors.open_work_items(t))
    return {
        **list_item(t),
        "description": t.description,
        "current_step": t.current_step,
        "customer": {
            "id": t.customer.pk,
            "name": t.customer.name,
            "phone": mask_phone(t.customer.phone),
            "level": t.customer.level,
        },
        "accepting_unit": t.accepting_unit.code if t.accepting_unit_id else None,
        "time_basis": t.time_basis,
        "time_limit_minutes": t.time_limit_minutes,
        "first_response_due_at": t.first_response_due_at,
        "first_response_at": t.first_response_at,
        "resolved_at": t.resolved_at,
        "closed_at": t.closed_at,
        "suspended_minutes": t.suspended_minutes,
        "urge_count": t.urge_count,
        "return_count": t.return_count,
        "transfer_count": t.transfer_count,
        "reopen_count": t.reopen_count,
        "escalation_level": t.escalation_level,
        "is_supervised": t.is_supervised,
        "is_fcr": t.is_fcr,
        "is_pre_handled": t.is_pre_handled,
        "second_handling": t.second_handling,
        "incident": t.incident_number or None,
        "satisfaction": t.satisfaction,
        "resolution": t.resolution,
        "parent": t.parent.number if t.parent_id else None,
        "merged_into": t.merged_into.number if t.merged_into_id else None,
        "version": t.version,
        "work_items": [
            {
                "id": w.pk,
                "kind": w.kind,
                "step": w.step,
                "unit": w.unit.code,
                "unit_name": w.unit.name,
                "staff": w.staff.username if w.staff_id else None,
                "status": w.status,
                "due_at": w.due_at,
                "sla_state": w.sla_state,
                "request": w.request,
            }
            for w in items
        ],
        "actions": available_actions(t, actor, items),
    }


def _fresh(number: str, actor) -> dict:
    return detail(selectors.get_visible(number, actor), actor)


@router.post(
    "/tickets",
    response={200: TicketOut, 201: TicketOut, **ERRORS},
    summary="受理新工单 (idempotent with Idempotency-Key)",
)
def create_ticket(
    request: HttpRequest,
    body: TicketIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=128),
):
    ticket, created = services.create(
        services.NewTicket(**body.dict()),
        actor=request.auth,
        idempotency_key=idempotency_key or None,
    )
    # A new ticket's relations are already in memory; the creator may not be in the
    # ticket's scope by region (a call from another city's customer) but is by intake.
    return (201 if created else 200), detail(ticket, request.auth)


class ListQuery(Schema):
    status: list[str] | None = SchemaField(None, description="状态,可多选;open = 所有未归档")
    type: str = SchemaField("", max_length=32)
    category: str = SchemaField("", max_length=32)
    unit: str = SchemaField("", description="当前处理单位(含下级)", max_length=32)
    region: str = SchemaField("", max_length=32)
    owner: str = SchemaField("", description="当前处理人用户名", max_length=150)
    customer_phone: str = SchemaField("", max_length=20)
    created_from: datetime | None = None
    created_to: datetime | None = None
    overdue: bool | None = None
    sla_state: str = SchemaField("", max_length=16)
    urgency: str = SchemaField("", max_length=16)
    q: str = SchemaField("", max_length=200)
    cursor: str | None = SchemaField(None, max_length=200)
    limit: int = SchemaField(50, ge=1, le=200)


@router.get("/tickets", response={200: TicketPage, **ERRORS}, summary="查询工单(游标分页)")
def list_tickets(request: HttpRequest, params: Query[ListQuery]):
    flt = selectors.TicketFilter(
        status=params.status,
        order_type=params.type,
        category=params.category,
        unit=params.unit,
        region=params.region,
        owner=params.owner,
        customer_phone=params.customer_phone,
        created_from=params.created_from,
        created_to=params.created_to,
        overdue=params.overdue,
        sla_state=params.sla_state,
        urgency=params.urgency,
        q=params.q,
    )
    rows, cursor = selectors.page(
        selectors.search(request.auth, flt), cursor=params.cursor, limit=params.limit
    )
    return {"items": [list_item(t) for t in rows], "next_cursor": cursor}


@router.get("/tickets/{number}", response={200: TicketOut, **ERRORS}, summary="工单详情")
def get_ticket(request: HttpRequest, number: str):
    return _fresh(number, request.auth)


@router.get(
    "/tickets/{number}/events", response={200: list[EventOut], **ERRORS}, summary="工单轨迹"
)
def ticket_events(request: HttpRequest, number: str):
    ticket = selectors.get_visible(number, request.auth)
    return [
        {
            "seq": e.seq,
            "kind": e.kind,
            "kind_label": str(EventKind(e.kind).label) if e.kind in EventKind.values else e.kind,
            "actor": e.actor.username if e.actor_id else None,
            "at": e.at,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "comment": e.comment,
            "payload": e.payload,
        }
        for e in selectors.events(ticket)
    ]


# One route per operation: (path name, body schema, service, summary). Each schema's
# fields are exactly the service's keyword arguments besides the actor.
ACTIONS = [
    ("dispatch", ToUnitAction, services.dispatch, "派单"),
    ("accept", ActionBase, services.accept, "签收"),
    ("transfer", ToUnitAction, services.transfer, "转派"),
    ("return", ActionBase, services.return_, "回退"),
    ("request_assistance", AssistAction, services.request_assistance, "发起协办"),
    ("complete_assistance", CompleteAssistAction, services.complete_assistance, "完成协办"),
    ("suspend", ActionBase, services.suspend, "挂起"),
    ("resume", ActionBase, services.resume, "解挂"),
    ("urge", ActionBase, services.urge, "催办"),
    ("supervise", ActionBase, services.supervise, "督办"),
    ("escalate", ActionBase, services.escalate, "升级"),
    ("reply", ActionBase, services.reply, "回复处理结果"),
    ("callback", CallbackAction, services.callback, "回访结果"),
    ("close", ActionBase, services.close, "归档"),
    ("reopen", ActionBase, services.reopen, "重启"),
    ("merge", TargetAction, services.merge, "合并到目标工单"),
    ("link", LinkAction, services.link, "关联工单"),
    ("set_parent", TargetAction, services.set_parent, "设置主工单"),
    ("comment", ActionBase, services.comment, "备注"),
    ("assign", AssignAction, services.assign, "分配给本单位人员或收回"),
]
ACTION_NAMES = [name for name, *_ in ACTIONS]


def _register(name, schema, call, summary):
    def handler(request: HttpRequest, number: str, body: schema):  # type: ignore[valid-type]
        ticket = call(number, actor=request.auth, **body.dict())
        return _fresh(ticket.number, request.auth)

    handler.__name__ = f"action_{name}"
    router.add_api_operation(
        f"/tickets/{{number}}/actions/{name}",
        ["POST"],
        handler,
        response={200: TicketOut, **ERRORS},
        summary=summary,
        operation_id=f"ticket_action_{name}",
    )


for _name, _schema, _call, _summary in ACTIONS:
    _register(_name, _schema, _call, _summary)

BULK = {
    "accept": (services.accept, ("comment",)),
    "transfer": (services.transfer, ("to_unit", "comment")),
    "urge": (services.urge, ("comment",)),
}


def _register_bulk(name, call, fields):
    def handler(request: HttpRequest, body: BulkAction):
        # Each ticket is its own transaction; the answer says which ones failed and why.
        results = []
        for number in dict.fromkeys(body.numbers):
            try:
                ticket = call(number, actor=request.auth, **{f: getattr(body, f) for f in fields})
                results.append({"number": number, "ok": True, "status": ticket.status})
            except DomainError as exc:
                results.append(
                    {"number": number, "ok": False, "code": exc.code, "message": exc.message}
                )
        ok = sum(r["ok"] for r in results)
        return {"succeeded": ok, "failed": len(results) - ok, "results": results}

    handler.__name__ = f"bulk_{name}"
    router.add_api_operation(
        f"/tickets/bulk/{name}",
        ["POST"],
        handler,
        response={200: BulkOut, **ERRORS},
        summary=f"批量{dict(accept='签收', transfer='转派', urge='催办')[name]}",
        operation_id=f"ticket_bulk_{name}",
    )


for _name, (_call, _fields) in BULK.items():
    _register_bulk(_name, _call, _fields)

__all__ = ["router", "TicketListItem"]
