"""客户自助门户: submit a complaint, prove the phone by SMS code, follow the ticket,
answer the survey, ask for reopening. Every write goes through tickets.services.

The portal acts as a system staff member per city ("portal-<CITY>"): role agent, unit
the city's 客服中心 (the city itself if it has none), scope the city. As an agent it may
create tickets; tickets it creates are accepted at its unit, so the callback work item
lands there and it holds it for the survey. It cannot log in (unusable password), and
the portal only ever calls a service with the one ticket number the visitor verified by
SMS. A province-wide supervisor account would have worked everywhere, but would carry
PII and oversight rights the portal never needs; when a callback item is held by some
other unit (e.g. a ticket taken by the province hotline) the page says a 客服 will call
back instead of offering the survey.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Conflict, DomainError, Invalid, NotFound
from complaintloop.notify import services as notify
from complaintloop.org.models import Role, Staff, Unit, UnitKind
from complaintloop.tickets import services as tickets
from complaintloop.tickets.models import Channel, Status, Ticket, WorkItemKind
from complaintloop.tickets.services import _base

from . import selectors
from .models import PortalRateEvent, PortalVerification, RateKind

ORDER_TYPE = "complaint"
PHONE_RE = re.compile(r"^1\d{10}$")
HOUR = timedelta(hours=1)
# (kind, max hits, window): a sliding window counted in the database.
LIMITS = {
    RateKind.SUBMIT_IP: (10, HOUR),
    RateKind.SUBMIT_PHONE: (3, HOUR),
    RateKind.CODE_IP: (10, HOUR),
    RateKind.CODE_PHONE: (3, HOUR),
}
CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
ACCESS_TTL = timedelta(minutes=30)
REOPEN_WINDOW = timedelta(days=7)
SURVEY_RESULTS = ("satisfied", "neutral", "dissatisfied")
SESSION_CAPTCHA = "portal_captcha"
SESSION_ACCESS = "portal_access"


class RateLimited(DomainError):
    """Too many requests from this IP or phone in the window."""

    status = 429


# ---- the system actor ------------------------------------------------------------


def city_of(unit: Unit) -> Unit:
    if unit.kind == UnitKind.CITY or not unit.region_id:
        return unit
    return Unit.objects.get(pk=unit.region_id)


def actor_for(city: Unit) -> Staff:
    """The portal's staff account for ``city``, created on first use."""
    home = Unit.objects.filter(code=f"{city.code}-KF", is_active=True).first() or city
    staff, _created = Staff.objects.get_or_create(
        username=f"portal-{city.code}",
        defaults={
            "display_name": _("网站自助"),
            "role": Role.AGENT,
            "unit": home,
            "scope_unit": city,
            "is_active": True,
            "password": make_password(None),
        },
    )
    return staff


# ---- rate limits and CAPTCHA -----------------------------------------------------


def _limit(kind: str, key: str) -> None:
    """Count this hit, refusing it once the window is full (held across processes)."""
    limit, window = LIMITS[kind]
    now = clock.now()
    recent = PortalRateEvent.objects.filter(kind=kind, key=key, at__gt=now - window)
    if recent.count() >= limit:
        raise RateLimited("portal.rate_limited", _("操作过于频繁,请稍后再试"))
    PortalRateEvent.objects.filter(kind=kind, key=key, at__lte=now - window).delete()
    PortalRateEvent.objects.create(kind=kind, key=key[:64], at=now)


def new_captcha(session) -> str:
    """A small sum to answer; the answer stays in the server-side session."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    session[SESSION_CAPTCHA] = a + b
    return f"{a} + {b} = ?"


def _check_captcha(session, answer: str) -> None:
    expected = session.pop(SESSION_CAPTCHA, None)
    if expected is None or (answer or "").strip() != str(expected):
        raise Invalid("portal.captcha", _("验证码计算结果不正确"), {"captcha": [_("请重新计算")]})


# ---- submitting ------------------------------------------------------------------


@dataclass
class Submission:
    name: str
    phone: str
    city: str
    category: str
    description: str
    captcha: str = ""


def _validate(data: Submission) -> tuple[Unit | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("请填写您的称呼")]
    if not PHONE_RE.match(data.phone.strip()):
        errors["phone"] = [_("请填写 11 位手机号码")]
    city = selectors.city(data.city)
    if city is None:
        errors["city"] = [_("请选择所在城市")]
    if selectors.category(data.category) is None:
        errors["category"] = [_("请选择问题类型")]
    if len(data.description.strip()) < 10:
        errors["description"] = [_("请至少用 10 个字描述问题")]
    return city, errors


def submit(data: Submission, *, ip: str, session) -> Ticket:
    """提交投诉: checks, CAPTCHA and limits, then an ordinary web-channel ticket."""
    city, errors = _validate(data)
    if errors:
        session.pop(SESSION_CAPTCHA, None)
        raise Invalid("portal.invalid", _("请检查填写的内容"), errors)
    _check_captcha(session, data.captcha)
    phone = data.phone.strip()
    _limit(RateKind.SUBMIT_IP, ip)
    _limit(RateKind.SUBMIT_PHONE, phone)
    ticket, _created = tickets.create(
        tickets.NewTicket(
            order_type=ORDER_TYPE,
            channel=Channel.WEB,
            customer_phone=phone,
            customer_name=data.name.strip()[:64],
            category=data.category,
            region=city.code,
            description=data.description.strip(),
        ),
        actor=actor_for(city),
    )
    return ticket


# ---- verifying the phone ---------------------------------------------------------


def _hash(number: str, phone: str, code: str) -> str:
    return salted_hmac("portal.verification", f"{number}:{phone}:{code}").hexdigest()


def request_code(number: str, phone: str, *, ip: str) -> PortalVerification | None:
    """Send a 6-digit code if the number and phone belong together. Says nothing
    either way (the page shows the same text), so numbers cannot be probed."""
    number, phone = number.strip().upper(), phone.strip()
    if not number or not PHONE_RE.match(phone):
        raise Invalid(
            "portal.invalid",
            _("请填写工单号和 11 位手机号码"),
            {"number": [_("必填")]} if not number else {"phone": [_("请填写 11 位手机号码")]},
        )
    _limit(RateKind.CODE_PHONE, phone)
    _limit(RateKind.CODE_IP, ip)
    if not Ticket.objects.filter(number=number, customer__phone=phone).exists():
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    now = clock.now()
    verification = PortalVerification.objects.create(
        ticket_number=number,
        phone=phone,
        code_hash=_hash(number, phone, code),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    # Negative ids keep these apart from the outbox ids real notifications use.
    notify.send_sms(
        -verification.pk,
        phone,
        _("【客服】您查询工单 %(number)s 的验证码为 %(code)s,10 分钟内有效,请勿告诉他人。")
        % {"number": number, "code": code},
    )
    return verification


def verify(number: str, phone: str, code: str, *, session) -> None:
    """Check the code; on success the session may see the ticket for 30 minutes."""
    number, phone = number.strip().upper(), phone.strip()
    error: DomainError | None = None
    with transaction.atomic():
        verification = (
            PortalVerification.objects.select_for_update()
            .filter(ticket_number=number, phone=phone, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        now = clock.now()
        if verification is None:
            error = Invalid("portal.code_wrong", _("验证码错误"), {"code": [_("请重新获取")]})
        elif verification.attempts >= CODE_MAX_ATTEMPTS:
            error = Conflict("portal.code_locked", _("验证码错误次数过多,请重新获取验证码"))
        elif verification.expires_at <= now:
            error = Invalid("portal.code_expired", _("验证码已过期,请重新获取"), {"code": [""]})
        elif not constant_time_compare(
            verification.code_hash, _hash(number, phone, (code or "").strip())
        ):
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - verification.attempts
            error = (
                Conflict("portal.code_locked", _("验证码错误次数过多,请重新获取验证码"))
                if left <= 0
                else Invalid(
                    "portal.code_wrong",
                    _("验证码错误,还可尝试 %(n)s 次") % {"n": left},
                    {"code": [_("验证码错误")]},
                )
            )
        else:
            verification.used_at = now
            verification.save(update_fields=["used_at"])
    if error is not None:
        raise error  # after the block, so the counted attempt is kept
    grant(session, number)


def grant(session, number: str) -> None:
    access = dict(session.get(SESSION_ACCESS) or {})
    access[number] = (clock.now() + ACCESS_TTL).isoformat()
    session[SESSION_ACCESS] = access


def has_access(session, number: str) -> bool:
    until = (session.get(SESSION_ACCESS) or {}).get(number)
    return bool(until) and datetime.fromisoformat(until) > clock.now()


# ---- the customer's notification choices -----------------------------------------


def set_preferences(number: str, *, language: str, sms_enabled: bool, email_enabled: bool):
    """Only reachable with verified access to one of the customer's tickets."""
    return notify.set_customer_preference(
        _ticket(number).customer_id,
        language=language,
        sms_enabled=sms_enabled,
        email_enabled=email_enabled,
    )


# ---- survey and reopening --------------------------------------------------------


def _ticket(number: str) -> Ticket:
    ticket = Ticket.objects.select_related("region").filter(number=number).first()
    if ticket is None:
        raise NotFound("ticket.not_found", _("工单不存在"))
    return ticket


def can_survey(ticket: Ticket) -> bool:
    """Replied, and its callback item sits where the portal account may answer it."""
    if ticket.status != Status.REPLIED:
        return False
    item = _base.open_item(ticket, WorkItemKind.CALLBACK)
    return item is None or _base.holds(actor_for(city_of(ticket.region)), item)


def can_reopen(ticket: Ticket) -> bool:
    return (
        ticket.status == Status.CLOSED
        and not ticket.merged_into_id
        and ticket.closed_at is not None
        and clock.now() - ticket.closed_at <= REOPEN_WINDOW
    )


def survey(number: str, *, result: str, comment: str = "") -> Ticket:
    """回访 by the customer: satisfied/neutral archive, dissatisfied goes back."""
    if result not in SURVEY_RESULTS:
        raise Invalid("portal.survey", _("请选择满意度"), {"result": [_("必选")]})
    ticket = _ticket(number)
    if not can_survey(ticket):
        raise Conflict("portal.survey_closed", _("当前工单不在待评价状态"))
    return tickets.callback(
        number,
        actor=actor_for(city_of(ticket.region)),
        result=result,
        comment=(_("客户网站评价:") + comment.strip()) if comment.strip() else "",
    )


def reopen(number: str, *, reason: str) -> Ticket:
    """重新处理: a closed ticket within 7 days of closing, with the customer's reason."""
    reason = reason.strip()
    if not reason:
        raise Invalid("portal.reason", _("请说明不满意的原因"), {"reason": [_("必填")]})
    ticket = _ticket(number)
    if ticket.status != Status.CLOSED:
        raise Conflict("portal.not_closed", _("工单尚未办结,无需申请重新处理"))
    if not can_reopen(ticket):
        raise Conflict(
            "portal.reopen_window",
            _("工单办结已超过 7 天,无法在线申请重新处理,请拨打客服热线"),
        )
    return tickets.reopen(
        number,
        actor=actor_for(city_of(ticket.region)),
        comment=_("客户网站申请重新处理:") + reason,
    )
