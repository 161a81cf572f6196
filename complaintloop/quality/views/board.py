"""指标看板, trend, 排名 and the drill-down to the tickets behind a figure."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaintloop.core.errors import DomainError

from .. import board, selectors
from ..models import Kind, Phase
from .common import (
    BYS,
    PERIODS,
    form_errors,
    parse_choice,
    parse_day,
    quality_required,
    today,
)

POINTS = {"day": 30, "week": 12, "month": 12}


def _filters(request) -> dict:
    return {
        "period": parse_choice(request.GET.get("period"), "period", PERIODS, "month"),
        "day": parse_day(request.GET.get("date"), "date", today()),
        "by": parse_choice(request.GET.get("by"), "by", BYS, "region"),
        "region": (request.GET.get("region") or "").strip() or None,
    }


def _regions(actor) -> list:
    """The cities the reader may narrow to (none for a city-level reader)."""
    from complaintloop.org.models import Unit, UnitKind

    scope = selectors.scope_unit(actor)
    qs = Unit.objects.filter(kind=UnitKind.CITY, is_active=True)
    if scope is not None and not board.engine.is_whole_province(scope.path):
        qs = qs.filter(path__startswith=scope.path)
    return list(qs.order_by("path"))


def _base_context(request, subnav: str) -> dict:
    return {
        "nav": "quality",
        "subnav": subnav,
        "periods": PERIODS,
        "bys": BYS,
        "phases": Phase.choices,
    }


@require_GET
@quality_required
def dashboard(request):
    actor = request.user
    context = _base_context(request, "dashboard")
    try:
        f = _filters(request)
        data = board.dashboard(
            actor,
            list(selectors.indicators()),
            period=f["period"],
            day=f["day"],
            by=f["by"],
            region=f["region"],
        )
        context["regions"] = _regions(actor)
    except DomainError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "quality/dashboard.html", context, status=exc.status)
    query = {
        "period": f["period"],
        "date": f["day"].isoformat(),
        "by": f["by"],
        **({"region": f["region"]} if f["region"] else {}),
    }
    sections = []
    for phase, label in Phase.choices:
        rows = [r for r in data["rows"] if r["indicator"].phase == phase]
        if rows:
            sections.append({"phase": phase, "label": label, "rows": rows})
    counts = {"ok": 0, "off_target": 0, "alarm": 0}
    for row in data["rows"]:
        if not row["deferred"] and row["total"].status in counts:
            counts[row["total"].status] += 1
    context.update(
        f=f,
        data=data,
        sections=sections,
        counts=counts,
        query=urlencode(query),
        drill=_drill_base(f, data),
        group_param="region" if f["by"] == "region" else "accepting_unit",
    )
    return render(request, "quality/dashboard.html", context)


def _drill_base(f: dict, data: dict) -> str:
    base = {"start": data["start"].isoformat(), "end": data["end"].isoformat()}
    if f.get("region"):
        base["region"] = f["region"]
    return urlencode(base)


@require_GET
@quality_required
def dashboard_row(request, code: str):
    """One dashboard row computed from the tickets (loaded after the page)."""
    actor = request.user
    try:
        f = _filters(request)
        indicator = selectors.indicator(code)
        data = board.dashboard(
            actor,
            [indicator],
            period=f["period"],
            day=f["day"],
            by=f["by"],
            region=f["region"],
            deferred=False,
        )
    except DomainError as exc:
        return render(request, "quality/_row_error.html", {"error": exc.message}, status=exc.status)
    return render(
        request,
        "quality/_row.html",
        {
            "row": data["rows"][0],
            "data": data,
            "drill": _drill_base(f, data),
            "group_param": "region" if f["by"] == "region" else "accepting_unit",
            "f": f,
        },
    )


@require_GET
@quality_required
def indicator(request, code: str):
    """One indicator: its trend (ECharts) with target and warning lines."""
    actor = request.user
    context = _base_context(request, "dashboard")
    try:
        f = _filters(request)
        found = selectors.indicator(code)
        points = POINTS[f["period"]]
        data = board.trend(
            actor, found, period=f["period"], end=f["day"], points=points, region=f["region"]
        )
        context["regions"] = _regions(actor)
    except DomainError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "quality/indicator.html", context, status=exc.status)
    chart = {
        "labels": [
            p["start"].strftime("%Y-%m") if f["period"] == "month" else p["start"].isoformat()
            for p in data["series"]
        ],
        "values": [p["result"].value for p in data["series"]],
        "target": float(found.target) if found.target is not None else None,
        "warning": float(found.warning) if found.warning is not None else None,
        "name": found.name_en if request.LANGUAGE_CODE.startswith("en") and found.name_en
        else found.name_zh,
        "labels_text": {"target": _("目标值"), "warning": _("预警阈值")},
    }  # fmt: skip
    context.update(
        f=f,
        ind=found,
        data=data,
        chart=chart,
        plan=board.plan(found),
        series=[
            {**p, "drill": _drill_base(f, {"start": p["start"], "end": p["end"]})}
            for p in reversed(data["series"])
        ],
        region_q=f"&region={f['region']}" if f["region"] else "",
    )
    return render(request, "quality/indicator.html", context)


@require_GET
@quality_required
def ranking(request):
    """Cities and handling departments ranked by one indicator."""
    actor = request.user
    context = _base_context(request, "ranking")
    indicators = list(selectors.indicators())
    context["indicators"] = indicators
    try:
        f = _filters(request)
        code = request.GET.get("indicator") or "timely_handling_rate"
        found = selectors.indicator(code)
        start, end = board.period_range(f["period"], f["day"])
        cities = board.ranking(actor, found, start=start, end=end, by="region", region=f["region"])
        departments = board.ranking(
            actor, found, start=start, end=end, by="handling_unit", region=f["region"]
        )
        context["regions"] = _regions(actor)
    except DomainError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "quality/ranking.html", context, status=exc.status)
    context.update(
        f=f,
        ind=found,
        start=start,
        end=end,
        cities=cities["rows"],
        departments=departments["rows"],
        drill=_drill_base(f, {"start": start, "end": end}),
    )
    return render(request, "quality/ranking.html", context)


@require_GET
@quality_required
def tickets(request):
    """Exactly the tickets behind a figure (numerator, or a rate's denominator)."""
    actor = request.user
    context = _base_context(request, "dashboard")
    try:
        found = selectors.indicator(request.GET.get("indicator") or "")
        start = parse_day(request.GET.get("start"), "start", today())
        end = parse_day(request.GET.get("end"), "end", start)
        part = parse_choice(
            request.GET.get("part"),
            "part",
            (("numerator", ""), ("denominator", "")),
            "numerator",
        )
        group_by = request.GET.get("group_by") or None
        if group_by is not None:
            groups = [
                (g, "") for g in (*board.DRILL_GROUPS, "category_l1", "handling_unit", "handler")
            ]
            group_by = parse_choice(group_by, "group_by", groups, "")
        key = request.GET.get("key") or None
        region = request.GET.get("region") or None
        qs = board.tickets_behind(
            actor,
            found,
            start=start,
            end=end,
            part=part,
            group_by=group_by,
            key=key,
            region=region,
        )
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
    except DomainError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "quality/tickets.html", context, status=exc.status)
    params = request.GET.copy()
    params.pop("page", None)
    other = params.copy()
    other["part"] = "denominator" if part == "numerator" else "numerator"
    group_name = key
    if key and group_by in ("region", "accepting_unit", "owner_unit", "handling_unit"):
        from complaintloop.org.models import Unit

        group_name = Unit.objects.filter(code=key).values_list("name", flat=True).first() or key
    context.update(
        ind=found,
        start=start,
        end=end,
        part=part,
        is_rate=found.kind == Kind.RATE,
        group_name=group_name,
        page=page,
        querystring=params.urlencode(),
        other_part=other.urlencode(),
    )
    return render(request, "quality/tickets.html", context)
