"""Reads behind the quality pages: the indicator dashboard, trends, rankings and the
tickets behind a figure, all inside the reader's data scope.

Counts and rates whose filters the daily rollup can express (created-day cohorts;
order type, channel, first-level category and region dimensions; at most one measure,
or two where one implies the other) are summed from ``DailyTicketStat`` — a month of
a province is a few thousand rows instead of every ticket. Everything else goes to
the ticket table through ``engine.compute`` (the same numbers, slower); the dashboard
loads those rows after the page and caches them for a few minutes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum

from complaintloop.org.models import Staff, Unit, UnitKind
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket

from . import engine, formulas, rollup
from .models import DailyTicketStat, DateField, Direction, Indicator, Kind

FLAG_MEASURES = {
    "responded": "responded",
    "responded_on_time": "responded_on_time",
    "replied": "replied",
    "replied_on_time": "replied_on_time",
    "overdue": "overdue",
    "closed": "closed",
    "is_fcr": "fcr",
    "is_pre_handled": "pre_handled",
    "second_handling": "second_handling",
    "reopened": "reopened",
    "transferred": "transferred",
    "returned": "returned",
    "urged": "urged",
    "supervised": "supervised",
    "escalated": "escalated",
    "called_back": "called_back",
}
# A ticket counted in the key is always counted in the value too (by the filters'
# definitions in ``formulas``), so "both" is just the key.
IMPLIES = {
    "replied_on_time": "replied",
    "responded_on_time": "responded",
    "satisfied": "called_back",
    "neutral": "called_back",
    "dissatisfied": "called_back",
}
GROUPS = {"region": "region__code", "unit": "accepting_unit__code"}
ENGINE_GROUP = {"region": "region", "unit": "accepting_unit"}
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Plan:
    """How to read an indicator from the rollup: the row filter and the measure summed
    for the numerator and (for rates) the denominator."""

    dims: tuple  # sorted (column, value) pairs
    numerator: str
    denominator: str | None


def _split(spec: dict, paths: dict) -> tuple[dict, set[str]] | None:
    dims: dict[str, object] = {}
    measures: set[str] = set()
    for key, value in spec.items():
        if key in ("order_type", "channel"):
            codes = [value] if isinstance(value, str) else list(value)
            dims[f"{key}__in"] = tuple(sorted(codes))
        elif key == "category":
            path = paths.get(("category", value))
            if not path or path.count("/") != 2:  # only first-level categories are rolled up
                return None
            dims["category_l1"] = engine.category_l1(path)
        elif key == "region":
            path = paths.get(("region", value))
            if not path:
                return None
            dims["region_path__startswith"] = path
        elif key in FLAG_MEASURES and value is True:
            measures.add(FLAG_MEASURES[key])
        elif key == "satisfaction" and isinstance(value, str):
            measures.add(value)
        else:
            return None
    return dims, measures


def _one(measures: set[str]) -> str | None:
    if not measures:
        return "created"
    if len(measures) == 1:
        return next(iter(measures))
    if len(measures) == 2:
        a, b = sorted(measures)
        if IMPLIES.get(a) == b:
            return a
        if IMPLIES.get(b) == a:
            return b
    return None


_plans: dict[tuple, Plan | None] = {}


def plan(indicator: Indicator) -> Plan | None:
    """The rollup reading of the indicator, or None when only the tickets can tell.
    Memoized per definition (a saved indicator gets a new ``updated_at``)."""
    key = (indicator.pk, indicator.code, indicator.updated_at)
    if indicator.pk is None or key not in _plans:
        found = _plan(indicator)
        if indicator.pk is None:
            return found
        if len(_plans) > 2000:
            _plans.clear()
        _plans[key] = found
    return _plans[key]


def _plan(indicator: Indicator) -> Plan | None:
    if indicator.date_field != DateField.CREATED_AT:
        return None
    if indicator.kind not in (Kind.COUNT, Kind.RATE, Kind.PER_10K_CUSTOMERS):
        return None
    paths = engine.tree_paths([indicator])
    num = _split(indicator.numerator or {}, paths)
    if num is None:
        return None
    if indicator.kind != Kind.RATE:
        measure = _one(num[1])
        if measure is None:
            return None
        return Plan(tuple(sorted(num[0].items())), measure, None)
    den = _split(indicator.denominator or {}, paths)
    if den is None:
        return None
    dims = dict(den[0])
    for column, value in num[0].items():
        if column in dims and dims[column] != value:
            return None
        dims[column] = value
    den_measure = _one(den[1])
    num_measure = _one(den[1] | num[1])
    if den_measure is None or num_measure is None:
        return None
    if num[0] and set(num[0]) - set(den[0]):
        return None  # the numerator narrows the rows: the denominator would differ
    return Plan(tuple(sorted(dims.items())), num_measure, den_measure)


def _scope_filter(scope: Unit | None) -> Q:
    if scope is None or engine.is_whole_province(scope.path):
        return Q()
    return Q(region_path__startswith=scope.path)


def _sums(
    dims: tuple, start: date, end: date, scope: Unit | None, group: str | None
) -> dict[str, dict[str, int]]:
    qs = DailyTicketStat.objects.filter(_scope_filter(scope), day__gte=start, day__lte=end)
    qs = qs.filter(**dict(dims))
    sums = {name: Sum(name) for name in rollup.NAMES}
    if group is None:
        row = qs.aggregate(**sums)
        return {engine.NO_GROUP: {k: v or 0 for k, v in row.items()}}
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in qs.values(GROUPS[group]).annotate(**sums).order_by():
        key = row.pop(GROUPS[group]) or engine.NO_GROUP
        for name, value in row.items():
            found[key][name] += value or 0
    return found


def _from_rollup(
    indicator: Indicator,
    p: Plan,
    sums: dict[str, dict[str, int]],
    scope: Unit | None,
    group: str | None,
) -> dict[str, engine.Result]:
    results = {}
    customers: dict[str, int] = {}
    if indicator.kind == Kind.PER_10K_CUSTOMERS:
        customers = engine._customers(
            indicator, scope, engine.tree_paths([indicator]), by_region=group == "region"
        )
    for key, row in sums.items():
        numerator = row.get(p.numerator, 0)
        if indicator.kind == Kind.COUNT:
            denominator = None
        elif indicator.kind == Kind.RATE:
            denominator = row.get(p.denominator or "created", 0)
        else:
            denominator = customers.get(key if group == "region" else engine.NO_GROUP, 0)
        results[key] = engine._result(indicator, numerator, denominator)
    return results


def period_range(period: str, day: date) -> tuple[date, date]:
    """The day, the week (Monday–Sunday) or the month containing ``day``."""
    if period == "day":
        return day, day
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def columns(scope: Unit | None, by: str) -> list[Unit]:
    """The units the dashboard has a column for: the cities of the scope, or its
    accepting units (customer-service centres and other departments)."""
    qs = Unit.objects.filter(is_active=True)
    if scope is not None and not engine.is_whole_province(scope.path):
        qs = qs.filter(path__startswith=scope.path)
    if by == "region":
        return list(qs.filter(kind=UnitKind.CITY).order_by("path"))
    return list(qs.filter(kind=UnitKind.DEPARTMENT).order_by("path"))


def compute(
    indicator: Indicator,
    *,
    start: date,
    end: date,
    scope: Unit | None,
    by: str | None,
    sums_cache: dict | None = None,
) -> tuple[engine.Result, dict[str, engine.Result], bool]:
    """(total, per-group results, read from the rollup?) for one indicator."""
    p = plan(indicator)
    if p is not None:
        memo = sums_cache if sums_cache is not None else {}
        for group in (None, by):
            if (p.dims, group) not in memo:
                memo[(p.dims, group)] = _sums(p.dims, start, end, scope, group)
        total = _from_rollup(indicator, p, memo[(p.dims, None)], scope, None)
        groups = _from_rollup(indicator, p, memo[(p.dims, by)], scope, by) if by else {}
        empty = engine._result(indicator, *engine._empty(indicator))
        return total.get(engine.NO_GROUP, empty), groups, True
    key = ":".join(
        str(x)
        for x in (
            "quality.cell",
            indicator.code,
            indicator.updated_at.timestamp(),
            start,
            end,
            scope.code if scope else "*",
            by,
        )
    )
    hit = cache.get(key)
    if hit is None:
        total = engine.compute(indicator, start=start, end=end, scope_unit=scope)
        groups = (
            engine.compute(
                indicator, start=start, end=end, scope_unit=scope, group_by=ENGINE_GROUP[by]
            )
            if by
            else {}
        )
        hit = (total, groups)
        cache.set(key, hit, CACHE_SECONDS)
    return hit[0], hit[1], False


def dashboard(
    actor: Staff,
    indicators: list[Indicator],
    *,
    period: str,
    day: date,
    by: str,
    region: str | None = None,
    deferred: bool = True,
) -> dict:
    """One row per indicator with its total and per-column results; with ``deferred``
    the ticket-table indicators are left for the page to load after it renders."""
    from . import selectors

    scope = selectors.scope_unit(actor, region)
    start, end = period_range(period, day)
    cols = columns(scope, by)
    memo: dict = {}
    rows = []
    for indicator in indicators:
        if deferred and plan(indicator) is None:
            rows.append({"indicator": indicator, "deferred": True})
            continue
        total, groups, fast = compute(
            indicator, start=start, end=end, scope=scope, by=by, sums_cache=memo
        )
        rows.append(
            {
                "indicator": indicator,
                "deferred": False,
                "fast": fast,
                "total": total,
                "cells": [(unit, groups.get(unit.code)) for unit in cols],
            }
        )
    return {"scope": scope, "start": start, "end": end, "columns": cols, "rows": rows}


def trend(
    actor: Staff, indicator: Indicator, *, period: str, end: date, points: int, region=None
) -> dict:
    """The indicator per day/week/month over the last ``points`` periods up to ``end``."""
    from . import selectors

    scope = selectors.scope_unit(actor, region)
    last_start, last_end = period_range(period, end)
    first = last_start
    for _n in range(points - 1):
        first = period_range(period, first - timedelta(days=1))[0]
    series = []
    cursor = first
    p = plan(indicator)
    grouped: dict[str, engine.Result] = {}
    if p is None:
        computed = engine.compute(
            indicator, start=first, end=last_end, scope_unit=scope, group_by=period
        )
        grouped = computed if isinstance(computed, dict) else {}
    while cursor <= last_end:
        lo, hi = period_range(period, cursor)
        if p is not None:
            result = _from_rollup(indicator, p, _sums(p.dims, lo, hi, scope, None), scope, None)[
                engine.NO_GROUP
            ]
        else:
            label = lo.strftime("%Y-%m") if period == "month" else lo.isoformat()
            result = grouped.get(label) or engine._result(indicator, *engine._empty(indicator))
        series.append({"start": lo, "end": hi, "result": result})
        cursor = hi + timedelta(days=1)
    return {"scope": scope, "series": series, "start": first, "end": last_end}


def ranking(
    actor: Staff, indicator: Indicator, *, start: date, end: date, by: str, region=None
) -> dict:
    """Cities (``by='region'``) or handling departments (``by='handling_unit'``) ranked
    best first by the indicator's direction; groups without data go last."""
    from . import selectors

    scope = selectors.scope_unit(actor, region)
    groups = engine.compute(indicator, start=start, end=end, scope_unit=scope, group_by=by)
    units = Unit.objects.filter(code__in=list(groups)).select_related("parent")
    names = {u.code: u.name for u in units}
    parents = {u.code: u.parent.name for u in units if u.parent_id and u.kind != UnitKind.CITY}
    higher = indicator.direction == Direction.HIGHER_BETTER
    rows = [
        {
            "code": code,
            "name": names.get(code, code),
            "parent": parents.get(code, ""),
            "result": result,
        }
        for code, result in groups.items()
        if code != engine.NO_GROUP
    ]
    rows.sort(
        key=lambda r: (
            r["result"].value is None,
            -(r["result"].value or 0) if higher else (r["result"].value or 0),
            r["code"],
        )
    )
    top = max((abs(r["result"].value or 0) for r in rows), default=0) or 1
    for position, row in enumerate(rows, start=1):
        row["rank"] = position if row["result"].value is not None else None
        row["bar"] = round(100 * abs(row["result"].value or 0) / top)
    return {"scope": scope, "rows": rows}


DRILL_GROUPS = {
    "region": "region__code",
    "accepting_unit": "accepting_unit__code",
    "owner_unit": "owner_unit__code",
    "channel": "channel",
}


def tickets_behind(
    actor: Staff,
    indicator: Indicator,
    *,
    start: date,
    end: date,
    part: str = "numerator",
    group_by: str | None = None,
    key: str | None = None,
    region: str | None = None,
) -> QuerySet[Ticket]:
    """Exactly the tickets a figure counts: the numerator's (or the denominator's) of
    the indicator in the period and scope, narrowed to one group when given."""
    from . import selectors

    scope = selectors.scope_unit(actor, region)
    qs = engine._base(indicator, start, end, scope)
    paths = engine.tree_paths([indicator])
    if indicator.kind == Kind.RATE:
        qs = qs.filter(formulas.to_q(indicator.denominator or {}, paths=paths))
        if part == "numerator":
            qs = qs.filter(formulas.to_q(indicator.numerator or {}, paths=paths))
    else:
        qs = qs.filter(formulas.to_q(indicator.numerator or {}, paths=paths))
    if group_by in DRILL_GROUPS and key:
        qs = qs.filter(**{DRILL_GROUPS[group_by]: key})
    elif group_by in ("handling_unit", "handler") and key:
        column = "actor__unit__code" if group_by == "handling_unit" else "actor__username"
        qs = qs.annotate(grp_key=engine._handler(column)).filter(grp_key=key)
    elif group_by == "category_l1" and key:
        path = Category.objects.filter(code=key).values_list("path", flat=True).first()
        qs = qs.filter(category_path__startswith=path or "\x00")
    return qs.select_related("region", "category", "owner_unit", "order_type").order_by("-id")
