"""The daily rollup (DailyTicketStat): per created-day cohort and dimension, the
counts indicators need. ``rollup_day`` recomputes one day from the ticket table in one
transaction (delete + insert), so running it twice gives the same rows.

Later: update the current day's rows incrementally from ticket events instead of a
nightly recompute of a trailing window."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum

from complaintloop.core import clock
from complaintloop.tickets.models import Ticket

from . import engine, formulas
from .models import DailyTicketStat

# Measure → the ticket filter it counts (the same building blocks as the indicators).
MEASURES: dict[str, dict] = {
    "responded": {"responded": True},
    "responded_on_time": {"responded_on_time": True},
    "replied": {"replied": True},
    "replied_on_time": {"replied_on_time": True},
    "overdue": {"overdue": True},
    "closed": {"closed": True},
    "fcr": {"is_fcr": True},
    "pre_handled": {"is_pre_handled": True},
    "second_handling": {"second_handling": True},
    "reopened": {"reopened": True},
    "transferred": {"transferred": True},
    "returned": {"returned": True},
    "urged": {"urged": True},
    "supervised": {"supervised": True},
    "escalated": {"escalated": True},
    "called_back": {"called_back": True},
    "satisfied": {"satisfaction": "satisfied"},
    "neutral": {"satisfaction": "neutral"},
    "dissatisfied": {"satisfaction": "dissatisfied"},
}
DIMENSIONS = (
    "region",
    "region_path",
    "category_path",
    "channel",
    "order_type__code",
    "accepting_unit",
)
# Tickets keep changing for weeks after they are created (callbacks, reopening).
TRAILING_DAYS = 35


@transaction.atomic
def rollup_day(day: date) -> int:
    """Recompute the rows of tickets created on ``day``; returns the number of rows."""
    lo, hi = engine.local_range(day, day)
    tickets = Ticket.objects.filter(created_at__gte=lo, created_at__lt=hi)
    aggregates = {"created": Count("id")}
    aggregates.update(
        {name: Count("id", filter=formulas.to_q(spec, paths={})) for name, spec in MEASURES.items()}
    )
    rows = tickets.values(*DIMENSIONS).annotate(**aggregates).order_by()
    merged: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    paths: dict[int, str] = {}
    for row in rows:
        key = (
            row["region"],
            engine.category_l1(row["category_path"]),
            row["channel"],
            row["order_type__code"],
            row["accepting_unit"],
        )
        paths[row["region"]] = row["region_path"]
        for name in ("created", *MEASURES):
            merged[key][name] += row[name]
    DailyTicketStat.objects.filter(day=day).delete()
    now = clock.now()
    DailyTicketStat.objects.bulk_create(
        [
            DailyTicketStat(
                day=day,
                region_id=region,
                region_path=paths[region],
                category_l1=l1,
                channel=channel,
                order_type=order_type,
                accepting_unit_id=accepting,
                computed_at=now,
                **counts,
            )
            for (region, l1, channel, order_type, accepting), counts in merged.items()
        ]
    )
    return len(merged)


def rollup_recent(today: date | None = None, *, days: int = TRAILING_DAYS) -> int:
    """The nightly run: yesterday and the trailing window before it."""
    today = today or clock.localtime().date()
    return sum(rollup_day(today - timedelta(days=n)) for n in range(1, days + 1))


def totals(start: date, end: date, *, scope_path: str | None = None, **dims) -> dict[str, int]:
    """Sums of the rollup over [start, end], optionally in a region subtree and for
    fixed dimension values (channel=..., order_type=..., category_l1=...)."""
    qs = DailyTicketStat.objects.filter(day__gte=start, day__lte=end, **dims)
    if scope_path and not engine.is_whole_province(scope_path):
        qs = qs.filter(Q(region_path__startswith=scope_path))

    names = ("created", *MEASURES)
    sums = qs.aggregate(**{name: Sum(name) for name in names})
    return {name: sums[name] or 0 for name in names}
