"""What a report says, as plain data: the figures of a scope and period gathered from the
indicator engine (quality) and from early warnings, notices and problems (insights).
The PDF and the XLSX are two renderings of the same ``Content``.

The sections follow the monitoring report of seed 000 (事前/事中/事后 indicators against
target, trend, ranking, hot complaints, root-cause tracing) and the weekly bulletin of
seed 004 (monitor → analyse/warn → collaborate → re-monitor)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from complaintloop.core import calendar, clock
from complaintloop.insights import selectors as insights
from complaintloop.insights.models import (
    Alert,
    AlertStatus,
    Problem,
    TicketKeyword,
    WarningNotice,
)
from complaintloop.org.models import Unit, UnitKind
from complaintloop.quality import engine
from complaintloop.quality import selectors as quality
from complaintloop.quality.models import Direction, Indicator, Kind, Phase, UnitLabel
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket

from . import measure
from .models import ReportKind
from .periods import Period, month_of, week_of

COMPLAINT = {"order_type": "complaint"}
# 升级率 is not a built-in indicator: defined here, unsaved, over the engine's blocks.
ESCALATION_RATE = Indicator(
    code="escalation_rate",
    name_zh="升级率",
    name_en="Escalation rate",
    phase=Phase.DURING,
    kind=Kind.RATE,
    numerator={"escalated": True},
    denominator=COMPLAINT,
    unit=UnitLabel.PERCENT,
    direction=Direction.LOWER_BETTER,
    description="被升级(越级、督办升级)的投诉 / 投诉量。",
)
HEADLINE = (
    "complaint_count",
    "complaints_per_10k",
    "timely_handling_rate",
    "satisfaction_rate",
    "repeat_complaint_rate",
    "escalation_rate",
    "overdue_count",
    "avg_handling_hours",
)
RANKING = (
    "complaint_count",
    "complaints_per_10k",
    "timely_handling_rate",
    "overdue_rate",
    "avg_handling_hours",
    "satisfaction_rate",
    "repeat_complaint_rate",
)
RANK_BY = "timely_handling_rate"
TREND = ("complaint_count", "timely_handling_rate", "satisfaction_rate")
TREND_POINTS = {ReportKind.MONTHLY: 12, ReportKind.WEEKLY: 8}
TOP_CATEGORIES = 10
TOP_KEYWORDS = 15
LIST_LIMIT = 20


@dataclass
class Figure:
    """One indicator in one period, with the two comparisons."""

    code: str
    name: str
    unit: str
    direction: str
    target: float | None
    warning: float | None
    value: float | None
    status: str
    previous: float | None = None
    last_year: float | None = None
    phase: str = ""
    owner: str = ""
    description: str = ""

    @property
    def pop_change(self) -> float | None:
        return _delta(self.value, self.previous)

    @property
    def yoy_change(self) -> float | None:
        return _delta(self.value, self.last_year)

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase).label) if self.phase in Phase.values else ""

    @property
    def is_rate(self) -> bool:
        return self.unit == UnitLabel.PERCENT

    @property
    def better(self) -> bool | None:
        """Whether the move since the previous period is an improvement."""
        change = self.pop_change
        if not change:
            return None
        return (change > 0) == (self.direction == Direction.HIGHER_BETTER)


def _delta(now: float | None, before: float | None) -> float | None:
    """The change: in points for rates, relative otherwise (set by the renderer's
    unit); here simply the difference, the renderers label it."""
    if now is None or before is None:
        return None
    return round(now - before, 4)


def relative(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return round((now - before) / before, 4)


@dataclass
class Content:
    kind: str
    scope: Unit
    period: Period
    previous: Period
    last_year: Period
    generated_at: datetime
    headline: list[Figure] = field(default_factory=list)
    indicators: list[Figure] = field(default_factory=list)
    trend: dict[str, Any] = field(default_factory=dict)
    daily: dict[str, Any] = field(default_factory=dict)
    ranking: dict[str, Any] = field(default_factory=dict)
    categories: list[dict] = field(default_factory=list)
    keywords: list[dict] = field(default_factory=list)
    alerts: dict[str, Any] = field(default_factory=dict)
    notices: dict[str, Any] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    methods: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # ms per section (bench, logs)

    @property
    def is_province(self) -> bool:
        return engine.is_whole_province(self.scope.path)

    @property
    def headline_by_code(self) -> dict[str, Figure]:
        return {f.code: f for f in self.headline}


# --------------------------------------------------------------------------- engine


def _indicators() -> dict[str, Indicator]:
    found = {i.code: i for i in quality.indicators()}
    found[ESCALATION_RATE.code] = ESCALATION_RATE
    return found


def _values(found: list[Indicator], period: Period, scope: Unit, group_by=None) -> dict:
    return measure.compute_many(
        found, start=period.start, end=period.end, scope_unit=scope, group_by=group_by
    )


def _figure(indicator: Indicator, result: engine.Result) -> Figure:
    return Figure(
        code=indicator.code,
        name=indicator.name_zh,
        unit=indicator.unit,
        direction=indicator.direction,
        target=float(indicator.target) if indicator.target is not None else None,
        warning=float(indicator.warning) if indicator.warning is not None else None,
        value=result.value,
        status=result.status,
        phase=indicator.phase,
        owner=indicator.owner_unit.name if indicator.owner_unit_id else indicator.owner_label,
        description=indicator.description,
    )


def _figures(content: Content, registry: dict[str, Indicator]) -> None:
    """Every active indicator this period and the previous one; the headline ones also
    the same period last year."""
    scope = content.scope
    found = list(registry.values())
    now = _values(found, content.period, scope)
    before = _values(found, content.previous, scope)
    by_code: dict[str, Figure] = {}
    for code, indicator in registry.items():
        figure = _figure(indicator, now[code])
        figure.previous = before[code].value
        by_code[code] = figure
    headline = [registry[code] for code in HEADLINE if code in registry]
    year = _values(headline, content.last_year, scope)
    for indicator in headline:
        figure = by_code[indicator.code]
        figure.last_year = year[indicator.code].value
        content.headline.append(figure)
    order = {Phase.BEFORE: 0, Phase.DURING: 1, Phase.AFTER: 2}
    content.indicators = sorted(
        by_code.values(),
        key=lambda f: (order.get(f.phase, 9), f.code),
    )


def _trend(content: Content, registry: dict[str, Indicator]) -> None:
    """The last 12 months (weekly: 8 weeks) up to the period, and each day of it."""
    points = TREND_POINTS[content.kind]
    periods = [content.period]
    while len(periods) < points:
        periods.append(periods[-1].previous())
    periods.reverse()
    group = "month" if content.kind == ReportKind.MONTHLY else "week"
    keys = [p.start.strftime("%Y-%m") if group == "month" else p.start.isoformat() for p in periods]
    found = [registry[code] for code in TREND if code in registry]
    span = Period(content.kind, periods[0].start, content.period.end)
    grouped = _values(found, span, content.scope, group)
    series: dict[str, list[float | None]] = {
        i.code: [grouped[i.code][k].value if k in grouped[i.code] else _zero(i) for k in keys]
        for i in found
    }
    labels = [p.start.strftime("%Y-%m") if group == "month" else p.key for p in periods]
    content.trend = {"labels": labels, "series": series}
    if "complaint_count" in registry:
        daily = {}
        span = Period(content.kind, content.previous.start, content.period.end)
        count = registry["complaint_count"]
        grouped = _values([count], span, content.scope, "day")[count.code]
        for name, period in (("current", content.period), ("previous", content.previous)):
            days = [period.start + timedelta(days=n) for n in range(period.days)]
            daily[name] = [grouped[d.isoformat()].value if d.isoformat() in grouped else 0.0
                           for d in days]  # fmt: skip
        content.daily = {
            "labels": [
                (content.period.start + timedelta(days=n)).strftime("%m-%d")
                for n in range(content.period.days)
            ],
            **daily,
        }


def _zero(indicator: Indicator) -> float | None:
    return 0.0 if indicator.kind == Kind.COUNT else None


def _ranking(content: Content, registry: dict[str, Indicator]) -> None:
    """Cities of the province, or the handling departments of a city."""
    group = "region" if content.is_province else "owner_unit"
    codes = [c for c in RANKING if c in registry]
    if group == "owner_unit":
        codes = [c for c in codes if registry[c].kind != Kind.PER_10K_CUSTOMERS]
    columns = _values([registry[c] for c in codes], content.period, content.scope, group)
    units = Unit.objects.filter(path__startswith=content.scope.path)
    if group == "region":
        units = units.filter(kind=UnitKind.CITY)
    names = dict(units.values_list("code", "name"))
    keys = sorted({k for col in columns.values() for k in col if k in names})
    if group == "region":  # every city is ranked, even a quiet one
        keys = sorted(names)
    rows = []
    for key in keys:
        cells = {}
        for code in codes:
            result = columns[code].get(key)
            value = result.value if result else _zero(registry[code])
            status = result.status if result else "no_data"
            cells[code] = {"value": value, "status": status}
        rows.append({"code": key, "name": names[key], "cells": cells})
    higher = registry[RANK_BY].direction == Direction.HIGHER_BETTER if RANK_BY in registry else True

    def sort_key(row: dict) -> tuple:
        value = row["cells"].get(RANK_BY, {}).get("value")
        volume = row["cells"].get("complaint_count", {}).get("value") or 0
        if value is None:
            return (1, 0.0, -volume)
        return (0, -value if higher else value, -volume)

    rows.sort(key=sort_key)
    for n, row in enumerate(rows, 1):
        row["rank"] = n
    content.ranking = {
        "group": group,
        "rank_by": RANK_BY,
        "columns": [
            {
                "code": c,
                "name": registry[c].name_zh,
                "unit": registry[c].unit,
                "target": float(registry[c].target) if registry[c].target is not None else None,
            }
            for c in codes
        ],
        "rows": rows,
    }


# ------------------------------------------------------------------------ hot spots


def _complaints(scope: Unit, period: Period):
    lo, hi = engine.local_range(period.start, period.end)
    qs = Ticket.objects.filter(
        created_at__gte=lo, created_at__lt=hi, order_type__code=COMPLAINT["order_type"]
    )
    if not engine.is_whole_province(scope.path):
        qs = qs.filter(region_path__startswith=scope.path)
    return qs


def _category_counts(scope: Unit, period: Period) -> Counter:
    """Complaints by second-level category (the first level when a path is shorter)."""
    counts: Counter = Counter()
    rows = _complaints(scope, period).values_list("category_path").annotate(n=Count("id"))
    for path, n in rows.order_by():
        parts = (path or "").strip("/").split("/")
        counts["/".join(parts[:2]) if parts[0] else ""] += n
    return counts


def _categories(content: Content) -> None:
    now = _category_counts(content.scope, content.period)
    before = _category_counts(content.scope, content.previous)
    year = _category_counts(content.scope, content.last_year)
    total = sum(now.values()) or 1
    top = sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CATEGORIES]
    codes = {key.split("/")[-1] for key, _n in top if key}
    names = dict(Category.objects.filter(code__in=codes).values_list("code", "full_name"))
    content.categories = [
        {
            "code": key.split("/")[-1],
            "name": names.get(key.split("/")[-1], key or "(未分类)"),
            "count": n,
            "share": round(n / total, 4),
            "previous": before.get(key, 0),
            "pop_change": relative(n, before.get(key, 0)),
            "last_year": year.get(key, 0),
            "yoy_change": relative(n, year.get(key, 0)),
        }
        for key, n in top
    ]


def _keyword_counts(scope: Unit, period: Period, words: list[str] | None = None) -> Counter:
    qs = TicketKeyword.objects.filter(ticket__in=_complaints(scope, period).values("pk"))
    if words is not None:
        qs = qs.filter(word__in=words)
    rows = qs.values_list("word").annotate(n=Count("id")).order_by("-n", "word")
    if words is None:
        rows = rows[:TOP_KEYWORDS]
    return Counter(dict(rows))


def _keywords(content: Content) -> None:
    now = _keyword_counts(content.scope, content.period)
    words = list(now)
    before = _keyword_counts(content.scope, content.previous, words) if words else Counter()
    content.keywords = [
        {
            "word": word,
            "count": n,
            "previous": before.get(word, 0),
            "pop_change": relative(n, before.get(word, 0)),
            "is_new": before.get(word, 0) == 0,
        }
        for word, n in sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


# ------------------------------------------------------------- warnings and problems


def _in_scope(scope: Unit, field_path: str) -> Q:
    if engine.is_whole_province(scope.path):
        return Q()
    return Q(**{f"{field_path}__startswith": scope.path})


def _alerts(content: Content) -> None:
    p = content.period
    qs = Alert.objects.filter(_in_scope(content.scope, "region__path"), day__gte=p.start,
                              day__lte=p.end)  # fmt: skip
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    top = qs.select_related("region", "category").order_by("-score", "-day")[:LIST_LIMIT]
    content.alerts = {
        "total": sum(by_status.values()),
        "open": by_status.get(AlertStatus.OPEN, 0),
        "acknowledged": by_status.get(AlertStatus.ACKNOWLEDGED, 0),
        "closed": by_status.get(AlertStatus.CLOSED, 0),
        "previous_total": Alert.objects.filter(
            _in_scope(content.scope, "region__path"),
            day__gte=content.previous.start,
            day__lte=content.previous.end,
        ).count(),
        "items": [
            {
                "day": a.day,
                "region": a.region.name,
                "category": a.category.full_name or a.category.name,
                "observed": a.observed,
                "expected": round(a.expected, 1),
                "upper_limit": round(a.upper_limit, 1),
                "score": round(a.score, 2),
                "status": a.get_status_display(),
                "status_code": a.status,
            }
            for a in top
        ],
    }


def _notices(content: Content) -> None:
    lo, hi = engine.local_range(content.period.start, content.period.end)
    scoped = WarningNotice.objects.filter(_in_scope(content.scope, "responsible_unit__path"))
    issued = scoped.filter(issued_at__gte=lo, issued_at__lt=hi)
    closed = scoped.filter(closed_at__gte=lo, closed_at__lt=hi)
    open_at_end = scoped.filter(issued_at__lt=hi).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=hi)
    )
    late = scoped.filter(due_at__gte=lo, due_at__lt=hi).filter(
        Q(responded_at__isnull=True) | Q(responded_at__gt=F("due_at"))
    )
    listed = (
        scoped.filter(
            Q(issued_at__gte=lo, issued_at__lt=hi) | Q(closed_at__gte=lo, closed_at__lt=hi)
        )
        .select_related("responsible_unit")
        .order_by("issued_at")[:LIST_LIMIT]
    )
    content.notices = {
        "issued": issued.count(),
        "closed": closed.count(),
        "open_at_end": open_at_end.count(),
        "late": late.count(),
        "items": [
            {
                "number": n.number,
                "title": n.title,
                "unit": n.responsible_unit.name,
                "issued_at": timezone.localtime(n.issued_at),
                "due_at": timezone.localtime(n.due_at),
                "responded_at": timezone.localtime(n.responded_at) if n.responded_at else None,
                "closed_at": timezone.localtime(n.closed_at) if n.closed_at else None,
                "status": n.get_status_display(),
                "status_code": n.status,
                "late": bool(
                    (n.responded_at and n.responded_at > n.due_at)
                    or (not n.responded_at and n.due_at < min(hi, clock.now()))
                ),
                "remonitor": _remonitor(n.remonitor_result),
            }
            for n in listed
        ],
    }


def _remonitor(result: dict | None) -> str:
    """The re-monitoring outcome of a closed notice, as one phrase."""
    if not result:
        return ""
    before, after = result.get("before"), result.get("after")
    if before is not None and after is not None:
        return f"{before} → {after}"
    return str(result.get("summary") or "")


def _problems(content: Content) -> None:
    lo, hi = engine.local_range(content.period.start, content.period.end)
    qs = (
        Problem.objects.filter(_in_scope(content.scope, "unit__path"), created_at__lt=hi)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=lo))
        .select_related("owner", "unit", "category")
        .prefetch_related("actions")
        .annotate(tickets=Count("links", distinct=True))
        .order_by("-created_at")[:LIST_LIMIT]
    )
    items = []
    for problem in qs:
        actions = list(problem.actions.all())
        effect = insights.effect(problem)
        items.append(
            {
                "title": problem.title,
                "unit": problem.unit.name,
                "owner": str(problem.owner),
                "category": problem.category.full_name if problem.category_id else "",
                "status": problem.get_status_display(),
                "status_code": problem.status,
                "root_cause": problem.root_cause,
                "tickets": problem.tickets,
                "actions": len(actions),
                "actions_done": sum(1 for a in actions if a.done_at),
                "created_at": timezone.localtime(problem.created_at),
                "closed_in_period": bool(problem.closed_at and lo <= problem.closed_at < hi),
                "before_per_day": effect.get("before_per_day"),
                "after_per_day": effect.get("after_per_day"),
                "effect_change": effect.get("change"),
            }
        )
    content.problems = items


# --------------------------------------------------------------------------- methods


def _methods(content: Content) -> None:
    p = content.period
    days = [p.start + timedelta(days=n) for n in range(p.days)]
    workdays = sum(1 for d in days if calendar.is_workday(d))
    content.methods = {
        "workday_start": settings.WORKDAY_START,
        "workday_end": settings.WORKDAY_END,
        "workday_minutes": calendar.workday_minutes(),
        "days": p.days,
        "workdays": workdays,
        "calendar_covered": calendar.year_is_covered(p.start.year)
        and calendar.year_is_covered(p.end.year),
        "repeat_window_days": 30,
        "timezone": settings.TIME_ZONE,
    }


def _findings(content: Content) -> None:
    """The few sentences a reader sees first: what missed its target, what moved."""
    out: list[str] = []
    figures = content.headline_by_code
    volume = figures.get("complaint_count")
    if volume and volume.value is not None:
        change = relative(volume.value, volume.previous)
        line = f"本期受理投诉 {volume.value:,.0f} 件"
        if change is not None:
            line += f",环比{'上升' if change >= 0 else '下降'} {abs(change) * 100:.1f}%"
        yoy = relative(volume.value, volume.last_year)
        if yoy is not None:
            line += f",同比{'上升' if yoy >= 0 else '下降'} {abs(yoy) * 100:.1f}%"
        out.append(line + "。")
    missed = [f for f in content.indicators if f.status in ("alarm", "off_target")]
    alarms = [f.name for f in missed if f.status == "alarm"]
    if missed:
        line = f"{len(missed)} 项指标未达目标"
        if alarms:
            line += f",其中 {len(alarms)} 项越过预警线({'、'.join(alarms[:5])})"
        out.append(line + "。")
    else:
        out.append("设定目标的指标均已达标。")
    if content.categories:
        top = content.categories[0]
        out.append(
            f"投诉最多的分类为「{top['name']}」{top['count']} 件,占 {top['share'] * 100:.1f}%。"
        )
    rising = [k for k in content.keywords if (k["pop_change"] or 0) >= 0.5 and k["count"] >= 3]
    if rising:
        out.append("上升明显的热词:" + "、".join(k["word"] for k in rising[:5]) + "。")
    a, n = content.alerts, content.notices
    if a.get("total") or n.get("issued"):
        out.append(
            f"本期触发预警 {a.get('total', 0)} 次,下发预警单 {n.get('issued', 0)} 份、"
            f"关闭 {n.get('closed', 0)} 份,期末在途 {n.get('open_at_end', 0)} 份。"
        )
    content.findings = out


def build(kind: str, period: Period, scope: Unit) -> Content:
    """Gather every section of a report (the slow part: a few dozen aggregate queries)."""
    content = Content(
        kind=kind,
        scope=scope,
        period=period,
        previous=period.previous(),
        last_year=period.last_year(),
        generated_at=clock.now(),
    )
    registry = _indicators()
    steps = (
        ("indicators", lambda: _figures(content, registry)),
        ("trend", lambda: _trend(content, registry)),
        ("ranking", lambda: _ranking(content, registry)),
        ("categories", lambda: _categories(content)),
        ("keywords", lambda: _keywords(content)),
        ("alerts", lambda: _alerts(content)),
        ("notices", lambda: _notices(content)),
        ("problems", lambda: _problems(content)),
        ("methods", lambda: _methods(content)),
        ("findings", lambda: _findings(content)),
    )
    # JIT is off for every PostgreSQL session (settings.py), which these aggregates need.
    for name, step in steps:
        started = time.perf_counter()
        step()
        content.timings[name] = round((time.perf_counter() - started) * 1000, 1)
    return content


def period_of(kind: str, day: date) -> Period:
    return week_of(day) if kind == ReportKind.WEEKLY else month_of(day)
