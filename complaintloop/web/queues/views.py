"""Queue pages: tabs of open work items, filters, saved views and bulk actions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from complaintloop.core import clock
from complaintloop.core.errors import DomainError
from complaintloop.routing.models import Urgency
from complaintloop.taxonomy.models import Category
from complaintloop.tickets import services
from complaintloop.tickets.models import Status

from ..models import SavedView
from ..ticket.choices import target_units
from ..ticket.sla import badge
from . import keyset, queries

BULK = {
    "accept": (
        gettext_lazy("批量签收"),
        lambda n, a, p: services.accept(n, actor=a, comment=p["comment"]),
    ),
    "transfer": (
        gettext_lazy("批量转派"),
        lambda n, a, p: services.transfer(n, actor=a, to_unit=p["to_unit"], comment=p["comment"]),
    ),
    "urge": (
        gettext_lazy("批量催办"),
        lambda n, a, p: services.urge(n, actor=a, comment=p["comment"]),
    ),
}
MAX_BULK = 200


def _is_partial(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _results_context(request: HttpRequest, query: queries.QueueQuery) -> dict:
    actor = request.user
    qs = queries.items(actor, query)
    col, descending = queries.sort_column(query)
    page = keyset.paginate(
        qs,
        col=col,
        descending=descending,
        size=queries.PAGE_SIZE,
        after=query.after,
        before=query.before,
    )
    now = clock.now()
    counts = queries.tab_counts(actor)
    # Unfiltered tabs already have their count; only a filtered list needs its own.
    total = counts.get(query.tab) if not query.filtered and query.tab in counts else qs.count()
    rows = [
        {
            "item": item,
            "t": item.ticket,
            "sla": badge(
                item.due_at, item.sla_state, now, paused=item.ticket.status == Status.SUSPENDED
            ),
        }
        for item in page.rows
    ]
    views = list(SavedView.objects.filter(owner=actor))
    active_view = request.GET.get("view", "")
    return {
        "query": query,
        "rows": rows,
        "page": page,
        "total": total,
        "tabs": [
            {
                "key": key,
                "label": label,
                "count": counts[key],
                "qs": query.querystring(tab=key, after="", before=""),
            }
            for key, label in queries.TABS
        ],
        "saved_views": views,
        "active_view": active_view,
        "sort_links": {
            key: query.querystring(
                sort=(f"-{key}" if query.sort == key else key), after="", before=""
            )
            for key in queries.SORTS
        },
        "prev_qs": query.querystring(after="", before=page.first_cursor)
        if page.has_prev and page.first_cursor
        else "",
        "next_qs": query.querystring(after=page.last_cursor, before="") if page.has_next else "",
        "first_qs": query.querystring(after="", before="") if page.has_prev else "",
        "current_qs": query.querystring(),
        "units": list(target_units(actor)),
        "bulk_actions": [(key, label) for key, (label, _call) in BULK.items()],
    }


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    query = queries.QueueQuery.parse(request.GET)
    context = _results_context(request, query)
    if _is_partial(request):
        return render(request, "web/queues/_results.html", context)
    context.update(
        nav="queues",
        statuses=Status.choices,
        urgencies=Urgency.choices,
        categories=list(
            Category.objects.filter(level__lte=2).order_by("path").values_list("code", "full_name")
        ),
    )
    return render(request, "web/queues/index.html", context)


@require_POST
@login_required
def bulk(request: HttpRequest, action: str) -> HttpResponse:
    """Run one service per selected ticket (each its own transaction) and report each."""
    if action not in BULK:
        return HttpResponse(status=404)
    label, call = BULK[action]
    numbers = list(dict.fromkeys(request.POST.getlist("numbers")))[:MAX_BULK]
    params = {
        "comment": request.POST.get("comment", "").strip(),
        "to_unit": request.POST.get("to_unit", ""),
    }
    results = []
    for number in numbers:
        try:
            ticket = call(number, request.user, params)
        except DomainError as exc:
            results.append({"number": number, "ok": False, "message": exc.message})
        else:
            results.append({"number": number, "ok": True, "status": ticket.get_status_display()})
    query = queries.QueueQuery.parse(QueryDict(request.POST.get("qs", "")))
    context = _results_context(request, query)
    context["bulk"] = {
        "label": label,
        "results": results,
        "succeeded": sum(r["ok"] for r in results),
        "failed": [r for r in results if not r["ok"]],
        "empty": not numbers,
    }
    status = 200 if numbers else 422
    if _is_partial(request):
        return render(request, "web/queues/_results.html", context, status=status)
    context.update(nav="queues", statuses=Status.choices, urgencies=Urgency.choices, categories=[])
    return render(request, "web/queues/index.html", context, status=status)


@require_POST
@login_required
def save_view(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()[:40]
    query = queries.QueueQuery.parse(QueryDict(request.POST.get("qs", "")))
    qs = query.querystring(after="", before="")
    if not name:
        return _saved_error(request, query, _("请填写视图名称"))
    if SavedView.objects.filter(owner=request.user, name=name).exists():
        return _saved_error(request, query, _("已有同名视图"))
    view = SavedView.objects.create(owner=request.user, name=name, query=qs)
    return redirect(f"/queues/?{qs}&view={view.pk}" if qs else f"/queues/?view={view.pk}")


def _saved_error(request, query, message: str) -> HttpResponse:
    context = _results_context(request, query)
    context.update(
        nav="queues",
        statuses=Status.choices,
        urgencies=Urgency.choices,
        categories=[],
        view_error=message,
    )
    return render(request, "web/queues/index.html", context, status=422)


@require_POST
@login_required
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's view is a 404, like anything out of scope.
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    view.delete()
    return redirect("web:queue")
