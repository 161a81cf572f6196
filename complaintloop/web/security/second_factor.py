"""TOTP second factor (两步验证) on django-otp: enrolment, the code step after the
password, and the system administrator's reset. API bearer tokens never ask for it."""

from __future__ import annotations

import io
from base64 import b32encode
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from complaintloop.core import audit, clock
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.org.models import Role, Staff

DEVICE_NAME = "ComplaintLoop"


def required(user) -> bool:
    """The user's role must sign in with a code (``LOGIN_REQUIRE_OTP_ROLES``)."""
    return getattr(user, "role", None) in settings.LOGIN_REQUIRE_OTP_ROLES


def eligible(user) -> bool:
    """The user may enrol (``LOGIN_OTP_ROLES``, the required roles, superusers)."""
    return bool(
        getattr(user, "is_superuser", False)
        or getattr(user, "role", None) in settings.LOGIN_OTP_ROLES
        or required(user)
    )


def device_of(user) -> TOTPDevice | None:
    """The user's confirmed device, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def needs_code(user) -> bool:
    """After the password: an enrolled user, or one whose role requires enrolment."""
    return required(user) or device_of(user) is not None


def pending_device(user) -> TOTPDevice:
    """The device being enrolled, made on first ask so reloading keeps the same QR."""
    if not eligible(user):
        raise Forbidden("otp.not_eligible", _("你的角色不使用两步验证"))
    if device_of(user) is not None:
        raise Conflict("otp.already_enrolled", _("两步验证已启用"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it by hand, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> bytes:
    out = io.BytesIO()
    write_qrcode_image(device.config_url, out)
    return out.getvalue()


def _check(user, device: TOTPDevice, code: str) -> TOTPDevice:
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != device.digits:
        raise Invalid("otp.malformed", _("请输入 6 位动态验证码"), {"code": [_("6 位数字")]})
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        raise Conflict("otp.throttled", _("动态验证码错误次数过多,请稍后再试"))
    # verify_token re-reads the device under a row lock and refuses a code whose time
    # step is not after the last accepted one, so a code works once.
    verified = verify_token(user, device.persistent_id, code)
    if verified is None:
        raise Invalid("otp.wrong", _("动态验证码错误"), {"code": [_("动态验证码错误")]})
    return verified


def confirm(user, code: str) -> TOTPDevice:
    """启用: the first code from the app confirms the pending device; audited."""
    # Checked outside the transaction below: a wrong code's throttle count must stay.
    verified = _check(user, pending_device(user), code)
    with transaction.atomic():
        verified.confirmed = True
        verified.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=verified.pk).delete()
        audit.record(user, "otp.enrolled", user, device=verified.pk)
    return verified


def verify(user, code: str) -> TOTPDevice:
    """The code step of sign-in: the device that accepted ``code``, or an error."""
    device = device_of(user)
    if device is None:
        raise NotFound("otp.not_enrolled", _("尚未启用两步验证"))
    return _check(user, device, code)


def disable(user, code: str) -> None:
    """停用 by the user, with a current code; refused when the role requires it."""
    if required(user):
        raise Conflict("otp.required", _("你的角色必须使用两步验证,不能停用"))
    device = verify(user, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        audit.record(user, "otp.disabled", user, device=device.pk)


def may_reset(actor) -> bool:
    return bool(actor.is_superuser or actor.role == Role.SYSTEM_ADMIN)


@transaction.atomic
def reset(staff_id: int, *, actor) -> Staff:
    """重置: a system administrator removes someone's device (a lost phone); the next
    sign-in is by password, or enrols anew where the role requires it. Audited."""
    if not may_reset(actor):
        raise Forbidden("otp.reset_forbidden", _("仅系统管理员可以重置两步验证"))
    staff = Staff.objects.filter(pk=staff_id).first()
    devices = list(TOTPDevice.objects.filter(user_id=staff_id).values_list("pk", flat=True))
    if staff is None or not devices:
        raise NotFound("otp.not_enrolled", _("该用户未启用两步验证"))
    TOTPDevice.objects.filter(pk__in=devices).delete()
    audit.record(actor, "otp.reset", staff, username=staff.username, devices=devices)
    return staff


def enrolled(actor) -> list[tuple[Staff, datetime | None, datetime | None]]:
    """Who has a confirmed device: (staff, enrolled at, last used), for the reset list."""
    if not may_reset(actor):
        raise Forbidden("otp.reset_forbidden", _("仅系统管理员可以重置两步验证"))
    devices = (
        TOTPDevice.objects.filter(confirmed=True)
        .select_related("user", "user__unit")
        .order_by("user__username")
    )
    return [(d.user, d.created_at, d.last_used_at) for d in devices]


# -- the pending sign-in between the password and the code ----------------------------

PENDING_KEY = "login_pending"


def begin(request, user, *, next_url: str, address: str) -> None:
    """The password was right; the session remembers who, until the code step."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "address": address,
        "at": int(clock.now().timestamp()),
    }


def pending(request) -> tuple[Staff, dict] | None:
    data = request.session.get(PENDING_KEY)
    if not data:
        return None
    if clock.now().timestamp() - data.get("at", 0) > settings.LOGIN_OTP_STEP_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = Staff.objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, data


def end(request) -> None:
    request.session.pop(PENDING_KEY, None)
