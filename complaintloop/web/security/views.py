"""Pages of sign-in security: the code step after the password, the picture challenge,
one's own 安全设置 (TOTP enrolment), and the system administrator's 登录安全 page
(current locks with 解锁, enrolled second factors with 重置)."""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintloop.core.errors import DomainError, Forbidden

from .. import services
from . import captcha, second_factor, throttle


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


@never_cache
@require_GET
def challenge_image(request):
    """A fresh picture for this session; the one before it stops counting."""
    return _no_store(HttpResponse(captcha.issue(request.session), content_type="image/png"))


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The code step: the password was right, now the 6-digit code (or, where the role
    requires a second factor and there is none yet, its enrolment)."""
    found = second_factor.pending(request)
    if found is None:
        messages.info(request, _("请重新登录"))
        return redirect("web:login")
    user, data = found
    user.backend = data["backend"]
    enrolling = second_factor.device_of(user) is None
    error = None
    if request.method == "POST":
        try:
            device = services.verify_code(
                request, user, request.POST.get("code", ""), address=data["address"]
            )
        except DomainError as exc:
            error = exc.message
            if exc.code == "login.locked":
                second_factor.end(request)
        else:
            services.finish(request, user, address=data["address"], device=device)
            return redirect(data["next"] or "web:home")
    context = {"error": error, "enrolling": enrolling, "person": user}
    if enrolling:
        device = second_factor.pending_device(user)
        context["secret"] = second_factor.secret_of(device)
    return _no_store(
        render(request, "web/security/login_code.html", context, status=400 if error else 200)
    )


@never_cache
@require_GET
def enrolment_qr(request):
    """The provisioning QR of the device being enrolled (signed in, or at the code step)."""
    if request.user.is_authenticated:
        user = request.user
    else:
        found = second_factor.pending(request)
        if found is None:
            raise Http404
        user = found[0]
    try:
        device = second_factor.pending_device(user)
    except DomainError as exc:
        raise Http404 from exc
    return _no_store(HttpResponse(second_factor.qr_svg(device), content_type="image/svg+xml"))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """安全设置: one's own second factor: enrol, or stop using it."""
    user = request.user
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                device = second_factor.confirm(user, request.POST.get("code", ""))
                # This session has just shown the code: it counts as verified.
                django_otp.login(request, device)
                messages.success(request, _("两步验证已启用,下次登录时需要输入动态验证码"))
            elif action == "disable":
                second_factor.disable(user, request.POST.get("code", ""))
                messages.success(request, _("两步验证已停用"))
            else:
                raise Http404
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("web:security")
    device = second_factor.device_of(user)
    context = {
        "nav": "security",
        "error": error,
        "eligible": second_factor.eligible(user),
        "required": second_factor.required(user),
        "device": device,
    }
    if context["eligible"] and device is None:
        context["secret"] = second_factor.secret_of(second_factor.pending_device(user))
    return _no_store(
        render(request, "web/security/settings.html", context, status=400 if error else 200)
    )


def _admin_only(request):
    if not throttle.may_unlock(request.user):
        return render(request, "web/security/forbidden.html", {"nav": "security"}, status=403)
    return None


@login_required
@require_GET
def admin_page(request):
    """登录安全: locks and challenges now in force, and who uses a second factor."""
    forbidden = _admin_only(request)
    if forbidden:
        return forbidden
    pairs, blocked = throttle.current(request.user)
    return render(
        request,
        "web/security/admin.html",
        {
            "nav": "security_admin",
            "pairs": pairs,
            "blocked": blocked,
            "enrolled": second_factor.enrolled(request.user),
            "max_failures": settings.LOGIN_MAX_FAILURES,
            "challenge_after": settings.LOGIN_CHALLENGE_AFTER,
        },
    )


@login_required
@require_POST
def unlock(request):
    """解锁 one pair, or every pair of a blocked address."""
    try:
        pair_id = request.POST.get("pair")
        cleared = throttle.unlock(
            request.user,
            pair_id=int(pair_id) if pair_id and pair_id.isdigit() else None,
            address=request.POST.get("address") or None,
        )
    except Forbidden:
        return _admin_only(request) or HttpResponse(status=403)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已解锁 %(n)s 条登录限制") % {"n": cleared})
    return redirect("web:security_admin")


@login_required
@require_POST
def reset_second_factor(request):
    """重置 someone's second factor (a lost phone)."""
    staff_id = request.POST.get("staff", "")
    try:
        staff = second_factor.reset(int(staff_id) if staff_id.isdigit() else 0, actor=request.user)
    except Forbidden:
        return _admin_only(request) or HttpResponse(status=403)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已重置 %(name)s 的两步验证") % {"name": staff.display_name or staff}
        )
    return redirect("web:security_admin")
