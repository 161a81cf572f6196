"""Sign-in with lockout after repeated failures."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Conflict, Invalid
from complaintloop.org.models import Staff

from .models import LoginFailure


def locked_until(username: str):
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    since = clock.now() - window
    failures = LoginFailure.objects.filter(username=username, at__gte=since).order_by("-at")
    recent = list(failures.values_list("at", flat=True)[: settings.LOGIN_MAX_FAILURES])
    if len(recent) < settings.LOGIN_MAX_FAILURES:
        return None
    return recent[0] + window


def sign_in(request, username: str, password: str) -> Staff:
    """The staff member, or an error: locked (409) or wrong credentials (422)."""
    username = (username or "").strip()
    until = locked_until(username)
    if until is not None:
        raise Conflict(
            "login.locked",
            _("连续登录失败次数过多,账号已锁定至 %(time)s")
            % {"time": clock.localtime(until).strftime("%H:%M")},
        )
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        LoginFailure.objects.create(
            username=username, ip=request.META.get("REMOTE_ADDR"), at=clock.now()
        )
        left = settings.LOGIN_MAX_FAILURES - len(
            LoginFailure.objects.filter(
                username=username,
                at__gte=clock.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES),
            )
        )
        raise Invalid(
            "login.failed",
            _("用户名或密码错误")
            + (_(",再错 %(n)s 次将锁定") % {"n": left} if 0 < left <= 3 else ""),
            {"password": [_("用户名或密码错误")]},
        )
    LoginFailure.objects.filter(username=username).delete()
    return user
