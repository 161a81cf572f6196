"""Customer portal pages: no staff login; access to a ticket is by SMS code only."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from complaintloop.core.errors import DomainError, Invalid
from complaintloop.notify import selectors as notify_selectors

from . import selectors, services

SESSION_SUBMITTED = "portal_submitted"
SESSION_PENDING = "portal_pending"


def _ip(request) -> str:
    # REMOTE_ADDR only: a forwarded header would let anyone pick their own key.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _status(exc: DomainError) -> int:
    return 400 if isinstance(exc, Invalid) else exc.status


def _mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else phone


def _form_context(request, values=None, error=None) -> dict:
    return {
        "cities": selectors.cities(),
        "categories": selectors.categories(),
        "captcha": services.new_captcha(request.session),
        "values": values or {},
        "error": error,
    }


@require_http_methods(["GET", "POST"])
def submit(request):
    """提交投诉."""
    if request.method == "GET":
        return render(request, "portal/submit.html", _form_context(request))
    values = {
        key: request.POST.get(key, "")
        for key in ("name", "phone", "city", "category", "description")
    }
    try:
        ticket = services.submit(
            services.Submission(**values, captcha=request.POST.get("captcha", "")),
            ip=_ip(request),
            session=request.session,
        )
    except DomainError as exc:
        return render(
            request, "portal/submit.html", _form_context(request, values, exc), status=_status(exc)
        )
    request.session[SESSION_SUBMITTED] = ticket.number
    return redirect("portal:submitted")


def submitted(request):
    number = request.session.get(SESSION_SUBMITTED)
    if not number:
        return redirect("portal:submit")
    return render(request, "portal/submitted.html", {"number": number})


@require_http_methods(["GET", "POST"])
def track(request):
    """查询进度, step 1: ticket number and phone → SMS code."""
    values = {
        "number": request.POST.get("number", request.GET.get("number", "")),
        "phone": request.POST.get("phone", ""),
    }
    if request.method == "POST":
        try:
            services.request_code(values["number"], values["phone"], ip=_ip(request))
        except DomainError as exc:
            return render(
                request,
                "portal/track.html",
                {"values": values, "error": exc},
                status=_status(exc),
            )
        request.session[SESSION_PENDING] = {
            "number": values["number"].strip().upper(),
            "phone": values["phone"].strip(),
        }
        return redirect("portal:verify")
    return render(request, "portal/track.html", {"values": values})


@require_http_methods(["GET", "POST"])
def verify(request):
    """查询进度, step 2: the code from the SMS."""
    pending = request.session.get(SESSION_PENDING)
    if not pending:
        return redirect("portal:track")
    context = {"number": pending["number"], "masked": _mask(pending["phone"])}
    if request.method == "POST":
        try:
            services.verify(
                pending["number"],
                pending["phone"],
                request.POST.get("code", ""),
                session=request.session,
            )
        except DomainError as exc:
            return render(
                request, "portal/verify.html", {**context, "error": exc}, status=_status(exc)
            )
        request.session.pop(SESSION_PENDING, None)
        return redirect("portal:ticket", number=pending["number"])
    return render(request, "portal/verify.html", context)


def _ticket_page(request, number: str, *, error=None, status=200, values=None):
    ticket = selectors.ticket(number)
    if ticket is None:
        return redirect("portal:track")
    context = {
        "ticket": ticket,
        "status_label": selectors.status_label(ticket),
        "steps": selectors.trace(ticket),
        "can_survey": services.can_survey(ticket),
        "can_reopen": services.can_reopen(ticket),
        "preference": notify_selectors.customer_preference(ticket.customer_id),
        "error": error,
        "values": values or {},
    }
    return render(request, "portal/ticket.html", context, status=status)


def _denied(request, number: str):
    messages.info(request, _("为保护您的隐私,请先通过短信验证码验证身份。"))
    return redirect(f"/portal/track/?number={number}")


def ticket(request, number: str):
    if not services.has_access(request.session, number):
        return _denied(request, number)
    return _ticket_page(request, number)


@require_POST
def survey(request, number: str):
    if not services.has_access(request.session, number):
        return _denied(request, number)
    values = {"result": request.POST.get("result", ""), "comment": request.POST.get("comment", "")}
    try:
        services.survey(number, result=values["result"], comment=values["comment"])
    except DomainError as exc:
        return _ticket_page(request, number, error=exc, status=_status(exc), values=values)
    if values["result"] == "dissatisfied":
        messages.success(request, _("感谢您的反馈,我们已安排重新处理。"))
    else:
        messages.success(request, _("感谢您的评价!"))
    return redirect("portal:ticket", number=number)


@require_POST
def reopen(request, number: str):
    if not services.has_access(request.session, number):
        return _denied(request, number)
    values = {"reason": request.POST.get("reason", "")}
    try:
        services.reopen(number, reason=values["reason"])
    except DomainError as exc:
        return _ticket_page(request, number, error=exc, status=_status(exc), values=values)
    messages.success(request, _("已为您重新提交处理,处理部门会尽快联系您。"))
    return redirect("portal:ticket", number=number)


@require_POST
def preferences(request, number: str):
    if not services.has_access(request.session, number):
        return _denied(request, number)
    post = request.POST
    values = {"language": post.get("language", "")}
    try:
        services.set_preferences(
            number,
            language=values["language"],
            sms_enabled=post.get("sms_enabled") == "on",
            email_enabled=post.get("email_enabled") == "on",
        )
    except DomainError as exc:
        return _ticket_page(request, number, error=exc, status=_status(exc), values=values)
    messages.success(request, _("通知偏好已保存"))
    return redirect("portal:ticket", number=number)
