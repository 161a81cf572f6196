"""Decision tables over the API: list, read a version, save a draft, publish, evaluate."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema

from complaintloop.core.errors import Invalid, NotFound
from complaintloop.core.schemas import ERRORS

from . import selectors, services

router = Router(tags=["decision-tables"])


class TableOut(Schema):
    key: str
    name: str
    hit_policy: str
    rules: int
    published_version: int | None
    draft_version: int | None
    versions: int


class TableList(Schema):
    items: list[TableOut]


class VersionOut(Schema):
    key: str
    version: int
    status: str
    name: str
    hit_policy: str
    rules: int
    comment: str
    created_at: datetime.datetime
    published_at: datetime.datetime | None
    dmn_xml: str


class DraftIn(Schema):
    dmn_xml: str = Field(..., max_length=services.MAX_XML_BYTES)
    comment: str = Field("", max_length=255)


class DraftOut(Schema):
    key: str
    version: int
    status: str


class MatchOut(Schema):
    rule: str
    row: int
    description: str
    outputs: dict[str, Any]


class EvaluateOut(Schema):
    key: str
    version: int | None
    hit_policy: str
    rule: str | None
    outputs: dict[str, Any]
    matches: list[MatchOut]


def _version_number(version: int) -> int:
    if not 0 < version < 2**31:
        raise NotFound("decision.version_not_found", _("决策表版本不存在"))
    return version


@router.get("/decision-tables", response={200: TableList, **ERRORS}, summary="决策表列表")
def list_tables(request: HttpRequest):
    return 200, {"items": selectors.catalogue()}


@router.get(
    "/decision-tables/{key}/versions/{version}",
    response={200: VersionOut, **ERRORS},
    summary="决策表版本(含 DMN XML)",
)
def get_version(request: HttpRequest, key: str, version: int):
    row = selectors.version_row(key, _version_number(version))
    if row is None:
        raise NotFound("decision.version_not_found", _("决策表版本不存在"))
    return 200, {
        "key": row.key,
        "version": row.version,
        "status": row.status,
        "name": row.name,
        "hit_policy": row.hit_policy,
        "rules": row.rule_count,
        "comment": row.comment,
        "created_at": row.created_at,
        "published_at": row.published_at,
        "dmn_xml": row.dmn_xml,
    }


@router.post(
    "/decision-tables/{key}/versions",
    response={201: DraftOut, **ERRORS},
    summary="保存决策表草稿",
    description="DMN 1.3 XML with one decision table (hit policy FIRST, UNIQUE or COLLECT), "
    "inputs over ticket fields, S-FEEL cells. On failure: 422 with `fields` keyed by the "
    "DMN ids of the columns, rows or cells at fault; nothing is stored.",
)
def save_draft(request: HttpRequest, key: str, body: DraftIn):
    row = services.save_draft(key, body.dmn_xml, actor=request.auth, comment=body.comment)
    return 201, {"key": row.key, "version": row.version, "status": row.status}


@router.post(
    "/decision-tables/{key}/versions/{version}/publish",
    response={200: DraftOut, **ERRORS},
    summary="发布决策表版本",
)
def publish(request: HttpRequest, key: str, version: int):
    row = services.publish_version(key, _version_number(version), actor=request.auth)
    return 200, {"key": row.key, "version": row.version, "status": row.status}


@router.post(
    "/decision-tables/{key}/evaluate",
    response={200: EvaluateOut, **ERRORS},
    summary="用样例工单字段运行决策表",
    description="Body: ticket fields by name (order_type, category, city, region, "
    "customer_level, is_enterprise, channel, product, sp, urgency, text, hour, weekday), "
    'either flat or under `"fields"`. Optional `version` (a stored version) or `dmn_xml` '
    "(an unsaved draft, as the editor's test panel sends). `rule` is the first matching "
    "rule's id, `outputs` the outputs as intake reads them, `matches` every matching rule.",
)
def evaluate(request: HttpRequest, key: str, body: dict[str, Any] = Body(...)):  # noqa: B008
    if not isinstance(body, dict):
        raise Invalid("decision.bad_sample", _("请求体应为 JSON 对象"), {"_": [_("格式不正确")]})
    version = body.get("version")
    xml = body.get("dmn_xml")
    fields = body.get("fields", {k: v for k, v in body.items() if k not in ("version", "dmn_xml")})
    if not isinstance(fields, dict):
        raise Invalid("decision.bad_sample", _("fields 应为对象"), {"fields": [_("格式不正确")]})
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise Invalid("decision.bad_sample", _("version 应为整数"), {"version": [_("格式不正确")]})
    if xml is not None and not isinstance(xml, str):
        raise Invalid("decision.bad_sample", _("dmn_xml 应为文字"), {"dmn_xml": [_("格式不正确")]})
    table, result = services.evaluate(
        key,
        fields,
        version=_version_number(version) if version is not None else None,
        dmn_xml=xml or None,
    )
    first = result.rule
    return 200, {
        "key": table.key,
        "version": table.version or None,
        "hit_policy": table.hit_policy,
        "rule": first.id if first else None,
        "outputs": result.outputs,
        "matches": [
            {"rule": r.id, "row": r.index, "description": r.description, "outputs": r.outputs}
            for r in result.rules
        ],
    }
