"""预警单: warning notices issued to a responsible unit with a deadline, answered by the
unit and closed by the issuer after re-monitoring; each with its trace and SLA."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintloop.core import clock
from complaintloop.core.errors import DomainError, NotFound

from .. import selectors, services
from ..models import NoticeStatus
from .common import form_errors, parse_int, sla_badge
from .warnings import _units

TABS = (
    ("open", gettext_lazy("未关闭")),
    ("overdue", gettext_lazy("已超时")),
    ("closed", gettext_lazy("已关闭")),
    ("all", gettext_lazy("全部")),
)
EVENT_LABELS = {
    "issued": gettext_lazy("下发"),
    "responded": gettext_lazy("反馈"),
    "closed": gettext_lazy("关闭"),
}


def _visible(actor):
    """Quality viewers see the notices of their scope; anyone else (the responsible
    unit's handlers) only those addressed to their unit or a unit above it."""
    qs = selectors.notices(actor)
    if actor.can_view_quality:
        return qs
    if actor.unit_id is None:
        return qs.none()
    parts = actor.unit.path.strip("/").split("/")
    ancestors = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return qs.filter(Q(responsible_unit__path__in=ancestors) | Q(issued_by=actor))


def _answerable(notice, actor) -> bool:
    return (
        notice.status == NoticeStatus.ISSUED
        and actor.unit_id is not None
        and actor.unit.path.startswith(notice.responsible_unit.path)
    )


@require_GET
@login_required
def index(request):
    actor = request.user
    now = clock.now()
    tab = request.GET.get("tab", "open")
    qs = _visible(actor)
    if tab == "open":
        qs = qs.exclude(status=NoticeStatus.CLOSED)
    elif tab == "overdue":
        qs = qs.filter(status=NoticeStatus.ISSUED, due_at__lt=now)
    elif tab == "closed":
        qs = qs.filter(status=NoticeStatus.CLOSED)
    else:
        tab = "all"
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [
        {"n": n, "sla": sla_badge(n.due_at, now, done=n.status != NoticeStatus.ISSUED)}
        for n in page
    ]
    return render(
        request,
        "insights/notices.html",
        {
            "nav": "quality",
            "subnav": "notices",
            "tabs": TABS,
            "tab": tab,
            "page": page,
            "rows": rows,
            "can_issue": services.can_issue(actor),
            "hide_subnav": not actor.can_view_quality,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def new(request):
    """A notice by hand (an imported series, a regulator's remark): issuers only."""
    actor = request.user
    if not services.can_issue(actor):
        return render(request, "insights/forbidden.html", {"nav": "quality"}, status=403)
    errors, values, status = None, {"due_workdays": services.NOTICE_DUE_WORKDAYS}, 200
    if request.method == "POST":
        values = request.POST.dict()
        try:
            notice = services.issue_notice(
                services.NoticeIn(
                    responsible_unit=values.get("responsible_unit", ""),
                    title=values.get("title", ""),
                    body=values.get("body", ""),
                    due_workdays=parse_int(values.get("due_workdays"), "due_workdays", 3),
                ),
                actor=actor,
            )
        except DomainError as exc:
            errors, status = form_errors(exc), exc.status
        else:
            messages.success(request, _("已下发预警单 %(n)s") % {"n": notice.number})
            return redirect("insights:notice", notice_id=notice.pk)
    return render(
        request,
        "insights/notice_new.html",
        {
            "nav": "quality",
            "subnav": "notices",
            "units": _units(actor),
            "values": values,
            "errors": errors,
        },  # fmt: skip
        status=status,
    )


def _remonitor_chart(notice) -> dict | None:
    """The alert's series around and after the notice, against the alert's limit."""
    if notice.alert_id is None:
        return None
    from ..detection import series_since

    alert = notice.alert
    today = timezone.localdate(clock.now())
    first = alert.day - timedelta(days=14)
    last = max(today - timedelta(days=1), alert.day)
    series = series_since(alert, first, last)
    issued = timezone.localdate(notice.issued_at)
    return {
        "days": [d.isoformat() for d, _n in series],
        "counts": [n for _d, n in series],
        "upper": alert.upper_limit,
        "expected": alert.expected,
        "alert_day": alert.day.isoformat(),
        "issued_day": issued.isoformat(),
        "closed_day": timezone.localdate(notice.closed_at).isoformat() if notice.closed_at else "",
    }


def _detail(request, notice_id: int, *, errors=None, values=None, status=200):
    actor = request.user
    notice = _visible(actor).prefetch_related("events__actor__unit").filter(pk=notice_id).first()
    if notice is None:  # out of scope looks the same as absent
        raise Http404
    now = clock.now()
    live = None
    if notice.alert_id and notice.status != NoticeStatus.CLOSED:
        live = services.remonitor(notice.alert)
    return render(
        request,
        "insights/notice.html",
        {
            "nav": "quality",
            "subnav": "notices",
            "n": notice,
            "sla": sla_badge(notice.due_at, now, done=notice.status != NoticeStatus.ISSUED),
            "late": notice.responded_at and notice.responded_at > notice.due_at,
            "events": [
                {"e": e, "label": EVENT_LABELS.get(e.kind, e.kind)} for e in notice.events.all()
            ],
            "status_labels": dict(NoticeStatus.choices),
            "can_respond": _answerable(notice, actor),
            "can_close": notice.status == NoticeStatus.RESPONDED and services.can_issue(actor),
            "remonitor": notice.remonitor_result or live,
            "remonitor_final": bool(notice.remonitor_result),
            "chart": _remonitor_chart(notice),
            "errors": errors,
            "values": values or {},
            "hide_subnav": not actor.can_view_quality,
        },
        status=status,
    )


@require_GET
@login_required
def detail(request, notice_id: int):
    return _detail(request, notice_id)


@require_POST
@login_required
def act(request, notice_id: int, action: str):
    actor = request.user
    post = request.POST
    try:
        if action == "respond":
            services.respond(notice_id, actor=actor, response=post.get("response", ""))
            messages.success(request, _("已提交整改反馈"))
        elif action == "close":
            notice = services.close_notice(notice_id, actor=actor, comment=post.get("comment", ""))
            back = notice.remonitor_result.get("back_under")
            if back is None:
                messages.success(request, _("预警单已关闭"))
            elif back:
                messages.success(request, _("预警单已关闭;复监测:已回落到控制上限以下"))
            else:
                messages.warning(request, _("预警单已关闭;复监测:仍高于控制上限,预警继续跟踪"))
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        return _detail(
            request,
            notice_id,
            errors={"action": action, **form_errors(exc)},
            values=post.dict(),
            status=exc.status,
        )
    return redirect("insights:notice", notice_id=notice_id)
