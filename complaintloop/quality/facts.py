"""Indicator figures from the tickets' fact rows (``TicketContribution``) instead of the
ticket table.

A report asks for ~40 indicators over a month, the month before and a year before, a
12-month trend and a ranking. Over tickets, each period is a scan of the month's wide
rows with a correlated subquery per ticket for "handled" and "repeat"; over the facts
it is a scan of ~100-byte rows where those flags are bits, the durations are stored
minutes, and nothing is joined.

The facts answer an indicator when its date is the creation date, every filter key
maps onto a fact column or bit, its duration (if any) is one the facts store, and the
grouping is one they carry. They answer a period only when every ticket created in it
(within the scope) has a fact row of the current version — the incremental rollup
keeps them current within the outbox's lag, ``rebuild_rollups`` fills them after an
upgrade. Anything else is the engine's. tests/reports/test_measure.py checks the facts
give the engine's numbers for every built-in indicator and grouping."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.lookups import Exact

from complaintloop.org.models import Unit
from complaintloop.tickets.models import Ticket

from . import engine, formulas, rollup
from .models import Indicator, Kind, TicketContribution

# Filter flag → the rollup measure whose bit records it.
FLAG_BITS = {
    "is_fcr": "fcr",
    "is_pre_handled": "pre_handled",
    "second_handling": "second_handling",
    "supervised": "supervised",
    "escalated": "escalated",
    "handled": "handled",
    "replied": "replied",
    "closed": "closed",
    "replied_on_time": "replied_on_time",
    "overdue": "overdue",
    "responded": "responded",
    "responded_on_time": "responded_on_time",
    "reopened": "reopened",
    "transferred": "transferred",
    "returned": "returned",
    "urged": "urged",
    "suspended": "suspended",
    "called_back": "called_back",
    "repeat": "repeat",
}
CHOICE_COLUMNS = {
    "order_type": "order_type",
    "channel": "channel",
    "customer_level": "customer_level",
}
# (from, to, basis) of a duration → the fact column holding its minutes.
DURATION_COLUMNS = {
    ("created_at", "resolved_at", "working"): "handling_minutes",
    ("created_at", "resolved_at", "natural"): "handling_natural_minutes",
    ("created_at", "first_response_at", "working"): "first_response_minutes",
}
STORED_COLUMNS = {"suspended_minutes": "suspended_minutes"}
GROUP_COLUMNS = {
    "region": "region_id",
    "accepting_unit": "accepting_unit_id",
    "owner_unit": "owner_unit_id",
    "channel": "channel",
    "category_l1": "category_l1",
}
UNIT_GROUPS = ("region", "accepting_unit", "owner_unit")
COUNTED = (Kind.COUNT, Kind.RATE, Kind.PER_10K_CUSTOMERS)
DURATIONS = (Kind.AVERAGE_DURATION, Kind.PERCENTILE_DURATION)

Parts = dict[str, tuple[Any, Any]]  # group key → (numerator, denominator)


def parts(
    found: list[Indicator],
    *,
    start: date,
    end: date,
    scope_unit: Unit | None = None,
    group_by: str | None = None,
) -> dict[str, Parts] | None:
    """(numerator, denominator) per group of each indicator the facts answer, by code
    (the others are left out); None when the facts do not cover the period. Per-10k
    figures come with no denominator: the caller counts the customers."""
    if (
        group_by is not None
        and group_by not in GROUP_COLUMNS
        and group_by not in engine.TIME_GROUPS
    ):
        return None
    paths = engine.tree_paths(found)
    plans = {}
    for indicator in found:
        plan = _plan(indicator, paths)
        if plan is not None:
            plans[indicator.code] = (indicator, plan)
    if not plans:
        return {}
    facts = _facts(start, end, scope_unit)
    if not _complete(facts, start, end, scope_unit):
        return None
    column = _group_column(group_by)
    label = _labeller(group_by)  # one unit lookup for every indicator of the call
    out: dict[str, Parts] = {}
    counted = {c: p for c, p in plans.items() if p[0].kind in COUNTED}
    if counted:
        out.update(_counted(facts, counted, column, label))
    for code, (indicator, (num_q, _den_q, minutes)) in plans.items():
        if indicator.kind in DURATIONS:
            out[code] = _durations(facts, indicator, num_q, minutes, column, label)
    return out


# ------------------------------------------------------------------------ planning


def _plan(indicator: Indicator, paths: dict) -> tuple[Q, Q | None, str | None] | None:
    """(numerator Q, denominator Q, minutes column) over the facts, or None."""
    if indicator.date_field != "created_at":
        return None
    num_q = to_q(indicator.numerator or {}, paths)
    if num_q is None:
        return None
    if indicator.kind == Kind.RATE:
        den_q = to_q(indicator.denominator or {}, paths)
        return None if den_q is None else (num_q, den_q, None)
    if indicator.kind in COUNTED:
        return num_q, None, None
    if indicator.kind in DURATIONS:
        minutes = _minutes_column(indicator.duration or {})
        return None if minutes is None else (num_q, None, minutes)
    return None


def _minutes_column(spec: dict) -> str | None:
    if spec.get("column"):
        return STORED_COLUMNS.get(spec["column"])
    return DURATION_COLUMNS.get((spec.get("from"), spec.get("to"), spec.get("basis", "working")))


def _bit(name: str) -> Q:
    bit = rollup.BITS[name]
    return Q(Exact(F("measures").bitand(bit), bit))


def to_q(spec: dict, paths: dict) -> Q | None:
    """``formulas.to_q`` over the facts, or None when a key has no fact column."""
    q = Q()
    for key, value in spec.items():
        if key in CHOICE_COLUMNS:
            q &= Q(**{f"{CHOICE_COLUMNS[key]}__in": formulas._codes(value)})
        elif key == "satisfaction":
            either = Q(pk__in=[])
            for answer in formulas._codes(value) or []:
                if answer not in rollup.BITS:
                    return None
                either |= _bit(answer)
            q &= either
        elif key in formulas.TREE_KEYS:
            path = paths.get((key, value))
            q &= Q(pk__in=[]) if path is None else Q(**{f"{key}_path__startswith": path})
        elif key in FLAG_BITS:
            q &= _bit(FLAG_BITS[key]) if value else ~_bit(FLAG_BITS[key])
        elif key == formulas.ANY_KEY:
            either = Q(pk__in=[])
            for sub in value:
                sub_q = to_q(sub, paths)
                if sub_q is None:
                    return None
                either |= sub_q
            q &= either
        else:
            return None  # status, sla_breached: only the ticket row knows
    return q


# ------------------------------------------------------------------------- reading


def _facts(start: date, end: date, scope_unit: Unit | None) -> QuerySet:
    return engine.in_scope(
        TicketContribution.objects.filter(day__gte=start, day__lte=end), scope_unit
    )


def _complete(facts: QuerySet, start: date, end: date, scope_unit: Unit | None) -> bool:
    """Every ticket created in the period has a fact row of the current version."""
    lo, hi = engine.local_range(start, end)
    tickets = engine.in_scope(
        Ticket.objects.filter(created_at__gte=lo, created_at__lt=hi), scope_unit
    )
    current = facts.filter(facts_version=rollup.FACTS_VERSION).count()
    return current == tickets.count()


def _group_column(group_by: str | None) -> str | None:
    if group_by in engine.TIME_GROUPS:
        return "day"
    return GROUP_COLUMNS.get(group_by) if group_by else None


def _labeller(group_by: str | None):
    """Fact group value → the engine's group key."""
    if group_by is None:
        return lambda _value: engine.NO_GROUP
    if group_by in engine.TIME_GROUPS:
        return lambda day: engine.day_bucket(day, group_by)
    if group_by in UNIT_GROUPS:
        codes = dict(Unit.objects.values_list("id", "code"))
        return lambda unit_id: codes.get(unit_id) or engine.NO_GROUP
    return lambda value: value or engine.NO_GROUP


def _counted(facts: QuerySet, plans: dict, column: str | None, label) -> dict:
    aggregates = {}
    for n, (indicator, (num_q, den_q, _minutes)) in enumerate(plans.values()):
        if indicator.kind == Kind.RATE:
            aggregates[f"d{n}"] = Count("pk", filter=den_q or Q(pk__isnull=False))
            aggregates[f"n{n}"] = Count("pk", filter=(den_q & num_q) or Q(pk__isnull=False))
        else:
            aggregates[f"n{n}"] = Count("pk", filter=num_q or Q(pk__isnull=False))
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if column is None:
        sums[engine.NO_GROUP].update(facts.aggregate(**aggregates))
    else:
        for row in facts.values(column).annotate(**aggregates).order_by():
            key = label(row.pop(column))
            for name, value in row.items():
                sums[key][name] += value or 0
    out = {}
    for n, (code, (indicator, _plan)) in enumerate(plans.items()):
        rate = indicator.kind == Kind.RATE
        shown = {k: v for k, v in sums.items() if column is None or v[f"d{n}" if rate else f"n{n}"]}
        out[code] = {
            k: (v[f"n{n}"] or 0, (v[f"d{n}"] or 0) if rate else None) for k, v in shown.items()
        }
    return out


def _durations(facts, indicator, num_q, minutes, column, label) -> Parts:
    rows = facts.filter(num_q, **{f"{minutes}__isnull": False})
    if indicator.kind == Kind.AVERAGE_DURATION:
        if column is None:
            found = rows.aggregate(total=Sum(minutes), n=Count("pk"))
            grouped = [(None, found["total"], found["n"])]
        else:
            grouped = rows.values_list(column).annotate(total=Sum(minutes), n=Count("pk"))
            grouped = grouped.order_by()
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for value, total, n in grouped:
            if n:
                key = label(value)
                totals[key][0] += total or 0
                totals[key][1] += n
        return {k: (float(total), n) for k, (total, n) in totals.items()}
    values: dict[str, list[int]] = defaultdict(list)
    for value, m in rows.values_list(column or "pk", minutes).order_by():
        values[label(value)].append(m)
    percentile = indicator.percentile or 90
    return {k: (engine.nearest_rank(v, percentile), len(v)) for k, v in values.items()}
