"""The indicator engine as reports call it, with a faster path for working-time durations.

``quality.engine`` counts working minutes ticket by ticket with ``core.calendar`` (a
Python loop over the days of each ticket): fine for a page, minutes for a monthly report
at a million tickets. Here the same definition — minutes of [start, end) that fall inside
each working day's window (WORKDAY_START–WORKDAY_END) on days the calendar table marks as
working — is computed as W(end) − W(start), where W is the cumulative working time since
the first day of the range, with numpy over all tickets at once. Everything else (counts,
rates, natural durations, stored minute columns) goes to ``engine.compute`` unchanged;
tests/reports/test_measure.py checks both paths give the engine's values."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Trunc
from django.utils import timezone

from complaintloop.core import calendar
from complaintloop.customers.models import Customer
from complaintloop.org.models import Unit
from complaintloop.quality import engine, facts, formulas, worktime
from complaintloop.quality.models import Direction, Indicator, Kind, UnitLabel
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket

DURATION_KINDS = (Kind.AVERAGE_DURATION, Kind.PERCENTILE_DURATION)
COUNTED_KINDS = (Kind.COUNT, Kind.RATE, Kind.PER_10K_CUSTOMERS)


def compute(
    indicator: Indicator,
    *,
    start: date,
    end: date,
    scope_unit: Unit | None = None,
    group_by: str | None = None,
) -> engine.Result | dict[str, engine.Result]:
    """Same contract as ``engine.compute``."""
    if not _is_fast(indicator, group_by):
        return engine.compute(
            indicator, start=start, end=end, scope_unit=scope_unit, group_by=group_by
        )
    qs = _tickets(indicator, start, end, scope_unit)
    return _durations(indicator, _working_minutes(qs, indicator.duration or {}, group_by), group_by)


def _is_fast(indicator: Indicator, group_by: str | None) -> bool:
    spec = indicator.duration or {}
    return (
        indicator.kind in DURATION_KINDS
        and not spec.get("column")
        and spec.get("basis", "working") == "working"
        and group_by not in engine.TIME_GROUPS
    )


def _durations(indicator: Indicator, minutes: dict[str, list[int]], group_by: str | None):
    if indicator.kind == Kind.PERCENTILE_DURATION:
        parts = {
            k: (engine.nearest_rank(v, indicator.percentile or 90), len(v))
            for k, v in minutes.items()
        }
    else:
        parts = {k: (float(sum(v)), len(v)) for k, v in minutes.items()}
    results = {key: result(indicator, *part) for key, part in parts.items()}
    if group_by is None:
        return results.get(engine.NO_GROUP) or result(indicator, 0, 0)
    return dict(sorted(results.items()))


def _tickets(indicator: Indicator, start: date, end: date, scope_unit: Unit | None) -> QuerySet:
    """The tickets the engine would measure (date range, scope, numerator filter)."""
    lo, hi = engine.local_range(start, end)
    field = indicator.date_field
    qs = engine.in_scope(
        Ticket.objects.filter(**{f"{field}__gte": lo, f"{field}__lt": hi}), scope_unit
    )
    codes = formulas.tree_codes(indicator.numerator or {})
    paths: dict[tuple[str, str], str | None] = {}
    found = dict(Category.objects.filter(code__in=codes["category"]).values_list("code", "path"))
    units = dict(Unit.objects.filter(code__in=codes["region"]).values_list("code", "path"))
    paths.update({("category", c): found.get(c) for c in codes["category"]})
    paths.update({("region", c): units.get(c) for c in codes["region"]})
    return qs.filter(formulas.to_q(indicator.numerator or {}, paths=paths))


def _working_minutes(qs: QuerySet, spec: dict, group_by: str | None) -> dict[str, list[int]]:
    column = engine.GROUP_COLUMNS.get(group_by) if group_by else None
    if connection.vendor == "postgresql":
        return _working_minutes_pg(qs, spec, column, group_by)
    fields = [spec["from"], spec["to"]]
    rows = list(qs.values_list(*([column] if column else []), *fields))
    if column:
        keys = [_label(r[0], group_by) for r in rows]
        pairs = [r[1:] for r in rows]
    else:
        keys = [engine.NO_GROUP] * len(rows)
        pairs = rows
    kept = [(k, a, b) for k, (a, b) in zip(keys, pairs, strict=True) if a and b and b >= a]
    out: dict[str, list[int]] = defaultdict(list)
    if not kept:
        return out
    minutes = worktime.working_minutes([a for _, a, _ in kept], [b for _, _, b in kept])
    for (key, _a, _b), value in zip(kept, minutes.tolist(), strict=True):
        out[key].append(int(value))
    return out


class _EpochMicros(Func):
    """Microseconds since 1970-01-01 of a timestamp (PostgreSQL), an exact integer."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


class _LocalEpochMicros(Func):
    """The same of the local wall time in ``zone`` (UTC + the zone's offset then)."""

    arg_joiner = " AT TIME ZONE "
    template = "(EXTRACT(EPOCH FROM (%(expressions)s)) * 1000000)::bigint"
    output_field = BigIntegerField()


def _working_minutes_pg(qs: QuerySet, spec: dict, column: str | None, group_by: str | None):
    """The PostgreSQL path: the database keeps the pairs the engine keeps (both set, end
    not before start) and sends integers instead of timestamps — parsing and converting
    ~a million timestamps was most of a monthly report's Python time. The local seconds
    are those ``_local_seconds`` computes (UTC seconds as a float, plus the offset)."""
    zone = timezone.get_current_timezone_name()
    a, b = spec["from"], spec["to"]
    qs = qs.filter(**{f"{a}__isnull": False, f"{b}__isnull": False, f"{b}__gte": F(a)})
    qs = qs.annotate(
        _a=_EpochMicros(a),
        _al=_LocalEpochMicros(a, Value(zone)),
        _b=_EpochMicros(b),
        _bl=_LocalEpochMicros(b, Value(zone)),
    )
    rows = list(qs.values_list(*([column] if column else []), "_a", "_al", "_b", "_bl"))
    out: dict[str, list[int]] = defaultdict(list)
    if not rows:
        return out
    first = 1 if column else 0
    values = np.array([r[first:] for r in rows], dtype=np.int64)
    utc_a, local_a, utc_b, local_b = values.T

    def local_seconds(utc: np.ndarray, local: np.ndarray) -> np.ndarray:
        return utc / 1e6 + ((local - utc) // 1_000_000).astype(np.float64)

    minutes = worktime.minutes_between(local_seconds(utc_a, local_a), local_seconds(utc_b, local_b))
    if not column:
        out[engine.NO_GROUP] = minutes.tolist()
        return out
    for row, value in zip(rows, minutes.tolist(), strict=True):
        out[_label(row[0], group_by)].append(value)
    return out


def _label(value, group_by: str) -> str:
    if group_by == "category_l1":
        return engine.category_l1(value) or engine.NO_GROUP
    return value if value else engine.NO_GROUP


def _scale(indicator: Indicator, minutes: float) -> float:
    basis = (indicator.duration or {}).get("basis", "working")
    if indicator.unit == UnitLabel.HOURS:
        return minutes / 60
    if indicator.unit == UnitLabel.WORKING_DAYS:
        return minutes / (calendar.workday_minutes() if basis == "working" else 1440)
    return minutes


def result(indicator: Indicator, numerator, denominator) -> engine.Result:
    """A duration's value (the engine's scaling) and its status."""
    value = None
    if denominator:
        value = numerator / denominator if indicator.kind == Kind.AVERAGE_DURATION else numerator
        value = round(_scale(indicator, value), 4)
    return _with_status(indicator, value, numerator, denominator)


def _with_status(indicator: Indicator, value, numerator, denominator) -> engine.Result:
    """Status against target and warning lines, by the engine's rules (a lower-is-better
    value above a line breaches it)."""
    target = float(indicator.target) if indicator.target is not None else None
    warning = float(indicator.warning) if indicator.warning is not None else None
    higher = indicator.direction == Direction.HIGHER_BETTER

    def breaches(line: float | None) -> bool:
        if value is None or line is None:
            return False
        return value < line if higher else value > line

    off_target, alarm = breaches(target), breaches(warning)
    status = (
        "no_data" if value is None else "alarm" if alarm else "off_target" if off_target else "ok"
    )
    return engine.Result(
        value=value,
        numerator=numerator,
        denominator=denominator,
        status=status,
        breaches_target=off_target,
        breaches_warning=alarm,
    )


# ------------------------------------------------------------------ many at once


def compute_many(
    found: list[Indicator],
    *,
    start: date,
    end: date,
    scope_unit: Unit | None = None,
    group_by: str | None = None,
) -> dict[str, engine.Result | dict[str, engine.Result]]:
    """Several indicators over the same period and scope, by code. Counts, rates and
    per-10k figures sharing a date field come from ONE aggregate query (a filtered
    COUNT per numerator and denominator) instead of one or two queries each; the
    values are the engine's (tests/reports/test_measure.py)."""
    out = _from_facts(found, start, end, scope_unit, group_by)
    by_field: dict[str, list[Indicator]] = defaultdict(list)
    fetched: dict[str, dict[str, list[int]]] = {}
    for indicator in (i for i in found if i.code not in out):
        if indicator.kind in COUNTED_KINDS:
            by_field[indicator.date_field].append(indicator)
        elif _is_fast(indicator, group_by):
            # 平均/P90/工作日 handling time share their tickets: fetch them once.
            spec = indicator.duration or {}
            key = json.dumps([indicator.numerator, indicator.date_field, spec], sort_keys=True)
            if key not in fetched:
                qs = _tickets(indicator, start, end, scope_unit)
                fetched[key] = _working_minutes(qs, spec, group_by)
            out[indicator.code] = _durations(indicator, fetched[key], group_by)
        else:
            out[indicator.code] = compute(
                indicator, start=start, end=end, scope_unit=scope_unit, group_by=group_by
            )
    for field, group in by_field.items():
        out.update(_counted(group, field, start, end, scope_unit, group_by))
    return out


def _from_facts(found, start, end, scope_unit, group_by) -> dict:
    """The figures ``quality.facts`` answers (none when its rows do not cover the
    period), turned into results the way the engine does."""
    answered = facts.parts(found, start=start, end=end, scope_unit=scope_unit, group_by=group_by)
    if not answered:
        return {}
    by_code = {i.code: i for i in found}
    out: dict[str, engine.Result | dict[str, engine.Result]] = {}
    for code, parts in answered.items():
        indicator = by_code[code]
        if indicator.kind == Kind.PER_10K_CUSTOMERS:
            customers = _customers(
                indicator,
                scope_unit,
                engine.tree_paths([indicator]),
                by_region=group_by == "region",
            )
            key = (lambda k: k) if group_by == "region" else (lambda _k: engine.NO_GROUP)
            parts = {k: (n, customers.get(key(k), 0)) for k, (n, _none) in parts.items()}
        make = result if indicator.kind in DURATION_KINDS else counted_result
        results = {k: make(indicator, *part) for k, part in parts.items()}
        if group_by is None:
            empty = (0, None) if indicator.kind == Kind.COUNT else (0, 0)
            out[code] = results.get(engine.NO_GROUP) or make(indicator, *empty)
        else:
            out[code] = dict(sorted(results.items()))
    return out


def _counted(found, field, start, end, scope_unit, group_by) -> dict:
    lo, hi = engine.local_range(start, end)
    qs = engine.in_scope(
        Ticket.objects.filter(**{f"{field}__gte": lo, f"{field}__lt": hi}), scope_unit
    )
    paths = engine.tree_paths(found)
    hoisted: dict[str, Q] = {}
    if group_by is None:
        # Per-row subqueries (handled, repeat) once per ticket instead of once per
        # filtered COUNT that uses them: annotated, the aggregate reads the column.
        subqueries: dict[str, Exists] = {}
        hoisted = {key: _hoist(formulas.to_q({key: True}, paths={}), subqueries)
                   for key in SUBQUERY_FLAGS}  # fmt: skip
        # The LIMIT keeps PostgreSQL from pulling the annotated subquery up into the
        # aggregate (which would copy each EXISTS back into every COUNT using it).
        qs = qs.annotate(**subqueries)[:NO_LIMIT]
    aggregates = {}
    for n, indicator in enumerate(found):
        num_q = _to_q(indicator.numerator or {}, paths, hoisted)
        if indicator.kind == Kind.RATE:
            den_q = _to_q(indicator.denominator or {}, paths, hoisted)
            aggregates[f"d{n}"] = Count("id", filter=den_q or Q(pk__isnull=False))
            aggregates[f"n{n}"] = Count("id", filter=(den_q & num_q) or Q(pk__isnull=False))
        else:
            aggregates[f"n{n}"] = Count("id", filter=num_q or Q(pk__isnull=False))
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if group_by is None:
        row = qs.aggregate(**aggregates)
        sums[engine.NO_GROUP] = row
    elif group_by in engine.TIME_GROUPS:
        tz = timezone.get_current_timezone()
        rows = (
            qs.annotate(bucket=Trunc(field, group_by, tzinfo=tz))
            .values("bucket")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            key = _bucket(row.pop("bucket"), group_by)
            for name, value in row.items():
                sums[key][name] += value
    else:
        column = engine.GROUP_COLUMNS[group_by]
        for row in qs.values(column).annotate(**aggregates).order_by():
            key = _label(row.pop(column), group_by)
            for name, value in row.items():
                sums[key][name] += value
    out = {}
    for n, indicator in enumerate(found):
        # Grouped, the engine lists only groups with tickets behind the figure.
        shown = {k: v for k, v in sums.items() if group_by is None or
                 v[f"d{n}" if indicator.kind == Kind.RATE else f"n{n}"]}  # fmt: skip
        if indicator.kind == Kind.RATE:
            parts = {k: (v[f"n{n}"] or 0, v[f"d{n}"] or 0) for k, v in shown.items()}
        elif indicator.kind == Kind.COUNT:
            parts = {k: (v[f"n{n}"] or 0, None) for k, v in shown.items()}
        else:
            customers = _customers(indicator, scope_unit, paths, by_region=group_by == "region")
            parts = {
                k: (
                    v[f"n{n}"] or 0,
                    customers.get(k if group_by == "region" else engine.NO_GROUP, 0),
                )
                for k, v in shown.items()
            }
        results = {k: counted_result(indicator, *part) for k, part in parts.items()}
        if group_by is None:
            empty = (0, None) if indicator.kind == Kind.COUNT else (0, 0)
            out[indicator.code] = results.get(engine.NO_GROUP) or counted_result(indicator, *empty)
        else:
            out[indicator.code] = dict(sorted(results.items()))
    return out


SUBQUERY_FLAGS = ("handled", "repeat")
NO_LIMIT = 2**62


def _hoist(q: Q, subqueries: dict[str, Exists]) -> Q:
    """``q`` with each ``Exists`` in it replaced by a test of an annotation (added to
    ``subqueries``)."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            child = _hoist(child, subqueries)
        elif isinstance(child, Exists):
            name = f"_flag{len(subqueries)}"
            subqueries[name] = child
            child = (name, True)
        out.children.append(child)
    return out


def _to_q(spec: dict, paths: dict, hoisted: dict[str, Q]) -> Q:
    """``formulas.to_q`` with the flags in ``hoisted`` taken from there."""
    if not hoisted:
        return formulas.to_q(spec, paths=paths)
    q = Q()
    for key, value in spec.items():
        if key in hoisted:
            q &= hoisted[key] if value else ~hoisted[key]
        elif key == formulas.ANY_KEY:
            either = Q(pk__in=[])
            for sub in value:
                either |= _to_q(sub, paths, hoisted)
            q &= either
        else:
            q &= formulas.to_q({key: value}, paths=paths)
    return q


def _bucket(moment: datetime | None, group_by: str) -> str:
    if moment is None:
        return engine.NO_GROUP
    day = timezone.localtime(moment).date()
    if group_by == "day":
        return day.isoformat()
    if group_by == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return day.strftime("%Y-%m")


def _customers(indicator, scope_unit, paths, *, by_region: bool) -> dict[str, int]:
    qs = Customer.objects.filter(region__isnull=False)
    if scope_unit is not None and not engine.is_whole_province(scope_unit.path):
        qs = qs.filter(region__path__startswith=scope_unit.path)
    region = (indicator.numerator or {}).get("region")
    if region:
        qs = qs.filter(region__path__startswith=paths.get(("region", region)) or "\x00")
    if not by_region:
        return {engine.NO_GROUP: qs.count()}
    return dict(qs.values_list("region__code").annotate(n=Count("id")).order_by())


def counted_result(indicator: Indicator, numerator, denominator) -> engine.Result:
    """The engine's value of a count, rate or per-10k figure, with its status."""
    kind = indicator.kind
    if kind == Kind.COUNT:
        value: float | None = float(numerator)
    elif not denominator:
        value = None
    elif kind == Kind.RATE:
        ratio = numerator / denominator
        if indicator.complement:
            ratio = 1 - ratio
        value = ratio * 100 if indicator.unit == UnitLabel.PERCENT else ratio
    else:
        value = numerator / denominator * 10000
    return _with_status(indicator, None if value is None else round(value, 4), numerator,
                        denominator)  # fmt: skip
