"""热点 and 透视: hot topics with 环比/同比 and sparklines, the two-dimensional pivot
with CSV export, and the scoped ticket list both drill down to."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from complaintloop.core import audit, clock
from complaintloop.core.errors import DomainError

from .. import selectors, services
from ..models import ProblemStatus
from .common import form_errors, parse_day, parse_int, quality_required

DIMENSION_LABELS = {
    "keyword": gettext_lazy("关键词"),
    "category": gettext_lazy("分类(末级)"),
    "category_l1": gettext_lazy("分类(一级)"),
    "category_l2": gettext_lazy("分类(二级)"),
    "category_l3": gettext_lazy("分类(三级)"),
    "region": gettext_lazy("地市"),
    "sp": gettext_lazy("SP"),
    "product": gettext_lazy("产品"),
    "channel": gettext_lazy("受理渠道"),
    "order_type": gettext_lazy("工单类型"),
    "status": gettext_lazy("状态"),
    "customer_level": gettext_lazy("客户级别"),
}
MEASURE_LABELS = {
    "count": gettext_lazy("工单量"),
    "overdue": gettext_lazy("超时量"),
    "dissatisfied": gettext_lazy("不满意量"),
}
PRESETS = (
    ("7", gettext_lazy("近 7 天")),
    ("30", gettext_lazy("近 30 天")),
    ("90", gettext_lazy("近 90 天")),
)


def _period(request) -> tuple:
    """start/end from the query string, or a preset of the last N days."""
    days = request.GET.get("days", "")
    if days in {p for p, _label in PRESETS} and not request.GET.get("start"):
        end = timezone.localdate(clock.now())
        return end - timedelta(days=int(days) - 1), end
    return parse_day(request.GET.get("start"), "start"), parse_day(request.GET.get("end"), "end")


def _sparkline(values: list[int], width: int = 120, height: int = 24) -> str:
    """SVG polyline points for a row's daily counts (drawn server-side: no JS per row)."""
    if not values:
        return ""
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )


def _change(value: float | None) -> dict | None:
    if value is None:
        return None
    pct = round(value * 100, 1)
    return {"pct": pct, "dir": "up" if pct > 0 else "down" if pct < 0 else "flat"}


@require_GET
@quality_required
def hotspots(request):
    actor = request.user
    dimension = request.GET.get("dimension", "category_l2")
    limit = request.GET.get("limit", "10")
    context = {
        "nav": "quality",
        "subnav": "hotspots",
        "dimensions": [(d, DIMENSION_LABELS[d]) for d in selectors.HOTSPOT_DIMENSIONS],
        "presets": PRESETS,
        "dimension": dimension,
        "limit": limit,
        "days": request.GET.get("days", ""),
    }
    try:
        start, end = _period(request)
        result = selectors.hotspots(
            actor,
            dimension=dimension,
            start=start,
            end=end,
            limit=parse_int(limit, "limit", 10),
        )
    except DomainError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "insights/hotspots.html", context, status=exc.status)
    top = max((item["count"] for item in result["items"]), default=0) or 1
    rows = [
        {
            **item,
            "share": round(item["count"] * 100 / top, 1),
            "of_total": round(item["count"] * 100 / result["total"], 1) if result["total"] else 0,
            "pop": _change(item["pop_change"]),
            "yoy": _change(item["yoy_change"]),
            "spark": _sparkline(item["daily"]),
            "peak": max(item["daily"] or [0]),
        }
        for item in result["items"]
    ]
    chart = {
        "labels": [r["label"] for r in rows],
        "current": [r["count"] for r in rows],
        "previous": [r["previous"] for r in rows],
        "last_year": [r["last_year"] for r in rows],
    }
    context.update(
        result=result, rows=rows, chart=chart, dimension_label=DIMENSION_LABELS.get(dimension)
    )
    return render(request, "insights/hotspots.html", context)


def _pivot_args(request) -> dict:
    start, end = _period(request)
    return {
        "rows": request.GET.get("rows", "region"),
        "cols": request.GET.get("cols", "category_l1"),
        "measure": request.GET.get("measure", "count"),
        "start": start,
        "end": end,
    }


def _heat(value: int, top: int) -> str:
    """Cell background: white → deep blue with the value's share of the largest cell."""
    if not value or not top:
        return ""
    alpha = 0.08 + 0.82 * (value / top)
    return f"background: rgba(11, 92, 173, {alpha:.2f});" + (" color: #fff;" if alpha > 0.5 else "")


@require_GET
@quality_required
def pivot(request):
    actor = request.user
    context = {
        "nav": "quality",
        "subnav": "pivot",
        "dimensions": [(d, DIMENSION_LABELS[d]) for d in selectors.DIMENSIONS],
        "measures": list(MEASURE_LABELS.items()),
        "presets": PRESETS,
        "days": request.GET.get("days", ""),
        "q": {
            "rows": request.GET.get("rows", "region"),
            "cols": request.GET.get("cols", "category_l1"),
            "measure": request.GET.get("measure", "count"),
        },  # fmt: skip
    }
    try:
        args = _pivot_args(request)
        result = selectors.pivot(actor, **args)
    except DomainError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "insights/pivot.html", context, status=exc.status)
    if request.GET.get("format") == "csv":
        audit.export(actor, "pivot", **args, format="csv")
        return _pivot_csv(result, args)
    top = max((v for line in result["matrix"] for v in line), default=0)
    lines = [
        {
            "row": row,
            "cells": [
                {"value": v, "style": _heat(v, top), "col": col}
                for v, col in zip(line, result["cols"], strict=True)
            ],
            "total": total,
        }
        for row, line, total in zip(
            result["rows"], result["matrix"], result["row_totals"], strict=True
        )
    ]
    context.update(result=result, lines=lines, args=args,
                   row_label=DIMENSION_LABELS[args["rows"]], col_label=DIMENSION_LABELS[args["cols"]],
                   measure_label=MEASURE_LABELS[args["measure"]])  # fmt: skip
    return render(request, "insights/pivot.html", context)


def _pivot_csv(result: dict, args: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"pivot-{args['rows']}-{args['cols']}-{result['start']}-{result['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese only with a BOM
    writer = csv.writer(response)
    head = f"{DIMENSION_LABELS[args['rows']]} \\ {DIMENSION_LABELS[args['cols']]}"
    writer.writerow([head, *[c["label"] for c in result["cols"]], _("合计")])
    for row, line, total in zip(
        result["rows"], result["matrix"], result["row_totals"], strict=True
    ):
        writer.writerow([row["label"], *line, total])
    writer.writerow([_("合计"), *result["col_totals"], result["total"]])
    return response


def _drill_filters(request) -> list[tuple[str, str]]:
    filters = []
    for i in (1, 2):
        dimension = request.GET.get(f"d{i}")
        if dimension:
            filters.append((dimension, request.GET.get(f"k{i}", "")))
    return filters


@require_GET
@quality_required
def tickets(request):
    """The tickets behind a hotspot row or a pivot cell, in the actor's scope."""
    actor = request.user
    filters = _drill_filters(request)
    measure = request.GET.get("measure", "count")
    context = {"nav": "quality", "subnav": "hotspots", "measure_label": MEASURE_LABELS.get(measure)}
    try:
        start, end = _period(request)
        qs = selectors.drill(actor, filters=filters, start=start, end=end, measure=measure)
        start, end = selectors.period(start, end)
    except DomainError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "insights/tickets.html", context, status=exc.status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    labels = []
    for dimension, key in filters:
        label = request.GET.get(f"l{filters.index((dimension, key)) + 1}") or key or _("(未填)")
        labels.append({"dimension": DIMENSION_LABELS.get(dimension, dimension), "label": label})
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        filters=labels,
        start=start,
        end=end,
        querystring=query.urlencode(),
        can_link=services.can_issue(actor),
        problems=list(selectors.problems(actor).exclude(status=ProblemStatus.CLOSED)[:100])
        if services.can_issue(actor)
        else [],
    )
    return render(request, "insights/tickets.html", context)
