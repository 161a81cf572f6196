"""GET /audit: the audit log for auditors and system administrators (R33)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from . import selectors
from .errors import Forbidden
from .schemas import ERRORS

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    at: datetime.datetime
    actor: str | None
    action: str
    object_type: str
    object_id: str
    detail: dict


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_cursor: int | None


class AuditQuery(Schema):
    family: str = Field("", pattern=r"^(|" + "|".join(selectors.FAMILIES) + ")$")
    action: str = Field("", max_length=64)
    actor: str = Field("", max_length=150)
    object_type: str = Field("", max_length=64)
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    cursor: int | None = Field(None, ge=1, le=2**62)
    limit: int = Field(50, ge=1, le=500)


def require_auditor(actor) -> None:
    if not getattr(actor, "can_read_audit", False):
        raise Forbidden("audit.forbidden", _("仅审计员和系统管理员可查看审计日志"))


@router.get("/audit", response={200: AuditPage, **ERRORS}, summary="审计日志")
def audit_log(request: HttpRequest, params: Query[AuditQuery]):
    require_auditor(request.auth)
    flt = selectors.AuditFilter(
        family=params.family,
        action=params.action,
        actor=params.actor,
        object_type=params.object_type,
        since=params.since,
        until=params.until,
        before_id=params.cursor,
    )
    rows = list(selectors.audit_log(flt)[: params.limit + 1])
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return {
        "items": [
            {
                "id": r.pk,
                "at": r.at,
                "actor": r.actor.username if r.actor_id else None,
                "action": r.action,
                "object_type": r.object_type,
                "object_id": r.object_id,
                "detail": r.detail,
            }
            for r in rows
        ],
        "next_cursor": rows[-1].pk if more and rows else None,
    }
