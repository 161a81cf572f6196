"""流程配置 pages: the processes and their versions, the designer (bpmn-js), saving a
draft and publishing it. Thin: every change goes through processes.services."""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintloop.core import calendar, clock
from complaintloop.core import services as core_services
from complaintloop.core.errors import DomainError
from complaintloop.core.models import WorkCalendarDay

from . import diff as process_diff
from . import selectors, services
from .engine import ASSIGNEE_PROPERTY, OPERATIONS_PROPERTY, TIME_LIMIT_PROPERTY
from .lint import PROCESS_DATA


def manager_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not services.may_manage(request.user):
            return render(request, "processes/forbidden.html", {"nav": "processes"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@manager_required
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "processes/index.html", {"nav": "processes", "processes": selectors.catalogue()}
    )


def _detail(request, key: str, *, number=None, xml=None, problems=None, comment="", status=200):
    versions = selectors.versions(key)
    if not versions:
        raise Http404
    if number is None:
        number = versions[0].version
    shown = selectors.version(key, number)
    if shown is None:
        raise Http404
    context = {
        "nav": "processes",
        "key": key,
        "versions": versions,
        "shown": shown,
        "bpmn_xml": xml if xml is not None else shown.bpmn_xml,
        "problems": problems or [],
        "comment": comment,
        "assignee_property": ASSIGNEE_PROPERTY,
        "operations_property": OPERATIONS_PROPERTY,
        "process_data": list(PROCESS_DATA.items()),
        "time_limit_property": TIME_LIMIT_PROPERTY,
    }
    return render(request, "processes/detail.html", context, status=status)


@require_GET
@manager_required
def detail(request: HttpRequest, key: str) -> HttpResponse:
    number = request.GET.get("v", "")
    return _detail(request, key, number=int(number) if number.isdigit() else None)


@require_GET
@manager_required
def diff(request: HttpRequest, key: str) -> HttpResponse:
    """Two versions side by side, the changed elements marked on both diagrams."""
    versions = selectors.versions(key)
    if not versions:
        raise Http404
    numbers = [v.version for v in versions]

    def pick(name: str, fallback: int) -> int:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in numbers else fallback

    new_number = pick("b", numbers[0])
    old_number = pick("a", numbers[1] if len(numbers) > 1 else numbers[0])
    old, new = selectors.version(key, old_number), selectors.version(key, new_number)
    changes = process_diff.compare(old.bpmn_xml, new.bpmn_xml)
    context = {
        "nav": "processes",
        "key": key,
        "versions": versions,
        "old": old,
        "new": new,
        "changes": changes,
        "marks": [{"id": c.element_id, "kind": c.kind} for c in changes],
    }
    return render(request, "processes/diff.html", context)


@require_POST
@manager_required
def save_draft(request: HttpRequest, key: str) -> HttpResponse:
    xml = request.POST.get("bpmn_xml", "")
    comment = request.POST.get("comment", "").strip()
    try:
        row = services.save_draft(key, xml, actor=request.user, comment=comment)
    except DomainError as exc:
        problems = [
            {"element": element, "message": message}
            for element, texts in (exc.fields or {}).items()
            for message in texts
        ]
        messages.error(request, exc.message)
        based_on = request.POST.get("based_on", "")
        return _detail(
            request,
            key,
            number=int(based_on) if based_on.isdigit() else None,
            xml=xml,
            problems=problems,
            comment=comment,
            status=422,
        )
    messages.success(request, _("已保存为草稿 v%(n)s,发布后新工单才会使用") % {"n": row.version})
    return redirect(f"{reverse('processes:detail', args=[key])}?v={row.version}")


@require_POST
@manager_required
def publish(request: HttpRequest, key: str, version: int) -> HttpResponse:
    try:
        row = services.publish_version(key, version, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("v%(n)s 已发布:此后受理的工单使用该版本,在途工单按原版本办完") % {"n": row.version},
        )
    return redirect(f"{reverse('processes:detail', args=[key])}?v={version}")


def _calendar_months(year: int) -> list[dict]:
    """The year as 12 month grids (Monday first) with each day's kind."""
    import calendar as month_grid

    rows = {
        row.date: row
        for row in WorkCalendarDay.objects.filter(date__year=year).only(
            "date", "is_workday", "note"
        )
    }
    today = clock.localtime().date()
    months = []
    for month in range(1, 13):
        weeks = []
        for week in month_grid.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                row = rows.get(day)
                weekend = day.weekday() >= 5
                if row is None:
                    kind = "weekend" if weekend else "work"
                elif row.is_workday:
                    kind = "makeup" if weekend else "work"
                else:
                    kind = "holiday" if not weekend else "weekend"
                cells.append(
                    {
                        "day": day,
                        "kind": kind,
                        "note": row.note if row else "",
                        "today": day == today,
                    }
                )
            weeks.append(cells)
        months.append({"number": month, "weeks": weeks})
    return months


@manager_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    today = clock.localtime().date()
    raw_year = request.GET.get("year") or request.POST.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else today.year
    notice, problems, status = "", {}, 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "day":
                day = date.fromisoformat(request.POST.get("day", ""))
                core_services.set_day(
                    day,
                    request.POST.get("mode", ""),
                    actor=request.user,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("%(d)s 已更新") % {"d": day.isoformat()})
            else:
                notice = request.POST.get("notice", "")
                days = core_services.import_notice(year, notice, actor=request.user)
                messages.success(
                    request, _("已导入 %(y)s 年 %(n)s 天") % {"y": year, "n": len(days)}
                )
            return redirect(f"{reverse('processes:calendar')}?year={year}")
        except ValueError:
            messages.error(request, _("日期格式应为 YYYY-MM-DD"))
            status = 422
        except DomainError as exc:
            messages.error(request, exc.message)
            problems, status = exc.fields or {}, exc.status
    elif request.method != "GET":
        return HttpResponse(status=405)
    until = calendar.covered_until()
    context = {
        "nav": "processes",
        "year": year,
        "months": _calendar_months(year),
        "covered": calendar.year_is_covered(year),
        "covered_until": until,
        "days_left": (until - today).days if until else None,
        "notice": notice,
        "problems": problems,
        "years": [year - 1, year, year + 1],
    }
    return render(request, "processes/calendar.html", context, status=status)


@manager_required
def categories(request: HttpRequest) -> HttpResponse:
    """分类: the 4-level tree with each node's default process, unit, limit and basis."""
    from complaintloop.taxonomy import services as taxonomy_services
    from complaintloop.taxonomy.models import Category, TimeBasisChoice

    q = request.GET.get("q", "").strip()[:40]
    if request.method == "POST":
        limit = request.POST.get("time_limit_minutes", "").strip()
        code = request.POST.get("code", "")
        try:
            if request.POST.get("action") == "add":
                taxonomy_services.add_category(
                    actor=request.user,
                    code=code.strip(),
                    name=request.POST.get("name", ""),
                    parent=request.POST.get("parent", "").strip(),
                )
                messages.success(request, _("已新增分类 %(c)s") % {"c": code})
            else:
                taxonomy_services.update_category(
                    code,
                    actor=request.user,
                    name=request.POST.get("name", ""),
                    default_unit=request.POST.get("default_unit", "").strip(),
                    default_process_key=request.POST.get("default_process_key", ""),
                    time_limit_minutes=int(limit) if limit.isdigit() else None,
                    time_basis=request.POST.get("time_basis", ""),
                    is_active=request.POST.get("is_active") == "on",
                )
                messages.success(request, _("分类 %(c)s 已保存") % {"c": code})
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in (exc.fields or {}).items())
            messages.error(request, f"{exc.message} {details}".strip())
        return redirect(f"{reverse('processes:categories')}?q={q}#cat-{code}")
    nodes = Category.objects.select_related("default_unit").order_by("path")
    if q:
        nodes = nodes.filter(Q(code__startswith=q) | Q(name__contains=q) | Q(full_name__contains=q))
    context = {
        "nav": "processes",
        "nodes": list(nodes[:1000]),
        "q": q,
        "processes": selectors.catalogue(),
        "bases": TimeBasisChoice.choices,
    }
    return render(request, "processes/categories.html", context)
