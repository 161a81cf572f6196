"""Process versions over the API: list, read, save a draft, publish (流程配置)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from complaintloop.core.errors import NotFound
from complaintloop.core.schemas import ERRORS

from . import selectors, services

router = Router(tags=["processes"])


class ProcessOut(Schema):
    key: str
    name: str
    published_version: int | None
    draft_version: int | None
    versions: int


class ProcessList(Schema):
    items: list[ProcessOut]


class VersionOut(Schema):
    key: str
    version: int
    status: str
    name: str
    is_active: bool
    comment: str
    created_at: datetime.datetime
    published_at: datetime.datetime | None
    bpmn_xml: str


class DraftIn(Schema):
    bpmn_xml: str = Field(..., max_length=services.MAX_XML_BYTES)
    name: str = Field("", max_length=128)
    comment: str = Field("", max_length=255)


class DraftOut(Schema):
    key: str
    version: int
    status: str


def _version_out(row) -> dict:
    return {
        "key": row.key,
        "version": row.version,
        "status": row.status,
        "name": row.name,
        "is_active": row.is_active,
        "comment": row.comment,
        "created_at": row.created_at,
        "published_at": row.published_at,
        "bpmn_xml": row.bpmn_xml,
    }


@router.get("/processes", response={200: ProcessList, **ERRORS}, summary="流程列表")
def list_processes(request: HttpRequest):
    return 200, {"items": selectors.catalogue()}


@router.get(
    "/processes/{key}/versions/{version}",
    response={200: VersionOut, **ERRORS},
    summary="流程版本(含 BPMN XML)",
)
def get_version(request: HttpRequest, key: str, version: int):
    row = selectors.version(key, version) if 0 < version < 2**31 else None
    if row is None:
        raise NotFound("process.version_not_found", _("流程版本不存在"))
    return 200, _version_out(row)


@router.post(
    "/processes/{key}/versions",
    response={201: DraftOut, **ERRORS},
    summary="保存草稿版本",
    description="The XML is parsed as BPMN 2.0 and checked by our rules (reachable nodes, "
    "task owner and time limit, gateway default). On failure: 422 with `fields` keyed by "
    "the BPMN element ids at fault; nothing is stored.",
)
def save_draft(request: HttpRequest, key: str, body: DraftIn):
    row = services.save_draft(
        key, body.bpmn_xml, actor=request.auth, name=body.name or None, comment=body.comment
    )
    return 201, {"key": row.key, "version": row.version, "status": row.status}


@router.post(
    "/processes/{key}/versions/{version}/publish",
    response={200: DraftOut, **ERRORS},
    summary="发布版本",
)
def publish(request: HttpRequest, key: str, version: int):
    if not 0 < version < 2**31:
        raise NotFound("process.version_not_found", _("流程版本不存在"))
    row = services.publish_version(key, version, actor=request.auth)
    return 200, {"key": row.key, "version": row.version, "status": row.status}
