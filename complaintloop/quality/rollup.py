"""The daily rollup (DailyTicketStat): per created-day cohort and dimension, the
counts indicators need.

Kept up to date incrementally: ticket events reach ``apply_tickets`` (an outbox batch
consumer: all the events a worker takes in one poll at once), which recomputes those
tickets' contributions (dimension key, which measures they count in, their facts) with
the same filters the indicators use, subtracts the contributions recorded in
``TicketContribution``, adds the new ones and writes each touched day row once. The
ticket rows are locked meanwhile, so events of one ticket apply one after the other;
applying the same event twice, or events out of order, changes nothing (a contribution
is read from the ticket's current state, not from the event).

``rollup_day`` / ``rebuild`` recompute days from the ticket table (the nightly
reconciliation and the ``rebuild_rollups`` command); they write the same rows and
contributions from the same per-ticket computation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Max, Min, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from complaintloop.core import calendar, clock, outbox
from complaintloop.core.models import Outbox
from complaintloop.tickets.models import Ticket

from . import engine, formulas, worktime
from .models import DailyTicketStat, TicketContribution

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
    # Appended (bits are positions): the flags a ticket's own row cannot answer cheaply.
    "handled": {"handled": True},
    "repeat": {"repeat": True},
    "suspended": {"suspended": True},
}
NAMES = ("created", *MEASURES)
# Bit of each measure in TicketContribution.measures ("created" is implied by a row).
BITS = {name: 1 << i for i, name in enumerate(MEASURES)}
KEY_FIELDS = ("day", "region_id", "category_l1", "channel", "order_type", "accepting_unit_id")
# Tickets keep changing for weeks after they are created (callbacks, reopening); the
# incremental consumer follows them, the nightly run only reconciles a trailing window.
TRAILING_DAYS = 35

Key = tuple  # (day, region_id, category_l1, channel, order_type, accepting_unit_id)


_columns: dict[str, Case] = {}


def _flag_columns() -> dict[str, Case]:
    """The per-measure CASE columns, built once: assembling the 19 filters' ORM
    expressions cost more CPU than the query itself (the consumer runs per event)."""
    if not _columns:
        _columns.update(_build_flag_columns())
    return _columns


def _build_flag_columns() -> dict[str, Case]:
    return {
        f"m_{name}": Case(
            When(formulas.to_q(spec, paths={}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for name, spec in MEASURES.items()
    }


# Bumped when the fact columns change meaning (TicketContribution.facts_version).
# 2: the level recorded on the ticket (what the engine filters), not the customer's now.
FACTS_VERSION = 2


@dataclass
class Contribution:
    ticket_id: int
    key: Key
    region_path: str
    bits: int
    facts: dict

    def row(self, *, applied_at: datetime, event_id: int = 0) -> TicketContribution:
        return TicketContribution(
            ticket_id=self.ticket_id,
            **_key_filter(self.key),
            **self.facts,
            region_path=self.region_path,
            measures=self.bits,
            event_id=event_id,
            applied_at=applied_at,
        )


def _contributions(tickets: QuerySet) -> Iterable[Contribution]:
    """Each ticket's key, measure bits and facts, one query per 5,000 tickets."""
    rows = tickets.annotate(**_flag_columns()).values(
        "id",
        "created_at",
        "resolved_at",
        "first_response_at",
        "suspended_minutes",
        "region_id",
        "region_path",
        "category_path",
        "channel",
        "order_type__code",
        "accepting_unit_id",
        "owner_unit_id",
        "customer_level",
        *(f"m_{name}" for name in MEASURES),
    )
    chunk: list[dict] = []
    for row in rows.order_by().iterator(chunk_size=5000):
        chunk.append(row)
        if len(chunk) == 5000:
            yield from _chunk(chunk)
            chunk = []
    yield from _chunk(chunk)


def _chunk(rows: list[dict]) -> Iterable[Contribution]:
    handling = _durations(rows, "resolved_at")
    first_response = _durations(rows, "first_response_at")
    for row in rows:
        bits = 0
        for name, bit in BITS.items():
            if row[f"m_{name}"]:
                bits |= bit
        key = (
            timezone.localtime(row["created_at"]).date(),
            row["region_id"],
            engine.category_l1(row["category_path"]),
            row["channel"],
            row["order_type__code"],
            row["accepting_unit_id"],
        )
        working, natural = handling.get(row["id"], (None, None))
        facts = {
            "category_path": row["category_path"] or "",
            "owner_unit_id": row["owner_unit_id"],
            "customer_level": row["customer_level"] or "",
            "handling_minutes": working,
            "handling_natural_minutes": natural,
            "first_response_minutes": first_response.get(row["id"], (None, None))[0],
            "suspended_minutes": int(row["suspended_minutes"] or 0),
            "facts_version": FACTS_VERSION,
        }
        yield Contribution(row["id"], key, row["region_path"], bits, facts)


def _durations(rows: list[dict], end: str) -> dict[int, tuple[int, int]]:
    """(working, natural) minutes from creation to ``end`` of the tickets where the
    engine counts one (``engine._minutes``: both set, end not before start)."""
    kept = [r for r in rows if r[end] is not None and r[end] >= r["created_at"]]
    if not kept:
        return {}
    starts = [r["created_at"] for r in kept]
    ends = [r[end] for r in kept]
    working = worktime.working_minutes(starts, ends).tolist()
    return {
        r["id"]: (int(w), int((b - a).total_seconds() // 60))
        for r, a, b, w in zip(kept, starts, ends, working, strict=True)
    }


def _counts(bits: int, sign: int) -> dict[str, int]:
    counts = {"created": sign}
    counts.update({name: sign for name, bit in BITS.items() if bits & bit})
    return counts


def _key_filter(key: Key) -> dict:
    return dict(zip(KEY_FIELDS, key, strict=True))


def _remove(key: Key, counts: dict[str, int], now: datetime) -> None:
    """Take tickets' counts (negative) off their day row; a row left without tickets
    goes, as a rebuild would not write it. No row: a rebuild ran meanwhile, nothing to
    take off."""
    rows = DailyTicketStat.objects.filter(**_key_filter(key))
    if rows.update(**{name: F(name) + n for name, n in counts.items()}, computed_at=now):
        rows.filter(created=0).delete()


def _add(key: Key, region_path: str, counts: dict[str, int], now: datetime) -> None:
    """Add tickets' counts (positive) to their day row, creating it when it is new."""
    rows = DailyTicketStat.objects.filter(**_key_filter(key))
    updates = {name: F(name) + n for name, n in counts.items()}
    for _attempt in range(3):
        if rows.update(**updates, computed_at=now):
            return
        try:
            with transaction.atomic():
                DailyTicketStat.objects.create(
                    **_key_filter(key), region_path=region_path, computed_at=now, **counts
                )
            return
        except IntegrityError:
            continue  # another worker created the row first: add to it
    raise RuntimeError(f"rollup row {key} could not be written")


def _lock(ticket_ids: list[int]) -> list[int]:
    """Lock the tickets' rows in id order (two workers with overlapping batches then
    cannot deadlock); the ids that still exist."""
    qs = Ticket.objects.filter(pk__in=ticket_ids).order_by("pk")
    if connection.features.has_select_for_update:
        qs = qs.select_for_update()
    return list(qs.values_list("pk", flat=True))


FACT_FIELDS = tuple(
    f.attname for f in TicketContribution._meta.concrete_fields if f.attname not in ("ticket_id",)
)


@transaction.atomic
def apply_tickets(events: dict[int, int | None]) -> int:
    """Bring the rollup in line with these tickets' current state (ticket id → the
    newest event id seen for it, if known); returns how many tickets moved in the
    counts. Idempotent and safe for any events, in any order, batched or not: each
    ticket's old contribution comes off and its new one goes on, summed per day row, so
    a batch of N tickets costs two queries to read plus one update per touched row."""
    ticket_ids = _lock(sorted(events))
    if not ticket_ids:
        return 0
    old = {c.ticket_id: c for c in TicketContribution.objects.filter(ticket_id__in=ticket_ids)}
    now = clock.now()
    minus: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    plus: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    paths: dict[Key, str] = {}
    writes: list[TicketContribution] = []
    moved = 0
    for new in _contributions(Ticket.objects.filter(pk__in=ticket_ids)):
        before = old.get(new.ticket_id)
        event_id = max(events.get(new.ticket_id) or 0, before.event_id if before else 0)
        counted_same = before is not None and before.key == new.key and before.measures == new.bits
        facts_same = before is not None and all(
            getattr(before, f) == v for f, v in new.facts.items()
        )
        if counted_same and facts_same and event_id == before.event_id:
            continue
        if not counted_same:
            moved += 1
            if before is not None:
                for name, n in _counts(before.measures, -1).items():
                    minus[before.key][name] += n
            for name, n in _counts(new.bits, 1).items():
                plus[new.key][name] += n
            paths[new.key] = new.region_path
        changed = not (counted_same and facts_same)
        writes.append(new.row(applied_at=now if changed else before.applied_at, event_id=event_id))
    # Removals first, then additions, each in key order (a stable lock order for rows).
    for key in sorted(minus, key=repr):
        _remove(key, dict(minus[key]), now)
    for key in sorted(plus, key=repr):
        _add(key, paths[key], dict(plus[key]), now)
    if writes:
        TicketContribution.objects.bulk_create(
            writes,
            update_conflicts=True,
            unique_fields=["ticket"],
            update_fields=[f for f in FACT_FIELDS],
        )
    return moved


@outbox.batch_consumer("ticket.event")
def on_ticket_events(rows: list[Outbox]) -> None:
    """All the ticket events a worker took in one poll, applied as one batch."""
    numbers = {row.payload.get("ticket") for row in rows} - {None}
    ids = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "pk"))
    events: dict[int, int | None] = {}
    for row in rows:
        ticket_id = ids.get(row.payload.get("ticket"))
        if ticket_id is not None:
            event_id = row.payload.get("event_id")
            events[ticket_id] = max(events.get(ticket_id) or 0, event_id or 0) or None
    if events:
        apply_tickets(events)


def on_ticket_event(row: Outbox) -> None:
    on_ticket_events([row])


@transaction.atomic
def rollup_day(day: date) -> int:
    """Recompute the rows (and the tickets' contributions) of tickets created on
    ``day`` from the ticket table; returns the number of rows."""
    lo, hi = engine.local_range(day, day)
    tickets = Ticket.objects.filter(created_at__gte=lo, created_at__lt=hi)
    merged: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    paths: dict[int, str] = {}
    contributions = []
    now = clock.now()
    for one in _contributions(tickets):
        paths[one.key[1]] = one.region_path
        for name, n in _counts(one.bits, 1).items():
            merged[one.key][name] += n
        contributions.append(one.row(applied_at=now))
    DailyTicketStat.objects.filter(day=day).delete()
    TicketContribution.objects.filter(day=day).delete()
    DailyTicketStat.objects.bulk_create(
        [
            DailyTicketStat(
                **_key_filter(key), region_path=paths[key[1]], computed_at=now, **counts
            )
            for key, counts in merged.items()
        ],
        batch_size=2000,
    )
    TicketContribution.objects.bulk_create(contributions, batch_size=2000)
    return len(merged)


# How far back a ticket created before an edited calendar day may still have its
# handling or first-response time running across it.
CALENDAR_RECHECK_DAYS = 60


@outbox.batch_consumer(calendar.CHANGED_TOPIC)
def on_calendar_changed(rows: list[Outbox]) -> None:
    """Working-time facts depend on the calendar: when past days are edited, recompute
    the days of tickets whose durations may cross them (a future day changes no stored
    duration; deadlines are the tickets app's)."""
    dates = sorted(date.fromisoformat(d) for row in rows for d in row.payload.get("dates", []))
    today = clock.localtime().date()
    if not dates or dates[0] > today:
        return
    day, last = dates[0] - timedelta(days=CALENDAR_RECHECK_DAYS), min(dates[-1], today)
    while day <= last:
        rollup_day(day)
        day += timedelta(days=1)


def rollup_recent(today: date | None = None, *, days: int = TRAILING_DAYS) -> int:
    """The nightly reconciliation: yesterday and the trailing window before it."""
    today = today or clock.localtime().date()
    return sum(rollup_day(today - timedelta(days=n)) for n in range(1, days + 1))


def ticket_days() -> tuple[date, date] | None:
    """The first and last local created day of any ticket."""
    span = Ticket.objects.aggregate(lo=Min("created_at"), hi=Max("created_at"))
    if span["lo"] is None:
        return None
    return timezone.localtime(span["lo"]).date(), timezone.localtime(span["hi"]).date()


def rebuild(start: date | None = None, end: date | None = None, *, progress=None) -> dict:
    """Recompute every day in [start, end] (default: all days with tickets) and drop
    rows outside the tickets' days; returns {"days": n, "rows": n}."""
    span = ticket_days()
    if span is None:
        DailyTicketStat.objects.all().delete()
        TicketContribution.objects.all().delete()
        return {"days": 0, "rows": 0}
    start, end = start or span[0], end or span[1]
    if (start, end) == span:
        DailyTicketStat.objects.exclude(day__gte=start, day__lte=end).delete()
        TicketContribution.objects.exclude(day__gte=start, day__lte=end).delete()
    days = rows = 0
    day = start
    while day <= end:
        rows += rollup_day(day)
        days += 1
        if progress is not None and days % 30 == 0:
            progress(day, days, rows)
        day += timedelta(days=1)
    return {"days": days, "rows": rows}


def totals(start: date, end: date, *, scope_path: str | None = None, **dims) -> dict[str, int]:
    """Sums of the rollup over [start, end], optionally in a region subtree and for
    fixed dimension values (channel=..., order_type=..., category_l1=...)."""
    qs = DailyTicketStat.objects.filter(day__gte=start, day__lte=end, **dims)
    if scope_path and not engine.is_whole_province(scope_path):
        qs = qs.filter(Q(region_path__startswith=scope_path))
    sums = qs.aggregate(**{name: Sum(name) for name in NAMES})
    return {name: sums[name] or 0 for name in NAMES}
