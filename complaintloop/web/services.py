"""Sign-in (登录): the throttle's gate, the picture challenge, the password, then the
second factor where the user has one (``web.security``)."""

from __future__ import annotations

import math

import django_otp
from django.conf import settings
from django.contrib import auth
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Conflict, Invalid
from complaintloop.org.models import Staff

from .security import captcha, second_factor, throttle


def _refusal(gate: throttle.Gate) -> Conflict | None:
    """Why the pair's next attempt is not evaluated at all, if it is not."""
    if gate.blocked_until:
        return Conflict(
            "login.address_blocked",
            _("当前地址登录失败次数过多,已暂停登录至 %(time)s")
            % {"time": clock.localtime(gate.blocked_until).strftime("%H:%M")},
        )
    if gate.locked_until:
        return _locked(gate.locked_until)
    if gate.retry_at:
        wait = max(math.ceil((gate.retry_at - clock.now()).total_seconds()), 1)
        return Conflict("login.too_soon", _("请等待 %(n)s 秒后再试") % {"n": wait})
    return None


def _locked(until) -> Conflict:
    return Conflict(
        "login.locked",
        _("登录失败次数过多,此账号在当前地址已暂时锁定至 %(time)s")
        % {"time": clock.localtime(until).strftime("%H:%M")},
    )


def sign_in(request, username: str, password: str, *, answer: str = "") -> Staff:
    """The staff member whose password this is, or an error: refused before the password
    is looked at (409: locked, blocked, too soon), or a wrong challenge answer or
    password (422). ``answer`` is the picture challenge's text, when one is due."""
    username = (username or "").strip()
    address = throttle.source_address(request)
    gate = throttle.gate(username, address)
    refusal = _refusal(gate)
    if refusal is not None:
        raise refusal
    if gate.challenge:
        if not captcha.check(request.session, answer):
            message = _("图形验证码错误,请重新输入") if answer else _("请输入图中的字符")
            raise Invalid("login.challenge", message, {"captcha": [message]})
        if not throttle.claim_attempt(username, address):  # a parallel attempt took it
            raise _refusal(throttle.gate(username, address)) or Conflict(
                "login.too_soon", _("请稍后再试")
            )
    user = auth.authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        row = throttle.record_failure(username, address)
        if row.locked_until:
            raise _locked(row.locked_until)
        left = throttle.failures_left(row)
        raise Invalid(
            "login.failed",
            _("用户名或密码错误")
            + (_(",再错 %(n)s 次将锁定") % {"n": left} if 0 < left <= 3 else ""),
            {"password": [_("用户名或密码错误")]},
        )
    return user


def verify_code(request, user: Staff, code: str, *, address: str):
    """The code step: the device that accepted ``code`` (enrolling it first if the role
    requires one and there is none), or an error. Wrong codes count as failures of the
    pair, like wrong passwords."""
    refusal = _refusal(throttle.gate(user.username, address))
    if refusal is not None:
        raise refusal
    try:
        if second_factor.device_of(user) is not None:
            return second_factor.verify(user, code)
        return second_factor.confirm(user, code)
    except Invalid as exc:
        if exc.code == "otp.wrong":
            row = throttle.record_failure(user.username, address)
            if row.locked_until:
                raise _locked(row.locked_until) from exc
        raise


def finish(request, user: Staff, *, address: str, device=None) -> None:
    """Signed in: the pair's failures are forgotten, the session marked verified by
    ``device`` when a code was given."""
    throttle.clear(user.username, address)
    second_factor.end(request)
    request.session.pop(captcha.SESSION_KEY, None)
    auth.login(request, user, backend=getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]))
    if device is not None:
        django_otp.login(request, device)
