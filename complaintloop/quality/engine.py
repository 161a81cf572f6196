"""Evaluate an indicator over tickets: one value, or one per group.

Counts and rates are SQL aggregates; durations fetch the two timestamps of the
matching tickets and count working minutes with ``core.calendar`` in Python (natural
minutes likewise, so both databases agree to the minute); percentiles use the
nearest-rank method (the smallest value with at least p% of values at or below it)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Trunc
from django.utils import timezone

from complaintloop.core import calendar
from complaintloop.core.cache import ttl_cached
from complaintloop.core.errors import Invalid
from complaintloop.customers.models import Customer
from complaintloop.org.models import Unit
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import EventKind, Ticket, TicketEvent

from . import formulas
from .models import Direction, Indicator, Kind, UnitLabel

GROUP_COLUMNS = {
    "region": "region__code",
    "accepting_unit": "accepting_unit__code",
    "owner_unit": "owner_unit__code",
    "channel": "channel",
    "category_l1": "category_path",
    # Who handled it and in which department: the author of the last reply (the
    # owner is cleared or handed back to the accepting centre by then).
    "handler": "grp_handler",
    "handling_unit": "grp_handling_unit",
}
TIME_GROUPS = ("day", "week", "month")
GROUP_BY = (*GROUP_COLUMNS, *TIME_GROUPS)
NO_GROUP = "-"


@dataclass(frozen=True)
class Result:
    """A computed value with what it was computed from and how it compares."""

    value: float | None
    numerator: float | None
    denominator: float | None
    status: str  # ok / off_target / alarm / no_data
    breaches_target: bool
    breaches_warning: bool

    def as_dict(self) -> dict:
        return asdict(self)


def compute(
    indicator: Indicator,
    *,
    start: date,
    end: date,
    scope_unit: Unit | None = None,
    group_by: str | None = None,
) -> Result | dict[str, Result]:
    """The indicator over tickets whose ``date_field`` falls in [start, end] (whole
    local days), inside ``scope_unit``'s subtree; grouped when ``group_by`` is given."""
    if group_by is not None and group_by not in GROUP_BY:
        raise Invalid(
            "indicator.bad_group_by",
            f"不支持的分组 / unsupported group_by: {group_by}",
            {"group_by": [f"应为 {', '.join(GROUP_BY)}"]},
        )
    if end < start:
        raise Invalid("indicator.bad_range", "结束日期早于开始日期", {"end": ["早于 start"]})
    base = _base(indicator, start, end, scope_unit)
    if group_by == "handler":
        base = base.annotate(grp_handler=_handler("actor__username"))
    elif group_by == "handling_unit":
        base = base.annotate(grp_handling_unit=_handler("actor__unit__code"))
    paths = tree_paths([indicator])
    num_q = formulas.to_q(indicator.numerator or {}, paths=paths)
    kind = indicator.kind
    if kind == Kind.COUNT:
        counts = _counts(base.filter(num_q), indicator, group_by)
        parts = {k: (n, None) for k, n in counts.items()}
    elif kind == Kind.RATE:
        den_qs = base.filter(formulas.to_q(indicator.denominator or {}, paths=paths))
        dens = _counts(den_qs, indicator, group_by)
        nums = _counts(den_qs.filter(num_q), indicator, group_by)
        parts = {k: (nums.get(k, 0), d) for k, d in dens.items()}
    elif kind == Kind.PER_10K_CUSTOMERS:
        nums = _counts(base.filter(num_q), indicator, group_by)
        customers = _customers(indicator, scope_unit, paths, by_region=group_by == "region")
        parts = {
            k: (n, customers.get(k if group_by == "region" else NO_GROUP, 0))
            for k, n in nums.items()
        }
    else:
        parts = _durations(base.filter(num_q), indicator, group_by)
    results = {key: _result(indicator, *part) for key, part in parts.items()}
    if group_by is None:
        return results.get(NO_GROUP) or _result(indicator, *_empty(indicator))
    return dict(sorted(results.items()))


def _empty(indicator: Indicator) -> tuple:
    if indicator.kind == Kind.COUNT:
        return 0, None
    return 0, 0


def local_range(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time(0, 0), tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=tz),
    )


def _base(indicator: Indicator, start: date, end: date, scope_unit: Unit | None) -> QuerySet:
    lo, hi = local_range(start, end)
    field = indicator.date_field
    return in_scope(Ticket.objects.filter(**{f"{field}__gte": lo, f"{field}__lt": hi}), scope_unit)


def in_scope(qs: QuerySet, scope_unit: Unit | None) -> QuerySet:
    """Rows (tickets, or anything with a ``region_path``) within the unit's region."""
    if scope_unit is not None and not is_whole_province(scope_unit.path):
        qs = qs.filter(region_path__startswith=scope_unit.path)
    return qs


def _handler(column: str) -> Subquery:
    """``column`` of whoever sent the last reply (回复): the handler and their unit.
    Events, not work items, because imported and migrated tickets have no work items
    and the owner unit returns to the accepting centre for the callback."""
    replies = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), kind=EventKind.REPLIED, actor__isnull=False
    ).order_by("-seq")
    return Subquery(replies.values(column)[:1])


def is_whole_province(path: str) -> bool:
    return path == "/" or path.count("/") <= 2


def tree_paths(indicators: Iterable[Indicator]) -> dict[tuple[str, str], str | None]:
    """The stored path of every category and region code the indicators' filters
    name (None for an unknown code), in two queries."""
    specs = [s for i in indicators for s in (i.numerator or {}, i.denominator or {})]
    codes = formulas.tree_codes(*specs)
    found = dict(Category.objects.filter(code__in=codes["category"]).values_list("code", "path"))
    units = dict(Unit.objects.filter(code__in=codes["region"]).values_list("code", "path"))
    paths: dict[tuple[str, str], str | None] = {}
    paths.update({("category", c): found.get(c) for c in codes["category"]})
    paths.update({("region", c): units.get(c) for c in codes["region"]})
    return paths


def _bucket(moment: datetime | None, group_by: str) -> str:
    if moment is None:
        return NO_GROUP
    return day_bucket(timezone.localtime(moment).date(), group_by)


def day_bucket(day: date, group_by: str) -> str:
    """The time group key of a local day: the day, its week's Monday, or its month."""
    if group_by == "day":
        return day.isoformat()
    if group_by == "week":
        return (day - timedelta(days=day.weekday())).isoformat()  # the week's Monday
    return day.strftime("%Y-%m")


def category_l1(path: str | None) -> str:
    return path.strip("/").split("/")[0] if path else ""


def _label(value, group_by: str) -> str:
    if group_by == "category_l1":
        return category_l1(value) or NO_GROUP
    return value if value else NO_GROUP


def _counts(qs: QuerySet, indicator: Indicator, group_by: str | None) -> dict[str, int]:
    if group_by is None:
        return {NO_GROUP: qs.count()}
    totals: dict[str, int] = defaultdict(int)
    if group_by in TIME_GROUPS:
        rows = (
            qs.annotate(
                bucket=Trunc(indicator.date_field, group_by, tzinfo=timezone.get_current_timezone())
            )
            .values_list("bucket")
            .annotate(n=Count("id"))
            .order_by()
        )
        for bucket, n in rows:
            totals[_bucket(bucket, group_by)] += n
    else:
        column = GROUP_COLUMNS[group_by]
        for value, n in qs.values_list(column).annotate(n=Count("id")).order_by():
            totals[_label(value, group_by)] += n
    return dict(totals)


@ttl_cached(300)
def _customers_per_region() -> list[tuple[str, str, int]]:
    """(region code, region path, customers): the customer base changes slowly and the
    per-region count is a 250k-row scan at 1M tickets, so it is read every 5 minutes."""
    rows = (
        Customer.objects.filter(region__isnull=False)
        .values_list("region__code", "region__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(rows)


def _customers(
    indicator: Indicator, scope_unit: Unit | None, paths: dict, *, by_region: bool
) -> dict[str, int]:
    prefixes = []
    if scope_unit is not None and not is_whole_province(scope_unit.path):
        prefixes.append(scope_unit.path)
    region = (indicator.numerator or {}).get("region")
    if region:
        prefixes.append(paths.get(("region", region)) or "\x00")
    counts: dict[str, int] = defaultdict(int)
    for code, path, n in _customers_per_region():
        if all(path.startswith(prefix) for prefix in prefixes):
            counts[code if by_region else NO_GROUP] += n
    if not by_region:
        return {NO_GROUP: counts.get(NO_GROUP, 0)}
    return dict(counts)


def _durations(
    qs: QuerySet, indicator: Indicator, group_by: str | None
) -> dict[str, tuple[float | None, int]]:
    spec = indicator.duration or {}
    column = spec.get("column")
    fields = [column] if column else [spec["from"], spec["to"]]
    key_field = None
    if group_by in TIME_GROUPS:
        key_field = indicator.date_field
    elif group_by is not None:
        key_field = GROUP_COLUMNS[group_by]
    values = qs.values_list(*([key_field] if key_field else []), *fields)
    minutes: dict[str, list[int]] = defaultdict(list)
    for row in values:
        if key_field is None:
            key, data = NO_GROUP, row
        elif group_by in TIME_GROUPS:
            key, data = _bucket(row[0], group_by), row[1:]
        else:
            key, data = _label(row[0], group_by), row[1:]
        value = _minutes(data, spec)
        if value is not None:
            minutes[key].append(value)
    if indicator.kind == Kind.PERCENTILE_DURATION:
        return {
            k: (nearest_rank(v, indicator.percentile or 90), len(v)) for k, v in minutes.items()
        }
    return {k: (float(sum(v)), len(v)) for k, v in minutes.items()}


def _minutes(data: Iterable, spec: dict) -> int | None:
    data = list(data)
    if spec.get("column"):
        return int(data[0] or 0)
    begin, finish = data
    if begin is None or finish is None or finish < begin:
        return None
    if spec.get("basis", "working") == "natural":
        return int((finish - begin).total_seconds() // 60)
    return calendar.working_minutes_between(begin, finish)


def nearest_rank(values: list[int], percentile: int) -> int:
    ordered = sorted(values)
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]


def _scale(indicator: Indicator, minutes: float) -> float:
    basis = (indicator.duration or {}).get("basis", "working")
    if indicator.unit == UnitLabel.HOURS:
        return minutes / 60
    if indicator.unit == UnitLabel.WORKING_DAYS:
        return minutes / (calendar.workday_minutes() if basis == "working" else 1440)
    return minutes


def _value(indicator: Indicator, numerator, denominator) -> float | None:
    kind = indicator.kind
    if kind == Kind.COUNT:
        return float(numerator)
    if not denominator:
        return None
    if kind == Kind.RATE:
        ratio = numerator / denominator
        if indicator.complement:
            ratio = 1 - ratio
        return ratio * 100 if indicator.unit == UnitLabel.PERCENT else ratio
    if kind == Kind.PER_10K_CUSTOMERS:
        return numerator / denominator * 10000
    if kind == Kind.AVERAGE_DURATION:
        return _scale(indicator, numerator / denominator)
    return _scale(indicator, numerator)  # percentile: the numerator is the ranked value


def _result(indicator: Indicator, numerator, denominator) -> Result:
    value = _value(indicator, numerator, denominator)
    if value is not None:
        value = round(value, 4)
    target = float(indicator.target) if indicator.target is not None else None
    warning = float(indicator.warning) if indicator.warning is not None else None
    higher = indicator.direction == Direction.HIGHER_BETTER

    def breaches(line: float | None) -> bool:
        if value is None or line is None:
            return False
        return value < line if higher else value > line

    off_target, alarm = breaches(target), breaches(warning)
    if value is None:
        status = "no_data"
    elif alarm:
        status = "alarm"
    elif off_target:
        status = "off_target"
    else:
        status = "ok"
    return Result(
        value=value,
        numerator=numerator,
        denominator=denominator,
        status=status,
        breaches_target=off_target,
        breaches_warning=alarm,
    )
