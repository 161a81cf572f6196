"""监控台: live counts, near-breach and overdue lists with one-click oversight, VIP and
escalation alerts, and charts. Supervisors (班长/主管/质量经理) only."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from complaintloop.core import calendar, clock
from complaintloop.core.cache import ttl_cached
from complaintloop.core.errors import DomainError, NotFound
from complaintloop.tickets import selectors as ticket_selectors
from complaintloop.tickets import services
from complaintloop.tickets.models import OPEN_STATUSES, WorkItemKind
from complaintloop.tickets.permissions import available_actions

from . import selectors, team

ACTIONS = {
    "urge": (services.urge, gettext_lazy("催办")),
    "supervise": (services.supervise, pgettext_lazy("action", "督办")),
    "escalate": (services.escalate, gettext_lazy("升级")),
}
ONE_CLICK = ("urge", "supervise", "escalate")
# The charts are the same for every supervisor of one data scope and the page redraws
# them every 5 minutes: each web process computes them at most once a minute per scope.
CHART_SECONDS = 60.0


@dataclass(frozen=True)
class _Scope:
    """What the chart selectors read of the actor: its data scope, nothing personal."""

    scope_path: str


@ttl_cached(seconds=CHART_SECONDS)
def _chart_data(scope_path: str) -> dict:
    scope = _Scope(scope_path)
    return {
        "generated_at": clock.now().isoformat(),
        "intake": selectors.intake_by_hour(scope),
        "backlog": selectors.backlog_by_day(scope),
        "load": selectors.load_tree(scope),
    }


# Chart legends and axis names, translated here so console.js holds no UI text.
CHART_LABELS = {
    "today": gettext_lazy("今日"),
    "lastWeek": gettext_lazy("上周同日"),
    "backlog": gettext_lazy("日终在途"),
    "created": gettext_lazy("新增"),
    "closed": pgettext_lazy("chart", "归档"),
    "items": gettext_lazy("在途待办"),
    "breached": gettext_lazy("超时"),
    "share": gettext_lazy("超时占比"),
    "noLoad": gettext_lazy("数据范围内暂无在途待办。"),
}


def supervisor_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.can_supervise:
            return render(request, "web/console/forbidden.html", {"nav": "console"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _rows(items, actor) -> list[dict]:
    """Each listed work item with the one-click actions its ticket allows now."""
    return [
        {
            "item": item,
            "ticket": item.ticket,
            "actions": [a for a in available_actions(item.ticket, actor, [item]) if a in ONE_CLICK],
        }
        for item in items
    ]


def _lists(actor) -> dict:
    return {
        "near": _rows(selectors.near_breach(actor), actor),
        "overdue": _rows(selectors.overdue(actor), actor),
    }


@require_GET
@supervisor_required
def index(request):
    actor = request.user
    context = {
        "nav": "console",
        "counts": selectors.counts_by_unit(actor),
        "alerts": selectors.alerts(actor),
        "now": clock.now(),
        "limit": selectors.LIST_LIMIT,
        "calendar_ends": _calendar_ending(),
        "may_lead_team": team.may_lead_team(actor),
        **_lists(actor),
    }
    return render(request, "web/console/index.html", context)


CALENDAR_WARNING_DAYS = 60


def _calendar_ending() -> dict | None:
    """The working calendar's last known day when it is less than 60 days away: time
    limits after it fall back to natural time until next year's notice is imported."""
    until = calendar.covered_until()
    if until is None:
        return None
    left = (until - clock.localtime().date()).days
    if left >= CALENDAR_WARNING_DAYS:
        return None
    return {"until": until, "days_left": max(left, 0), "next_year": until.year + 1}


@require_GET
@supervisor_required
def counts(request):
    """The auto-refreshed part (htmx, every 30 s)."""
    return render(
        request,
        "web/console/_counts.html",
        {"counts": selectors.counts_by_unit(request.user), "now": clock.now()},
    )


@require_GET
@supervisor_required
def lists(request):
    return render(
        request,
        "web/console/_lists.html",
        {"now": clock.now(), "limit": selectors.LIST_LIMIT, **_lists(request.user)},
    )


@require_GET
@supervisor_required
def data(request):
    """Chart data: intake by hour, backlog per day, load per unit."""
    actor = request.user
    charts = _chart_data(actor.scope_path)
    labels = {key: str(label) for key, label in CHART_LABELS.items()}
    return JsonResponse({**charts, "labels": labels})


def _buttons(number: str, actor) -> list[str]:
    """The one-click actions still possible on the ticket (none if out of scope)."""
    try:
        ticket = ticket_selectors.get_visible(number, actor)
    except DomainError:
        return []
    if ticket.status not in OPEN_STATUSES:
        return []
    items = list(ticket.work_items.filter(kind=WorkItemKind.MAIN, status="open")[:1])
    return [a for a in available_actions(ticket, actor, items) if a in ONE_CLICK]


@require_POST
@supervisor_required
def act(request, number: str, action: str):
    """One-click 催办/督办/升级; the row's cell is re-rendered with the result."""
    actor = request.user
    htmx = request.headers.get("HX-Request") == "true"
    try:
        if action not in ACTIONS:
            raise NotFound("console.unknown_action", _("未知操作"))
        operation, label = ACTIONS[action]
        operation(number, actor=actor, comment=request.POST.get("comment", "").strip())
    except DomainError as exc:
        if not htmx:
            messages.error(request, exc.message)
            return redirect("web:console:index")
        context = {"error": exc.message, "number": number, "actions": _buttons(number, actor)}
        return render(request, "web/console/_result.html", context, status=exc.status)
    message = _("已%(op)s工单 %(number)s") % {"op": label, "number": number}
    if not htmx:
        messages.success(request, message)
        return redirect("web:console:index")
    context = {"message": message, "number": number, "actions": _buttons(number, actor)}
    response = render(request, "web/console/_result.html", context)
    response["HX-Trigger"] = "console-changed"
    return response
