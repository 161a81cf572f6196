"""问题管理 (R23): root-cause problems behind many tickets, worked through discover →
analyze → improve → evaluate → closed, with actions and the before/after effect."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintloop.core import clock
from complaintloop.core.errors import DomainError, Invalid, NotFound
from complaintloop.org.models import Staff
from complaintloop.taxonomy.models import Category

from .. import selectors, services
from ..models import Problem, ProblemStatus
from .common import form_errors, parse_day, parse_int, quality_required

NUMBER = re.compile(r"[A-Za-z]{2}\d{6,}")


def _numbers(text: str) -> list[str]:
    """Ticket numbers pasted in any layout (lines, commas, spaces)."""
    found = list(dict.fromkeys(NUMBER.findall(text or "")))
    if not found:
        raise Invalid("problem.tickets", _("请填写工单号"), {"tickets": [_("必填")]})
    if len(found) > 500:
        raise Invalid("problem.tickets", _("一次最多关联 500 张工单"), {"tickets": ["≤500"]})
    return found


def _staff_choices(actor) -> list[Staff]:
    path = actor.scope_path
    qs = Staff.objects.filter(is_active=True).select_related("unit")
    if path != "/":
        qs = qs.filter(unit__path__startswith=path)
    return list(qs.order_by("unit__path", "username")[:500])


def _categories() -> list[Category]:
    return list(Category.objects.filter(level__lte=3).order_by("path").only("code", "full_name"))


@require_http_methods(["GET", "POST"])
@quality_required
def index(request):
    actor = request.user
    errors, values, status = None, {}, 200
    if request.method == "POST":
        values = request.POST.dict()
        try:
            tickets = _numbers(values["tickets"]) if values.get("tickets", "").strip() else []
            problem = services.open_problem(
                actor=actor,
                title=values.get("title", ""),
                owner=values.get("owner") or None,
                category=values.get("category") or None,
                root_cause=values.get("root_cause", ""),
                tickets=tickets,
            )
        except DomainError as exc:
            errors, status = form_errors(exc), exc.status
        else:
            messages.success(request, _("已登记问题"))
            return redirect("insights:problem", problem_id=problem.pk)
    state = request.GET.get("status", "")
    qs = selectors.problems(actor)
    if state in ProblemStatus.values:
        qs = qs.filter(status=state)
    elif state != "all":
        qs = qs.exclude(status=ProblemStatus.CLOSED)
    now = clock.now()
    rows = list(qs[:200])
    ids = [p.pk for p in rows]
    stats = {
        p["id"]: p
        for p in Problem.objects.filter(pk__in=ids)
        .annotate(
            n_tickets=Count("links", distinct=True),
            n_actions=Count("actions", distinct=True),
            n_done=Count("actions", filter=Q(actions__done_at__isnull=False), distinct=True),
            n_late=Count(
                "actions",
                filter=Q(actions__done_at__isnull=True, actions__due_at__lt=now),
                distinct=True,
            ),
        )
        .values("id", "n_tickets", "n_actions", "n_done", "n_late")
    }
    return render(
        request,
        "insights/problems.html",
        {
            "nav": "quality",
            "subnav": "problems",
            "rows": [{"p": p, **stats.get(p.pk, {})} for p in rows],
            "statuses": ProblemStatus.choices,
            "state": state,
            "can_open": services.can_issue(actor),
            "staff": _staff_choices(actor) if services.can_issue(actor) else [],
            "categories": _categories() if services.can_issue(actor) else [],
            "values": values,
            "errors": errors,
        },
        status=status,
    )


def _detail(request, problem_id: int, *, errors=None, values=None, status=200):
    actor = request.user
    try:
        problem = selectors.problem(problem_id, actor)
    except NotFound:
        raise Http404 from None
    now = clock.now()
    actions = list(problem.actions.all())
    links = sorted(problem.links.all(), key=lambda link: link.ticket.created_at, reverse=True)
    can_edit = actor.pk == problem.owner_id or services.can_issue(actor)
    return render(
        request,
        "insights/problem.html",
        {
            "nav": "quality",
            "subnav": "problems",
            "p": problem,
            "actions": [
                {
                    "a": a,
                    "late": a.done_at is None and a.due_at < now,
                    "late_done": a.done_at is not None and a.done_at > a.due_at,
                }  # fmt: skip
                for a in actions
            ],
            "links": links[:200],
            "n_links": len(links),
            "next": [
                (s, ProblemStatus(s).label)
                for s in services.PROBLEM_NEXT.get(problem.status, set())
            ],
            "loop": ProblemStatus.choices,
            "effect": selectors.effect(problem),
            "series": selectors.effect_series(problem),
            "can_edit": can_edit and problem.status != ProblemStatus.CLOSED,
            "can_link": services.can_issue(actor) and problem.status != ProblemStatus.CLOSED,
            "staff": _staff_choices(actor) if can_edit else [],
            "categories": _categories() if can_edit else [],
            "errors": errors,
            "values": values or {},
        },
        status=status,
    )


@require_GET
@quality_required
def detail(request, problem_id: int):
    return _detail(request, problem_id)


def _due(value: str | None) -> datetime:
    day = parse_day(value, "due_at")
    if day is None:
        raise Invalid("action.due", _("请填写完成时限"), {"due_at": [_("必填")]})
    return datetime.combine(day, time(18), tzinfo=timezone.get_current_timezone())


@require_POST
@quality_required
def act(request, problem_id: int, action: str):
    actor = request.user
    post = request.POST
    try:
        if action == "edit":
            services.update_problem(
                problem_id,
                actor=actor,
                title=post.get("title"),
                owner=post.get("owner") or None,
                category=post.get("category"),
                root_cause=post.get("root_cause"),
                evaluation=post.get("evaluation"),
            )
            messages.success(request, _("已保存"))
        elif action == "advance":
            services.advance(
                problem_id, actor=actor, to=post.get("to", ""), root_cause=post.get("root_cause")
            )
            messages.success(request, _("问题状态已更新"))
        elif action == "link":
            before = selectors.problem(problem_id, actor).links.count()
            problem = services.link_tickets(
                problem_id, actor=actor, tickets=_numbers(post.get("tickets", ""))
            )
            added = problem.links.count() - before
            messages.success(request, _("已关联 %(n)s 张工单") % {"n": added})
        elif action == "unlink":
            services.unlink_ticket(problem_id, actor=actor, ticket=post.get("ticket", ""))
            messages.success(request, _("已取消关联"))
        elif action == "add_action":
            services.add_action(
                problem_id,
                actor=actor,
                description=post.get("description", ""),
                owner=post.get("owner") or None,
                due_at=_due(post.get("due_at")),
            )
            messages.success(request, _("已添加改进措施"))
        elif action == "done":
            action_id = parse_int(post.get("action_id"), "action_id", 0)
            services.complete_action(problem_id, action_id, actor=actor)
            messages.success(request, _("措施已完成"))
        else:
            raise Http404
    except NotFound as exc:
        if exc.code == "problem.not_found":
            raise Http404 from None
        return _detail(request, problem_id, errors={"action": action, **form_errors(exc)},
                       values=post.dict(), status=exc.status)  # fmt: skip
    except DomainError as exc:
        return _detail(request, problem_id, errors={"action": action, **form_errors(exc)},
                       values=post.dict(), status=exc.status)  # fmt: skip
    return redirect("insights:problem", problem_id=problem_id)


@require_POST
@quality_required
def link_selection(request):
    """From the drill-down list: link the ticked tickets to a chosen problem."""
    actor = request.user
    numbers = request.POST.getlist("ticket")
    try:
        problem_id = int(request.POST.get("problem") or 0)
        if not numbers:
            raise Invalid("problem.tickets", _("请先勾选工单"), {"tickets": [_("必填")]})
        services.link_tickets(problem_id, actor=actor, tickets=numbers[:500])
    except (DomainError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("请选择问题")))
        back = request.POST.get("next", "")
        return redirect(back if back.startswith("/insights/") else "insights:hotspots")
    messages.success(request, _("已关联 %(n)s 张工单") % {"n": len(numbers)})
    return redirect("insights:problem", problem_id=problem_id)
