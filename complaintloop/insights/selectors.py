"""Reads of the insights app: hotspots with period-over-period and year-over-year
change, two-dimensional pivots, alerts, notices, problems and their effect. Every
ticket count starts from ``Ticket.objects.visible_to(actor)``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Invalid, NotFound
from complaintloop.org.models import Staff, Unit
from complaintloop.taxonomy.models import Category, OrderType, Product, ServiceProvider
from complaintloop.tickets.models import Channel, Status, Ticket

from .models import Alert, Problem, TicketKeyword, WarningNotice

MAX_PERIOD_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True)
class Dimension:
    """A column to group tickets by, and how to name (or roll up) its values."""

    field: str
    labels: Callable[[set], dict[Any, tuple[str, str]]]  # raw value → (key, label)


def _by_model(model, key: str = "code", label: str = "name"):
    def labels(values: set) -> dict[Any, tuple[str, str]]:
        rows = model.objects.filter(pk__in=[v for v in values if v is not None])
        return {r.pk: (getattr(r, key), getattr(r, label)) for r in rows}

    return labels


def _by_choices(choices):
    def labels(values: set) -> dict[Any, tuple[str, str]]:
        names = dict(choices)
        return {v: (v, str(names.get(v, v))) for v in values if v}

    return labels


def _category_level(level: int | None):
    """Leaf categories rolled up to their ancestor at ``level`` (None: the leaf)."""

    def labels(values: set) -> dict[Any, tuple[str, str]]:
        leaves = list(Category.objects.filter(pk__in=[v for v in values if v is not None]))
        codes = {c.pk: c.path.strip("/").split("/") for c in leaves}
        wanted = {p[min(level, len(p)) - 1] if level else p[-1] for p in codes.values()}
        names = dict(Category.objects.filter(code__in=wanted).values_list("code", "full_name"))
        out = {}
        for pk, path in codes.items():
            code = path[min(level, len(path)) - 1] if level else path[-1]
            out[pk] = (code, names.get(code, code))
        return out

    return labels


DIMENSIONS: dict[str, Dimension] = {
    "region": Dimension("region_id", _by_model(Unit)),
    "category": Dimension("category_id", _category_level(None)),
    "category_l1": Dimension("category_id", _category_level(1)),
    "category_l2": Dimension("category_id", _category_level(2)),
    "category_l3": Dimension("category_id", _category_level(3)),
    "sp": Dimension("sp_id", _by_model(ServiceProvider)),
    "product": Dimension("product_id", _by_model(Product)),
    "order_type": Dimension("order_type_id", _by_model(OrderType)),
    "channel": Dimension("channel", _by_choices(Channel.choices)),
    "status": Dimension("status", _by_choices(Status.choices)),
    "customer_level": Dimension("customer_level", lambda vs: {v: (v, v) for v in vs if v}),
}
HOTSPOT_DIMENSIONS = ("keyword", "category", "category_l1", "category_l2", "region", "sp",
                      "product", "channel")  # fmt: skip


def _dimension(name: str, field: str) -> Dimension:
    dim = DIMENSIONS.get(name)
    if dim is None:
        raise Invalid(
            "insights.dimension",
            _("不支持的维度 %(d)s") % {"d": name},
            {field: sorted(DIMENSIONS)},
        )
    return dim


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The asked period, by default the last 7 days up to today."""
    end = end or timezone.localdate(clock.now())
    start = start or end - timedelta(days=6)
    for name, value in (("start", start), ("end", end)):
        if not EARLIEST <= value <= LATEST:
            raise Invalid("insights.period", _("日期超出范围"), {name: [_("无效")]})
    if start > end:
        raise Invalid("insights.period", _("开始日期晚于结束日期"), {"start": [_("无效")]})
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise Invalid("insights.period", _("期间不能超过一年"), {"start": [_("无效")]})
    return start, end


def _in(qs: QuerySet[Ticket], start: date, end: date) -> QuerySet[Ticket]:
    lo, hi = _bounds(start, end)
    return qs.filter(created_at__gte=lo, created_at__lt=hi)


def _counts(qs: QuerySet[Ticket], name: str) -> dict[str, tuple[str, int]]:
    """key → (label, count) of the tickets in ``qs`` grouped by a dimension."""
    if name == "keyword":
        rows = (
            TicketKeyword.objects.filter(ticket__in=qs.values("pk"))
            .values_list("word")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {w: (w, n) for w, n in rows}
    dim = _dimension(name, "dimension")
    raw = dict(qs.values_list(dim.field).annotate(n=Count("id")).order_by())
    names = dim.labels(set(raw))
    out: dict[str, tuple[str, int]] = {}
    for value, n in raw.items():
        if value is None or value == "":
            key, label = "", _("(未填)")
        else:
            key, label = names.get(value, (str(value), str(value)))
        out[key] = (label, out.get(key, ("", 0))[1] + n)
    return out


def _daily(
    qs: QuerySet[Ticket], name: str, start: date, days: int
) -> dict[str, tuple[str, list[int]]]:
    """key → (label, counts per day from ``start``) of the tickets in ``qs``."""
    if name == "keyword":
        rows = list(
            TicketKeyword.objects.filter(ticket__in=qs.values("pk"))
            .annotate(day=TruncDate("ticket__created_at"))
            .values_list("word", "day")
            .annotate(n=Count("id"))
            .order_by()
        )
        names = {w: (w, w) for w, _, _ in rows}
    else:
        dim = _dimension(name, "dimension")
        rows = list(
            qs.annotate(day=TruncDate("created_at"))
            .values_list(dim.field, "day")
            .annotate(n=Count("id"))
            .order_by()
        )
        names = dim.labels({v for v, _, _ in rows})
    out: dict[str, tuple[str, list[int]]] = {}
    for value, day, n in rows:
        if value is None or value == "":
            key, label = "", _("(未填)")
        else:
            key, label = names.get(value, (str(value), str(value)))
        index = (day - start).days
        if key not in out:
            out[key] = (label, [0] * days)
        if 0 <= index < days:
            out[key][1][index] += n
    return out


def _change(now: int, before: int) -> float | None:
    return round((now - before) / before, 4) if before else None


def hotspots(
    actor: Staff,
    *,
    dimension: str,
    start: date | None = None,
    end: date | None = None,
    limit: int = 10,
) -> dict[str, Any]:
    """Top values of a dimension in a period, with 环比 (the previous period of equal
    length) and 同比 (the same dates a year before)."""
    if dimension not in HOTSPOT_DIMENSIONS:
        raise Invalid(
            "insights.dimension",
            _("不支持的维度 %(d)s") % {"d": dimension},
            {"dimension": list(HOTSPOT_DIMENSIONS)},
        )
    start, end = period(start, end)
    length = (end - start).days + 1
    prev = (start - timedelta(days=length), start - timedelta(days=1))
    yoy = (_year_before(start), _year_before(end))
    scope = Ticket.objects.visible_to(actor)
    # The period's counts come from its daily series (one scan gives both).
    daily = _daily(_in(scope, start, end), dimension, start, length)
    current = {key: (label, sum(series)) for key, (label, series) in daily.items()}
    previous = _counts(_in(scope, *prev), dimension)
    last_year = _counts(_in(scope, *yoy), dimension)
    ranked = sorted(current.items(), key=lambda kv: (-kv[1][1], kv[0]))[: max(1, min(limit, 100))]
    items = []
    for key, (label, n) in ranked:
        p = previous.get(key, ("", 0))[1]
        y = last_year.get(key, ("", 0))[1]
        items.append(
            {
                "key": key,
                "label": label,
                "count": n,
                "previous": p,
                "pop_change": _change(n, p),
                "last_year": y,
                "yoy_change": _change(n, y),
                "daily": daily[key][1],
            }
        )
    return {
        "dimension": dimension,
        "start": start,
        "end": end,
        "previous_start": prev[0],
        "previous_end": prev[1],
        "total": sum(n for _, n in current.values()),
        "items": items,
    }


def _measures() -> dict[str, Q | None]:
    """What a pivot cell counts: all tickets, the overdue ones (answered after the
    deadline, or unanswered and past it) or those the customer was dissatisfied with."""
    now = clock.now()
    return {
        "count": None,
        "overdue": Q(resolved_at__gt=F("due_at")) | Q(resolved_at__isnull=True, due_at__lt=now),
        "dissatisfied": Q(satisfaction="dissatisfied"),
    }


MEASURES = ("count", "overdue", "dissatisfied")


# How a drill-down key selects tickets, per dimension ("" selects the unfilled ones).
_DRILL_FIELDS = {
    "region": ("region__code", "region__isnull"),
    "sp": ("sp__code", "sp__isnull"),
    "product": ("product__code", "product__isnull"),
    "order_type": ("order_type__code", None),
    "channel": ("channel", None),
    "status": ("status", None),
    "customer_level": ("customer_level", None),
}
DRILL_DIMENSIONS = ("keyword", "category", "category_l1", "category_l2", "category_l3",
                    *_DRILL_FIELDS)  # fmt: skip


def drill_q(dimension: str, key: str) -> Q:
    """The tickets behind one hotspot row or one pivot row/column."""
    if dimension == "keyword":
        return Q(pk__in=TicketKeyword.objects.filter(word=key).values("ticket_id"))
    if dimension.startswith("category"):
        if not key:
            return Q(category__isnull=True)
        path = Category.objects.filter(code=key).values_list("path", flat=True).first()
        return Q(category_path__startswith=path) if path else Q(pk__in=[])
    if dimension not in _DRILL_FIELDS:
        raise Invalid(
            "insights.dimension",
            _("不支持的维度 %(d)s") % {"d": dimension},
            {"dimension": list(DRILL_DIMENSIONS)},
        )
    field, null = _DRILL_FIELDS[dimension]
    if not key:
        return Q(**{null: True}) if null else Q(**{field: ""})
    return Q(**{field: key})


def drill(
    actor: Staff,
    *,
    filters: list[tuple[str, str]],
    start: date | None = None,
    end: date | None = None,
    measure: str = "count",
) -> QuerySet[Ticket]:
    """Tickets of the period in the actor's scope that match every (dimension, key)."""
    if measure not in MEASURES:
        raise Invalid("insights.measure", _("不支持的度量 %(m)s") % {"m": measure},
                      {"measure": list(MEASURES)})  # fmt: skip
    start, end = period(start, end)
    qs = _in(Ticket.objects.visible_to(actor), start, end)
    for dimension, key in filters:
        qs = qs.filter(drill_q(dimension, key))
    condition = _measures()[measure]
    if condition is not None:
        qs = qs.filter(condition)
    return qs.select_related("category", "region", "owner_unit").order_by("-created_at", "-id")


def pivot(
    actor: Staff,
    *,
    rows: str,
    cols: str,
    start: date | None = None,
    end: date | None = None,
    measure: str = "count",
) -> dict[str, Any]:
    """Counts of tickets by two whitelisted dimensions, as a matrix with totals."""
    row_dim, col_dim = _dimension(rows, "rows"), _dimension(cols, "cols")
    if measure not in MEASURES:
        raise Invalid(
            "insights.measure",
            _("不支持的度量 %(m)s") % {"m": measure},
            {"measure": list(MEASURES)},
        )
    start, end = period(start, end)
    qs = _in(Ticket.objects.visible_to(actor), start, end)
    condition = _measures()[measure]
    if condition is not None:
        qs = qs.filter(condition)
    raw = list(qs.values_list(row_dim.field, col_dim.field).annotate(n=Count("id")).order_by())
    row_names = row_dim.labels({r for r, _, _ in raw})
    col_names = col_dim.labels({c for _, c, _ in raw})
    none = ("", _("(未填)"))
    cells: Counter = Counter()
    row_labels: dict[str, str] = {}
    col_labels: dict[str, str] = {}
    for r, c, n in raw:
        rk, rl = row_names.get(r, none) if r not in (None, "") else none
        ck, cl = col_names.get(c, none) if c not in (None, "") else none
        row_labels[rk], col_labels[ck] = rl, cl
        cells[(rk, ck)] += n
    row_keys, col_keys = sorted(row_labels), sorted(col_labels)
    matrix = [[cells.get((r, c), 0) for c in col_keys] for r in row_keys]
    return {
        "rows": [{"key": k, "label": row_labels[k]} for k in row_keys],
        "cols": [{"key": k, "label": col_labels[k]} for k in col_keys],
        "matrix": matrix,
        "row_totals": [sum(line) for line in matrix],
        "col_totals": [sum(col) for col in zip(*matrix, strict=True)] if matrix else [],
        "total": sum(cells.values()),
        "start": start,
        "end": end,
        "measure": measure,
    }


def alerts(actor: Staff, *, status: str | None = None) -> QuerySet[Alert]:
    qs = Alert.objects.visible_to(actor).select_related("region", "category")
    return qs.filter(status=status) if status else qs


def notices(actor: Staff, *, status: str | None = None) -> QuerySet[WarningNotice]:
    qs = WarningNotice.objects.visible_to(actor).select_related(
        "responsible_unit", "issued_by", "responded_by", "closed_by"
    )
    return qs.filter(status=status) if status else qs


def notice(notice_id: int, actor: Staff) -> WarningNotice:
    found = notices(actor).prefetch_related("events__actor").filter(pk=notice_id).first()
    if found is None:
        raise NotFound("notice.not_found", _("预警单不存在"))
    return found


def problems(actor: Staff) -> QuerySet[Problem]:
    return Problem.objects.visible_to(actor).select_related("owner", "category", "unit")


def problem(problem_id: int, actor: Staff) -> Problem:
    found = (
        problems(actor)
        .prefetch_related("actions__owner", "links__ticket")
        .filter(pk=problem_id)
        .first()
    )
    if found is None:
        raise NotFound("problem.not_found", _("问题不存在"))
    return found


EFFECT_DAYS = 30


def _effect_tickets(item: Problem) -> QuerySet[Ticket]:
    """The problem's category, in its unit's city when the problem belongs to one."""
    qs = Ticket.objects.filter(category_path__startswith=item.category.path)
    region = item.unit.region if item.unit.region_id else None
    return qs.filter(region_path__startswith=region.path) if region else qs


def effect_series(item: Problem) -> dict[str, Any]:
    """Daily complaints of the problem's category from 30 days before its first action
    (or its creation) up to today, with the action dates to mark on the chart."""
    if item.category_id is None:
        return {"days": [], "counts": [], "marks": []}
    actions = list(item.actions.all())
    start_at = min([a.created_at for a in actions] or [item.created_at])
    first = timezone.localdate(start_at) - timedelta(days=EFFECT_DAYS)
    last = timezone.localdate(clock.now())
    lo, hi = _bounds(first, last)
    rows = dict(
        _effect_tickets(item)
        .filter(created_at__gte=lo, created_at__lt=hi)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )
    n = (last - first).days + 1
    days = [first + timedelta(days=i) for i in range(n)]
    marks = [
        {"day": timezone.localdate(a.created_at).isoformat(), "kind": "created"} for a in actions
    ] + [
        {"day": timezone.localdate(a.done_at).isoformat(), "kind": "done"}
        for a in actions
        if a.done_at
    ]
    return {
        "days": [d.isoformat() for d in days],
        "counts": [rows.get(d, 0) for d in days],
        "marks": marks,
    }


def effect(item: Problem) -> dict[str, Any]:
    """Complaints per day of the problem's category: the 30 days before the first action
    against the 30 days after the last action was done (R23 before/after)."""
    actions = list(item.actions.all())
    if item.category_id is None or not actions:
        return {"ready": False, "reason": "no category or no actions"}
    done = [a.done_at for a in actions if a.done_at]
    if len(done) < len(actions):
        return {"ready": False, "reason": "actions not all done"}
    first = min(a.created_at for a in actions)
    last = max(done)
    now = clock.now()
    after_end = min(last + timedelta(days=EFFECT_DAYS), now)
    qs = _effect_tickets(item)
    before = qs.filter(created_at__gte=first - timedelta(days=EFFECT_DAYS), created_at__lt=first)
    after = qs.filter(created_at__gte=last, created_at__lt=after_end)
    after_days = max((after_end - last).total_seconds() / 86400, 1.0)
    before_rate = before.count() / EFFECT_DAYS
    after_rate = after.count() / after_days
    return {
        "ready": True,
        "before_start": first - timedelta(days=EFFECT_DAYS),
        "before_end": first,
        "after_start": last,
        "after_end": after_end,
        "before_per_day": round(before_rate, 3),
        "after_per_day": round(after_rate, 3),
        "change": round((after_rate - before_rate) / before_rate, 4) if before_rate else None,
    }


def alert(alert_id: int, actor: Staff) -> Alert:
    found = alerts(actor).select_related("handled_by").filter(pk=alert_id).first()
    if found is None:
        raise NotFound("alert.not_found", _("预警不存在"))
    return found


FOLLOW_DAYS = 30


def evidence_chart(item: Alert, *, follow: bool = True) -> dict[str, Any]:
    """The alert's evidence as a chart: daily counts, the expected line and the control
    limit for every day (the baseline level times the weekday factor), the days that
    broke the limit, and the days since the alert (re-monitoring)."""
    from .detection import Params, control_limit, series_since

    ev = item.evidence or {}
    days = [date.fromisoformat(d) for d in ev.get("days", [])]
    counts = list(ev.get("counts", []))
    factors = ev.get("weekday_factors") or [1.0] * 7
    phi = float(ev.get("dispersion", 1.0))
    k = float((ev.get("params") or {}).get("k", Params().k))
    level = item.expected / (factors[item.day.weekday()] or 1.0)
    after: list[int | None] = [None] * len(days)
    if follow:
        today = timezone.localdate(clock.now())
        last = min(today - timedelta(days=1), item.day + timedelta(days=FOLLOW_DAYS))
        if last > item.day:
            extra = series_since(item, item.day + timedelta(days=1), last)
            after[-1] = counts[-1] if counts else None  # join the two lines at the alert day
            for d, n in extra:
                days.append(d)
                counts.append(None)
                after.append(n)
    expected = [round(level * factors[d.weekday()], 2) for d in days]
    upper = [round(control_limit(e, phi, k), 2) for e in expected]
    breaks = [
        {"day": d.isoformat(), "value": v}
        for d, v, a, u in zip(days, counts, after, upper, strict=True)
        for v in [v if v is not None else a]
        if v is not None and v > u
    ]
    return {
        "days": [d.isoformat() for d in days],
        "counts": counts,
        "after": after,
        "expected": expected,
        "upper": upper,
        "breaks": breaks,
        "alert_day": item.day.isoformat(),
        "method": item.method,
        "dispersion": phi,
        "k": k,
    }
