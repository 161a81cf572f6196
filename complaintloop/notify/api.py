"""A person's in-app notifications."""

from datetime import datetime

from ninja import Router, Schema

from complaintloop.core.schemas import ERRORS

from . import selectors, services

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    ticket_number: str
    created_at: datetime
    read_at: datetime | None


class ReadIn(Schema):
    ids: list[int] | None = None


class ReadOut(Schema):
    marked: int


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS})
def list_notifications(request, unread: bool = False, limit: int = 50):
    return selectors.inbox(request.auth, unread_only=unread)[: max(1, min(limit, 200))]


@router.post("/notifications/read", response={200: ReadOut, **ERRORS})
def mark_read(request, body: ReadIn):
    return {"marked": services.mark_read(request.auth, body.ids)}
