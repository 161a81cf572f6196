"""预警: the early-warning alerts of every category × region series with their evidence
charts; acknowledge, dismiss with a reason, issue a warning notice, run by hand."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from complaintloop.core import clock
from complaintloop.core.errors import DomainError, NotFound
from complaintloop.org.models import Unit

from .. import selectors, services
from ..models import ACTIVE_ALERT, AlertStatus
from .common import form_errors, parse_day, parse_int, quality_required

TABS = (
    ("active", gettext_lazy("待处理")),
    ("dismissed", gettext_lazy("已忽略")),
    ("closed", gettext_lazy("已关闭")),
    ("all", gettext_lazy("全部")),
)


def _schedule() -> str:
    """When beat runs detection, as declared in settings (shown next to the run button)."""
    entry = settings.CELERY_BEAT_SCHEDULE.get("early-warning", {})
    schedule = entry.get("schedule")
    hour = getattr(schedule, "_orig_hour", None)
    minute = getattr(schedule, "_orig_minute", None)
    if hour is None or minute is None:
        return str(schedule or "")
    return f"{int(hour):02d}:{int(minute):02d}"


def _spark(item) -> dict:
    """A small server-drawn SVG of the last 28 days of evidence with the alert's limit."""
    counts = [c for c in (item.evidence or {}).get("counts", [])][-28:]
    if not counts:
        return {}
    width, height = 140, 28
    top = max(max(counts), item.upper_limit, 1)
    step = width / max(len(counts) - 1, 1)

    def y(v: float) -> float:
        return round(height - 2 - v / top * (height - 4), 1)

    return {
        "points": " ".join(f"{i * step:.1f},{y(v)}" for i, v in enumerate(counts)),
        "limit_y": y(item.upper_limit),
        "last_x": round((len(counts) - 1) * step, 1),
        "last_y": y(counts[-1]),
    }


@require_GET
@quality_required
def index(request):
    actor = request.user
    tab = request.GET.get("tab", "active")
    qs = selectors.alerts(actor)
    if tab == "active":
        qs = qs.filter(status__in=ACTIVE_ALERT)
    elif tab in (AlertStatus.DISMISSED, AlertStatus.CLOSED):
        qs = qs.filter(status=tab)
    else:
        tab = "all"
    page = Paginator(qs.select_related("handled_by"), 50).get_page(request.GET.get("page"))
    rows = [{"a": a, "spark": _spark(a)} for a in page]
    return render(
        request,
        "insights/warnings.html",
        {
            "nav": "quality",
            "subnav": "warnings",
            "tabs": TABS,
            "tab": tab,
            "page": page,
            "rows": rows,
            "can_run": services.can_administer(actor),
            "schedule": _schedule(),
            "yesterday": timezone.localdate(clock.now()) - timedelta(days=1),
        },
    )


def _units(actor) -> list[Unit]:
    path = actor.scope_path
    qs = Unit.objects.filter(is_active=True)
    if path != "/":
        qs = qs.filter(path__startswith=path)
    return list(qs.order_by("path"))


def _detail(request, alert_id: int, *, errors=None, values=None, status=200):
    actor = request.user
    try:
        item = selectors.alert(alert_id, actor)
    except NotFound:
        raise Http404 from None
    notices = list(item.notices.select_related("responsible_unit").order_by("-issued_at"))
    values = values or {}
    return render(
        request,
        "insights/warning.html",
        {
            "nav": "quality",
            "subnav": "warnings",
            "a": item,
            "chart": selectors.evidence_chart(item),
            "notices": notices,
            "units": _units(actor),
            "default_unit": values.get("responsible_unit") or item.region.code,
            "values": values,
            "errors": errors,
            "can_act": services.can_issue(actor),
            "active": item.status in ACTIVE_ALERT,
            "due_default": services.NOTICE_DUE_WORKDAYS,
        },
        status=status,
    )


@require_GET
@quality_required
def detail(request, alert_id: int):
    return _detail(request, alert_id)


@require_POST
@quality_required
def act(request, alert_id: int, action: str):
    actor = request.user
    post = request.POST
    try:
        if action == "acknowledge":
            services.acknowledge_alert(alert_id, actor=actor, comment=post.get("comment", ""))
            messages.success(request, _("已确认预警"))
        elif action == "dismiss":
            services.dismiss_alert(alert_id, actor=actor, reason=post.get("reason", ""))
            messages.success(request, _("已忽略预警"))
        elif action == "notice":
            notice = services.issue_notice(
                services.NoticeIn(
                    alert_id=alert_id,
                    responsible_unit=post.get("responsible_unit", ""),
                    title=post.get("title", ""),
                    body=post.get("body", ""),
                    due_workdays=parse_int(post.get("due_workdays"), "due_workdays", 3),
                ),
                actor=actor,
            )
            messages.success(request, _("已下发预警单 %(n)s") % {"n": notice.number})
            return redirect("insights:notice", notice_id=notice.pk)
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _detail(
            request,
            alert_id,
            errors={"action": action, **form_errors(exc)},
            values=post.dict(),
            status=exc.status,
        )
    return redirect("insights:warning", alert_id=alert_id)


@require_POST
@quality_required
def run(request):
    """Run detection for one day now (admins); the same as the nightly beat task."""
    try:
        day = parse_day(request.POST.get("day"), "day") or (
            timezone.localdate(clock.now()) - timedelta(days=1)
        )
        raised = services.run_detection(day, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("insights:warnings")
    messages.success(
        request, _("已检测 %(day)s:新增预警 %(n)s 条") % {"day": day, "n": len(raised)}
    )
    return redirect("insights:warnings")
