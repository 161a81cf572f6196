"""Scorecards (考核, R27): departments and staff scored on weighted lines, each an
indicator scored against its target or an internal-evaluation average; a month's
ranking within the reader's data scope. Reads only (the weights are written by
``services``).

Scoring, so a reader can check a line by hand:
- an indicator that meets its target scores 100; each step beyond the target costs
  40 points per distance between target and warning line (at the warning line: 60),
  never below 0; without a warning line the step is 20% of the target (at least 1);
- an evaluation line scores the average rating × 20 (5 → 100);
- the total is Σ weight × score / Σ weight over the lines that have data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Count

from complaintloop.org.models import Staff, Unit, UnitKind

from . import engine, selectors
from .models import (
    Direction,
    Evaluation,
    EvaluationSide,
    Indicator,
    ScorecardItem,
    ScoreSource,
    Subject,
)

DEFAULT_ITEMS = [
    (Subject.DEPARTMENT, ScoreSource.INDICATOR, "timely_handling_rate", 30),
    (Subject.DEPARTMENT, ScoreSource.INDICATOR, "satisfaction_rate", 25),
    (Subject.DEPARTMENT, ScoreSource.INDICATOR, "overdue_rate", 10),
    (Subject.DEPARTMENT, ScoreSource.INDICATOR, "redispatch_rate", 10),
    (Subject.DEPARTMENT, ScoreSource.HANDLING_EVALUATION, None, 15),
    (Subject.DEPARTMENT, ScoreSource.DISPATCH_EVALUATION, None, 10),
    (Subject.STAFF, ScoreSource.INDICATOR, "timely_handling_rate", 35),
    (Subject.STAFF, ScoreSource.INDICATOR, "satisfaction_rate", 30),
    (Subject.STAFF, ScoreSource.HANDLING_EVALUATION, None, 25),
    (Subject.STAFF, ScoreSource.DISPATCH_EVALUATION, None, 10),
]
EVALUATION_SIDES = {
    ScoreSource.HANDLING_EVALUATION: EvaluationSide.HANDLING,
    ScoreSource.DISPATCH_EVALUATION: EvaluationSide.DISPATCH,
}


def load_defaults(apps=None) -> int:
    """Create the default lines that are missing (idempotent)."""
    if apps is None:
        item_model, indicator_model = ScorecardItem, Indicator
    else:
        item_model = apps.get_model("quality", "ScorecardItem")
        indicator_model = apps.get_model("quality", "Indicator")
    created = 0
    for subject, source, code, weight in DEFAULT_ITEMS:
        indicator = indicator_model.objects.filter(code=code).first() if code else None
        if code and indicator is None:
            continue
        _, new = item_model.objects.get_or_create(
            subject=subject, source=source, indicator=indicator, defaults={"weight": weight}
        )
        created += new
    return created


def indicator_score(indicator: Indicator, value: float | None) -> float | None:
    if value is None or indicator.target is None:
        return None
    target = float(indicator.target)
    gap = (target - value) if indicator.direction == Direction.HIGHER_BETTER else value - target
    if gap <= 0:
        return 100.0
    if indicator.warning is not None and indicator.warning != indicator.target:
        step = abs(float(indicator.warning) - target)
    else:
        step = max(abs(target) * 0.2, 1.0)
    return round(max(0.0, 100.0 - 40.0 * gap / step), 1)


@dataclass
class Line:
    item: ScorecardItem
    value: float | None = None
    basis: float | None = None  # tickets or ratings behind the value
    score: float | None = None


@dataclass
class Row:
    key: str
    name: str
    unit: str
    lines: list[Line] = field(default_factory=list)
    total: float | None = None
    rank: int | None = None


def month_range(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def items(subject: str) -> list[ScorecardItem]:
    return list(
        ScorecardItem.objects.filter(subject=subject, is_active=True).select_related("indicator")
    )


def scorecard(actor: Staff, *, subject: str, month: date, region: str | None = None) -> dict:
    """The month's scorecard rows, ranked, within the actor's data scope."""
    scope = selectors.scope_unit(actor, region)
    start, end = month_range(month)
    lines = items(subject)
    if subject == Subject.DEPARTMENT:
        subjects = _departments(scope)
        group_by, eval_key = "handling_unit", "rated_unit__code"
    else:
        subjects = _staff(scope)
        group_by, eval_key = "handler", "rated_staff__username"
    per_item: dict[int, dict[str, tuple[float | None, float | None]]] = {}
    for item in lines:
        if item.source == ScoreSource.INDICATOR and item.indicator and item.indicator.is_active:
            groups = engine.compute(
                item.indicator, start=start, end=end, scope_unit=scope, group_by=group_by
            )
            per_item[item.pk] = {
                k: (r.value, r.denominator if r.denominator is not None else r.numerator)
                for k, r in groups.items()
            }
        elif item.source in EVALUATION_SIDES:
            per_item[item.pk] = _evaluations(
                scope, start, end, EVALUATION_SIDES[item.source], eval_key
            )
    # Those who handled or were rated in scope this month (others have nothing to score).
    keys = {k for values in per_item.values() for k in values if k in subjects}
    rows = []
    for key in sorted(keys):
        name, unit = subjects.get(key, (key, ""))
        row = Row(key=key, name=name, unit=unit)
        weighted = weights = 0.0
        for item in lines:
            value, basis = per_item.get(item.pk, {}).get(key, (None, None))
            if item.source == ScoreSource.INDICATOR:
                score = indicator_score(item.indicator, value) if item.indicator else None
            else:
                score = round(value * 20, 1) if value is not None else None
            row.lines.append(Line(item=item, value=value, basis=basis, score=score))
            if score is not None:
                weighted += float(item.weight) * score
                weights += float(item.weight)
        row.total = round(weighted / weights, 1) if weights else None
        rows.append(row)
    rows.sort(key=lambda r: (r.total is None, -(r.total or 0), r.key))
    rank = 0
    previous = object()
    for position, row in enumerate(rows, start=1):
        if row.total is None:
            break
        if row.total != previous:
            rank, previous = position, row.total
        row.rank = rank
    return {
        "subject": subject,
        "month": start,
        "start": start,
        "end": end,
        "scope": scope,
        "items": lines,
        "rows": rows,
    }


def _departments(scope: Unit | None) -> dict[str, tuple[str, str]]:
    qs = Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).select_related("parent")
    if scope is not None and not engine.is_whole_province(scope.path):
        qs = qs.filter(path__startswith=scope.path)
    return {u.code: (u.name, u.parent.name if u.parent_id else "") for u in qs}


def _staff(scope: Unit | None) -> dict[str, tuple[str, str]]:
    qs = Staff.objects.filter(is_active=True, unit__isnull=False).select_related("unit")
    if scope is not None and not engine.is_whole_province(scope.path):
        qs = qs.filter(unit__path__startswith=scope.path)
    return {s.username: (str(s), s.unit.name) for s in qs}


def _evaluations(
    scope: Unit | None, start: date, end: date, side: str, key: str
) -> dict[str, tuple[float | None, float | None]]:
    lo, hi = engine.local_range(start, end)
    qs = Evaluation.objects.filter(side=side, created_at__gte=lo, created_at__lt=hi)
    if scope is not None and not engine.is_whole_province(scope.path):
        qs = qs.filter(ticket__region_path__startswith=scope.path)
    found: dict[str, tuple[float | None, float | None]] = defaultdict(lambda: (None, None))
    for code, avg, n in qs.values_list(key).annotate(avg=Avg("score"), n=Count("id")).order_by():
        if code:
            found[code] = (round(float(avg), 2), n)
    return dict(found)
