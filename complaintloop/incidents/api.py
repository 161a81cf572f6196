"""Incidents over the API: declare, read, list attached tickets, attach, resolve."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from complaintloop.core.schemas import ERRORS

from . import services
from .models import AttachedTicket

router = Router(tags=["incidents"])


class IncidentIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=20000)
    category: str = Field("", max_length=32)
    regions: list[str] = Field(..., max_length=200, description="地市或区县单位编码")
    starts_at: datetime.datetime | None = None
    keywords: list[str] = Field([], max_length=20)
    public_text: str = Field("", max_length=2000)
    cause: str = Field("", max_length=2000)


class IncidentCreated(Schema):
    id: int
    number: str


class IncidentOut(Schema):
    id: int
    number: str
    title: str
    description: str
    cause: str
    public_text: str
    status: str
    source: str
    category: str | None
    regions: list[str]
    keywords: list[str]
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    reply: str
    ticket_count: int
    answered_count: int


class AttachedOut(Schema):
    number: str
    status: str
    how: str
    attached_at: datetime.datetime
    answered_at: datetime.datetime | None


class AttachedList(Schema):
    items: list[AttachedOut]


class NumbersIn(Schema):
    numbers: list[str] = Field(..., min_length=1, max_length=1000)


class AttachOut(Schema):
    attached: list[str]
    skipped: list[dict]


class ResolveIn(Schema):
    reply: str = Field("", max_length=20000)


class ResolveOut(Schema):
    status: str
    answered: int


def _out(incident) -> dict:
    rows = AttachedTicket.objects.filter(incident=incident)
    return {
        "id": incident.pk,
        "number": incident.number,
        "title": incident.title,
        "description": incident.description,
        "cause": incident.cause,
        "public_text": incident.public_text,
        "status": incident.status,
        "source": incident.source,
        "category": incident.category.code if incident.category_id else None,
        "regions": [r.code for r in incident.regions.all()],
        "keywords": incident.keywords or [],
        "starts_at": incident.starts_at,
        "ends_at": incident.ends_at,
        "resolved_at": incident.resolved_at,
        "reply": incident.reply,
        "ticket_count": rows.count(),
        "answered_count": rows.filter(answered_at__isnull=False).count(),
    }


@router.post("/incidents", response={201: IncidentCreated, **ERRORS}, summary="申报重大故障")
def declare(request: HttpRequest, body: IncidentIn):
    incident = services.declare(actor=request.auth, **body.dict())
    return 201, {"id": incident.pk, "number": incident.number}


@router.get("/incidents/{incident_id}", response={200: IncidentOut, **ERRORS}, summary="重大故障")
def get_incident(request: HttpRequest, incident_id: int):
    return 200, _out(services.get_visible(incident_id, request.auth))


@router.get(
    "/incidents/{incident_id}/tickets",
    response={200: AttachedList, **ERRORS},
    summary="关联的工单",
)
def attached_tickets(request: HttpRequest, incident_id: int):
    incident = services.get_visible(incident_id, request.auth)
    rows = (
        AttachedTicket.objects.filter(incident=incident)
        .select_related("ticket")
        .order_by("id")[:5000]
    )
    return 200, {
        "items": [
            {
                "number": r.ticket.number,
                "status": r.ticket.status,
                "how": r.how,
                "attached_at": r.attached_at,
                "answered_at": r.answered_at,
            }
            for r in rows
        ]
    }


@router.post(
    "/incidents/{incident_id}/tickets", response={200: AttachOut, **ERRORS}, summary="关联工单"
)
def attach(request: HttpRequest, incident_id: int, body: NumbersIn):
    return 200, services.attach(incident_id, body.numbers, actor=request.auth)


@router.post(
    "/incidents/{incident_id}/actions/resolve",
    response={200: ResolveOut, **ERRORS},
    summary="统一答复并恢复",
    description="Every attached open ticket gets the reply as its REPLIED event and goes to "
    "callback; each customer is notified through that event. A second call answers nothing "
    "twice.",
)
def resolve(request: HttpRequest, incident_id: int, body: ResolveIn):
    return 200, services.resolve(incident_id, actor=request.auth, reply=body.reply)
