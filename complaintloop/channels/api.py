"""Channel endpoints: the SMS gateway's callback (HMAC-signed, no bearer token) and
voicemail/fax deliveries (bearer token of a channel-integration account)."""

from __future__ import annotations

import json
from datetime import datetime

import pydantic
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import StrictStr

from complaintloop.core.errors import DomainError, Invalid
from complaintloop.core.schemas import ERRORS

from .models import InboundChannel, InboundMessage
from .services import media, sms

router = Router(tags=["channels"])


class InboundOut(Schema):
    id: int
    channel: str
    outcome: str
    ticket: str | None
    detail: str


class Unsigned(DomainError):
    status = 401


class SmsCallbackIn(pydantic.BaseModel):
    """The gateway's JSON: every field it names is a string. A number, list, object or
    null is refused (422) rather than turned into text such as "None" or "[...]";
    fields the gateway adds beyond these are ignored."""

    model_config = pydantic.ConfigDict(populate_by_name=True, extra="ignore")

    from_: StrictStr = pydantic.Field("", alias="from")
    phone: StrictStr = ""
    text: StrictStr = ""
    id: StrictStr = ""
    message_id: StrictStr = ""


def _out(entry: InboundMessage) -> dict:
    return {
        "id": entry.pk,
        "channel": entry.channel,
        "outcome": entry.outcome,
        "ticket": entry.ticket.number if entry.ticket_id else None,
        "detail": entry.detail,
    }


@router.post(
    "/channels/sms",
    auth=None,
    response={200: InboundOut, **ERRORS},
    summary="Inbound SMS callback (HMAC-SHA256 signed)",
    description=(
        'JSON body `{"from": "13800001111", "text": "TS#0101#宽带无法上网", '
        '"id": "<gateway message id>"}`. Header `X-Signature: sha256=<hex>` = '
        "HMAC-SHA256 of the raw body with the shared key `CHANNELS_SMS_SECRET`. "
        "Repeating a gateway id answers `duplicate` and changes nothing. "
        "Every field is a string; any other JSON type is refused with 422."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": SmsCallbackIn.model_json_schema(by_alias=True)}
            },
        }
    },
)
def sms_callback(request: HttpRequest):
    body = request.body
    if not sms.signature_ok(body, request.headers.get(sms.SIGNATURE_HEADER)):
        raise Unsigned("sms.bad_signature", _("短信回调签名无效"))
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid("sms.bad_json", _("请求体不是有效的 JSON"), {"_": [str(exc)[:200]]}) from exc
    if not isinstance(data, dict):
        raise Invalid("sms.bad_json", _("请求体应为 JSON 对象"), {"_": ["object"]})
    try:
        fields = SmsCallbackIn.model_validate(data)
    except pydantic.ValidationError as exc:
        raise Invalid(
            "sms.invalid",
            _("短信回调参数不完整或格式不正确"),
            {str(err["loc"][0]): [_("应为字符串")] for err in exc.errors() if err["loc"]},
        ) from exc
    entry = sms.receive(
        sms.SmsIn(
            phone=fields.from_ or fields.phone,
            text=fields.text,
            gateway_id=fields.id or fields.message_id,
        )
    )
    return 200, _out(entry)


def _number(value: str, name: str, errors: dict) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        errors[name] = [_("应为非负整数")]
        return None
    return int(value)


def _when(value: str, errors: dict) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        errors["received_at"] = [_("应为 ISO 8601 时间,如 2026-11-23T09:15:00+08:00")]
        return None


def _media(
    request: HttpRequest,
    channel: str,
    upload: UploadedFile | None,
    caller: str,
    called: str,
    received_at: str,
    duration: str,
    pages: str,
    message_id: str,
):
    errors: dict[str, list[str]] = {}
    data = media.MediaIn(
        channel=channel,
        caller=caller,
        called=called,
        received_at=_when(received_at, errors),
        duration_seconds=_number(duration, "duration", errors),
        pages=_number(pages, "pages", errors),
        message_id=message_id or request.headers.get("Idempotency-Key", ""),
    )
    if errors:
        raise Invalid("media.invalid", _("请求参数不完整或格式不正确"), errors)
    entry = media.receive(data, upload, actor=request.auth)
    return 201, _out(entry)


@router.post(
    "/channels/voicemail",
    response={201: InboundOut, **ERRORS},
    summary="Voicemail: the recording and caller metadata become a ticket to transcribe",
)
def voicemail(
    request: HttpRequest,
    file: File[UploadedFile] = None,
    caller: Form[str] = "",
    called: Form[str] = "",
    received_at: Form[str] = "",
    duration: Form[str] = "",
    message_id: Form[str] = "",
):
    return _media(
        request,
        InboundChannel.VOICEMAIL,
        file,
        caller,
        called,
        received_at,
        duration,
        None,
        message_id,
    )


@router.post(
    "/channels/fax",
    response={201: InboundOut, **ERRORS},
    summary="Fax: the image/PDF and caller metadata become a ticket to transcribe",
)
def fax(
    request: HttpRequest,
    file: File[UploadedFile] = None,
    caller: Form[str] = "",
    called: Form[str] = "",
    received_at: Form[str] = "",
    pages: Form[str] = "",
    message_id: Form[str] = "",
):
    return _media(
        request, InboundChannel.FAX, file, caller, called, received_at, "", pages, message_id
    )
