"""数据保留 page: the policies, the last runs, a dry run and a real run. System
administrators change and run; auditors read."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintloop.core.errors import DomainError

from . import selectors, services
from .models import DataClass, PeriodUnit


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/forbidden.html", {"nav": "retention"}, status=403)


def viewer_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not services.may_view(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not services.may_manage(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, *, editing: str = "", form=None, errors=None, status=200):
    runs = selectors.runs()
    labels = dict(DataClass.choices)
    for run in runs:
        run.parts = [
            {**run.report[c], "label": label} for c, label in labels.items() if c in run.report
        ]
    context = {
        "nav": "retention",
        "policies": selectors.policies(),
        "runs": runs,
        "busy": selectors.active_real_run(),
        "units": PeriodUnit.choices,
        "may_manage": services.may_manage(request.user),
        "editing": editing,
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "retention/index.html", context, status=status)


@require_GET
@viewer_required
def index(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@manager_required
def run(request: HttpRequest) -> HttpResponse:
    dry_run = request.POST.get("mode") != "apply"
    if not dry_run and request.POST.get("confirm") != "yes":
        messages.error(request, _("请勾选确认后再立即执行"))
        return redirect("retention:index")
    try:
        services.request(request.user, dry_run=dry_run)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("retention:index")
    messages.success(
        request,
        _("已提交预演,完成后结果显示在下方记录中。")
        if dry_run
        else _("已提交执行,完成后结果显示在下方记录中。"),
    )
    return redirect("retention:index")


@require_POST
@manager_required
def update_policy(request: HttpRequest, data_class: str) -> HttpResponse:
    form = {
        "keep": request.POST.get("keep", "").strip(),
        "unit": request.POST.get("unit", ""),
        "is_active": request.POST.get("is_active") == "on",
        "basis": request.POST.get("basis", ""),
    }
    try:
        policy = services.update_policy(data_class, actor=request.user, **form)
    except DomainError as exc:
        if exc.status == 404:
            return _page(request, status=404)
        return _page(request, editing=data_class, form=form, errors=exc.fields, status=422)
    messages.success(request, _("已保存:%(policy)s") % {"policy": policy})
    return redirect("retention:index")
