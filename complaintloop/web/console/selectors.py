"""Reads behind the supervisor console (监控台): aggregate queries over the actor's data
scope only (Ticket/WorkItem ``visible_to``), a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from complaintloop.core import clock
from complaintloop.org.models import Staff, Unit
from complaintloop.tickets.models import (
    OPEN_STATUSES,
    SlaState,
    Status,
    Ticket,
    WorkItem,
    WorkItemKind,
)

LIST_LIMIT = 50
# Statuses whose clock runs (the SLA sweep's); a suspended ticket is not overdue.
RUNNING = (Status.NEW, Status.PENDING, Status.IN_PROGRESS)


def _breached(now: datetime) -> Q:
    return Q(sla_state=SlaState.BREACHED) | Q(due_at__lt=now, ticket__status__in=RUNNING)


def _near(now: datetime) -> Q:
    return ~_breached(now) & (
        Q(sla_state=SlaState.NEAR) | Q(warn_at__lte=now, ticket__status__in=RUNNING)
    )


# Column key → label and the condition on an open work item; the order is the table's.
COLUMNS = ("pending", "in_progress", "suspended", "replied", "near", "breached")


def _column_filters(now: datetime) -> dict[str, Q]:
    return {
        "pending": Q(ticket__status=Status.PENDING),
        "in_progress": Q(ticket__status=Status.IN_PROGRESS),
        "suspended": Q(ticket__status=Status.SUSPENDED),
        "replied": Q(kind=WorkItemKind.CALLBACK) | Q(ticket__status=Status.REPLIED),
        "near": _near(now),
        "breached": _breached(now),
    }


@dataclass
class UnitRow:
    unit: Unit
    counts: dict[str, int]
    total: int


@dataclass
class Counts:
    rows: list[UnitRow]
    totals: dict[str, int] = field(default_factory=dict)
    total: int = 0


def open_items(actor: Staff) -> QuerySet[WorkItem]:
    return WorkItem.objects.open().visible_to(actor)


def counts_by_unit(actor: Staff) -> Counts:
    """Open work items per holding unit and column, in one grouped query."""
    now = clock.now()
    filters = _column_filters(now)
    aggregates = {key: Count("id", filter=q) for key, q in filters.items()}
    grouped = list(open_items(actor).values("unit_id").annotate(total=Count("id"), **aggregates))
    units = Unit.objects.select_related("region").in_bulk([g["unit_id"] for g in grouped])
    rows = [
        UnitRow(units[g["unit_id"]], {key: g[key] for key in COLUMNS}, g["total"])
        for g in grouped
        if g["unit_id"] in units
    ]
    rows.sort(key=lambda r: r.unit.path)
    totals = {key: sum(r.counts[key] for r in rows) for key in COLUMNS}
    return Counts(rows=rows, totals=totals, total=sum(r.total for r in rows))


def _main_items(actor: Staff) -> QuerySet[WorkItem]:
    return (
        open_items(actor)
        .filter(kind=WorkItemKind.MAIN, ticket__status__in=RUNNING)
        .select_related("ticket", "ticket__category", "ticket__customer", "unit")
        .order_by("due_at", "id")
    )


def near_breach(actor: Staff, limit: int = LIST_LIMIT) -> list[WorkItem]:
    """临近超时: main work items past their warning time, soonest deadline first."""
    return list(_main_items(actor).filter(_near(clock.now()))[:limit])


def overdue(actor: Staff, limit: int = LIST_LIMIT) -> list[WorkItem]:
    """已超时: main work items past their deadline, longest overdue first."""
    return list(_main_items(actor).filter(_breached(clock.now()))[:limit])


def alerts(actor: Staff, limit: int = LIST_LIMIT) -> list[Ticket]:
    """VIP 与升级告警: open tickets of VIP customers, or escalated at least once."""
    return list(
        Ticket.objects.visible_to(actor)
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(customer_level="vip") | Q(escalation_level__gt=0))
        .select_related("customer", "category", "owner_unit")
        .order_by("-escalation_level", "due_at", "id")[:limit]
    )


# ---- chart data ------------------------------------------------------------------


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def intake_by_hour(actor: Staff) -> dict:
    """Tickets created per hour today and on the same weekday last week."""
    tz = timezone.get_current_timezone()
    today = clock.localtime().date()
    last_week = today - timedelta(days=7)
    ranges = Q()
    for day in (today, last_week):
        ranges |= Q(
            created_at__gte=_day_start(day), created_at__lt=_day_start(day + timedelta(days=1))
        )
    rows = (
        Ticket.objects.visible_to(actor)
        .filter(ranges)
        .annotate(hour=TruncHour("created_at", tzinfo=tz))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    series = {today: [0] * 24, last_week: [0] * 24}
    for row in rows:
        local = (
            timezone.localtime(row["hour"], tz) if timezone.is_aware(row["hour"]) else row["hour"]
        )
        if local.date() in series:
            series[local.date()][local.hour] += row["n"]
    return {
        "hours": [f"{h:02d}" for h in range(24)],
        "today": series[today],
        "last_week": series[last_week],
        "today_date": today.isoformat(),
        "last_week_date": last_week.isoformat(),
        "now_hour": clock.localtime().hour,
    }


def _region_scope(actor: Staff) -> Q:
    """The actor's region subtree (the whole province: no condition). The backlog chart
    counts a region's tickets, like the daily rollup it reads."""
    path = actor.scope_path or ""
    if not path:
        return Q(pk__in=[])
    if path == "/" or path.count("/") <= 2:
        return Q()
    return Q(region_path__startswith=path)


def _created_from_rollup(actor: Staff, dates: list) -> dict:
    """Tickets created per past day from the nightly rollup (a created-day cohort's
    ``created`` no longer changes once the day is over); days it has no rows for are
    left out and counted from the ticket table instead."""
    from complaintloop.quality.models import DailyTicketStat

    path = actor.scope_path or ""
    qs = DailyTicketStat.objects.filter(day__gte=dates[0], day__lte=dates[-1])
    if not path:
        return {}
    if not (path == "/" or path.count("/") <= 2):
        qs = qs.filter(region_path__startswith=path)
    return {r["day"]: r["n"] for r in qs.values("day").annotate(n=Sum("created")).order_by()}


def backlog_by_day(actor: Staff, days: int = 14) -> dict:
    """Per day of the last ``days``: open tickets at the day's end, created, closed.

    Indexed reads only: open tickets now (partial index), created per day from the
    daily rollup (today and days it lacks from the created_at index), closed per day
    from the closed_at index; the backlog is then walked back day by day
    (open at the end of D-1 = open at the end of D - created on D + closed on D)."""
    tz = timezone.get_current_timezone()
    today = clock.localtime().date()
    dates = [today - timedelta(days=days - 1 - i) for i in range(days)]
    start = _day_start(dates[0])
    scoped = Ticket.objects.filter(_region_scope(actor))
    created = {d: n for d, n in _created_from_rollup(actor, dates[:-1]).items() if n}
    missing = [d for d in dates if d == today or d not in created]
    if missing:
        created.update(
            {
                r["day"]: r["n"]
                for r in scoped.filter(created_at__gte=_day_start(missing[0]))
                .annotate(day=TruncDate("created_at", tzinfo=tz))
                .values("day")
                .annotate(n=Count("id"))
                .order_by()
                if r["day"] in missing
            }
        )
    closed = {
        r["day"]: r["n"]
        for r in scoped.filter(closed_at__gte=start)
        .annotate(day=TruncDate("closed_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    }
    backlog = [0] * len(dates)
    open_now = scoped.exclude(status=Status.CLOSED).count()
    running = open_now
    for i in range(len(dates) - 1, -1, -1):
        # Never below zero, even if a stale rollup disagrees with the ticket table.
        backlog[i] = max(running, 0)
        running = running - created.get(dates[i], 0) + closed.get(dates[i], 0)
    return {
        "days": [d.isoformat() for d in dates],
        "backlog": backlog,
        "created": [created.get(d, 0) for d in dates],
        "closed": [closed.get(d, 0) for d in dates],
    }


def load_tree(actor: Staff) -> list[dict]:
    """Open work items per unit as a tree (ancestors included) for a treemap:
    ``value`` is the count, ``breached`` the overdue share of it."""
    now = clock.now()
    grouped = list(
        open_items(actor)
        .values("unit_path")
        .annotate(total=Count("id"), breached=Count("id", filter=_breached(now)))
    )
    paths: set[str] = set()
    for g in grouped:
        codes = g["unit_path"].strip("/").split("/")
        paths.update("/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes)))
    names = dict(Unit.objects.filter(path__in=paths).values_list("path", "name"))
    nodes: dict[str, dict] = {
        p: {"name": names.get(p, p.strip("/").split("/")[-1]), "path": p, "own": 0, "bad": 0}
        for p in paths
    }
    for g in grouped:
        nodes[g["unit_path"]]["own"] += g["total"]
        nodes[g["unit_path"]]["bad"] += g["breached"]
    children: dict[str, list[str]] = {p: [] for p in paths}
    roots = []
    for p in sorted(paths):
        parent = p[: p.rstrip("/").rfind("/") + 1]
        (children[parent].append(p) if parent in children else roots.append(p))

    def build(p: str) -> dict:
        kids = [build(c) for c in children[p]]
        node = nodes[p]
        total = node["own"] + sum(k["value"] for k in kids)
        bad = node["bad"] + sum(k["breached"] for k in kids)
        if kids and node["own"]:
            # Items held by the parent itself, as a leaf so the parent's area adds up.
            kids.append(
                {
                    "name": node["name"],
                    "value": node["own"],
                    "breached": node["bad"],
                    "share": round(node["bad"] / node["own"], 3),
                    "path": p,
                }
            )
        out = {
            "name": node["name"],
            "path": p,
            "value": total,
            "breached": bad,
            "share": round(bad / total, 3) if total else 0,
        }
        if kids:
            out["children"] = kids
        return out

    tree = [build(r) for r in roots]
    # Skip lone ancestors (the province, one's own city) so the chart opens on the
    # level where the load actually differs.
    while len(tree) == 1 and tree[0].get("children"):
        tree = tree[0]["children"]
    return tree
