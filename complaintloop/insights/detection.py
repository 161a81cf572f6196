"""Early warning (R25): spikes of a (region, category) series against its own history.

Each series is the daily count of tickets of one city and one category node (the
level-2 ancestor of the ticket's category by default). For a day D the history is the
``history_days`` before D. Weekly seasonality comes from weekday factors: pooled over
all tickets (stable even for sparse series), or from a robust STL decomposition
(statsmodels) when the series itself is busy enough. The baseline is the series'
deseasonalized mean level (past spikes dropped) times the day's weekday factor. The
control limit is Poisson on the square-root scale, ``(sqrt(e+3/8) + k·sqrt(φ)/2)² − 3/8``,
with φ ≥ 1 the over-dispersion seen in the history (a c-chart that stays right for small
counts). An alert needs the count above the limit AND at least ``min_count``; an open alert of the
same series within ``quiet_days`` suppresses a new one (no flapping)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from complaintloop.core import clock
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket

from .models import ACTIVE_ALERT, Alert

SeriesKey = tuple[int, int]  # (region id, category id)


@dataclass(frozen=True)
class Params:
    history_days: int = 56
    category_level: int = 2
    k: float = 3.5
    min_count: int = 5
    quiet_days: int = 7
    stl_min_mean: float = 8.0  # series busier than this per day get their own STL season
    min_history_days: int = 14  # days with data needed before a series can alert

    @classmethod
    def from_settings(cls) -> Params:
        return cls(**getattr(settings, "INSIGHTS_EARLY_WARNING", {}))


@dataclass
class Finding:
    observed: int
    expected: float
    upper_limit: float
    score: float
    method: str
    alert: bool
    evidence: dict = field(default_factory=dict)


# ------------------------------------------------------------------ pure statistics


def weekday_factors(days: list[date], totals: list[float]) -> list[float]:
    """Multiplicative weekday effects (mean 1) from daily totals: median per weekday."""
    by_weekday: dict[int, list[float]] = defaultdict(list)
    for d, v in zip(days, totals, strict=True):
        by_weekday[d.weekday()].append(v)
    medians = [float(np.median(by_weekday[w])) if by_weekday[w] else 0.0 for w in range(7)]
    mean = sum(medians) / 7
    if mean <= 0:
        return [1.0] * 7
    return [max(m / mean, 0.2) for m in medians]


def _robust_level(values: np.ndarray, factors: np.ndarray) -> tuple[float, float]:
    """Deseasonalized mean level and dispersion φ, after dropping past spikes."""
    x = values / factors
    keep = np.ones(len(x), dtype=bool)
    for _ in range(2):  # past spikes would lift the baseline and hide the next one
        level = float(x[keep].mean())
        spread = math.sqrt(max(level, 1.0) * max(float(x[keep].var()) / max(level, 1e-9), 1.0))
        keep = x <= level + 4 * spread
    level = float(x[keep].mean())
    phi = float(x[keep].var(ddof=1)) / level if level > 0 and keep.sum() > 2 else 1.0
    return level, max(phi, 1.0)


def _stl_factors(values: np.ndarray, days: list[date]) -> list[float] | None:
    """The series' own weekday factors from a robust STL decomposition (statsmodels)."""
    from statsmodels.tsa.seasonal import STL

    try:
        fit = STL(values, period=7, robust=True).fit()
    except (ValueError, np.linalg.LinAlgError):
        return None
    mean = float(values.mean())
    seasonal = np.asarray(fit.seasonal, dtype=float)
    by_weekday: dict[int, list[float]] = defaultdict(list)
    for d, s in zip(days, seasonal, strict=True):
        by_weekday[d.weekday()].append(s)
    return [max(1.0 + float(np.mean(by_weekday[w])) / mean, 0.2) for w in range(7)]


def control_limit(expected: float, phi: float, k: float) -> float:
    """Upper limit on the square-root (Anscombe) scale, where a Poisson count is nearly
    normal with variance 1/4: right for small counts, where ``c + k·sqrt(c)`` is not."""
    return (math.sqrt(expected + 0.375) + k * math.sqrt(phi) / 2) ** 2 - 0.375


def evaluate(
    day: date,
    observed: int,
    history_days: list[date],
    history: list[int],
    factors: list[float],
    params: Params,
) -> Finding:
    """Compare ``observed`` on ``day`` with the series' own history."""
    values = np.asarray(history, dtype=float)
    method = "weekday-poisson"
    if len(values) >= 28 and values.mean() >= params.stl_min_mean:
        own = _stl_factors(values, history_days)
        if own is not None:
            factors, method = own, "stl-poisson"
    fac = np.asarray([factors[d.weekday()] for d in history_days], dtype=float)
    level, phi = _robust_level(values, fac)
    expected = level * factors[day.weekday()]
    upper = control_limit(expected, phi, params.k)
    score = 2 * (math.sqrt(observed + 0.375) - math.sqrt(expected + 0.375)) / math.sqrt(phi)
    active_days = int((values > 0).sum())
    alert = (
        observed > upper
        and observed >= params.min_count
        and len(values) >= params.min_history_days
        and (active_days > 0 or observed >= 2 * params.min_count)
    )
    return Finding(
        observed=observed,
        expected=round(expected, 3),
        upper_limit=round(upper, 3),
        score=round(score, 3),
        method=method,
        alert=alert,
        evidence={
            "days": [d.isoformat() for d in history_days] + [day.isoformat()],
            "counts": [int(v) for v in history] + [observed],
            "weekday_factors": [round(f, 3) for f in factors],
            "dispersion": round(phi, 3),
            "params": asdict(params),
        },
    )


# ------------------------------------------------------------------------- database


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
    )


class _Ancestors:
    """Category id → id of its ancestor at ``level`` (itself when shallower)."""

    def __init__(self, level: int) -> None:
        rows = list(Category.objects.values_list("id", "code", "path"))
        by_code = {code: pk for pk, code, _ in rows}
        self.map: dict[int, int] = {}
        for pk, _code, path in rows:
            codes = path.strip("/").split("/")
            self.map[pk] = by_code.get(codes[min(level, len(codes)) - 1], pk)

    def __call__(self, category_id: int | None) -> int | None:
        return self.map.get(category_id) if category_id is not None else None


def _counts(start: datetime, end: datetime, **filters) -> list[tuple[date, int, int | None, int]]:
    return list(
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end, **filters)
        .annotate(day=TruncDate("created_at"))
        .values_list("day", "region_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def series_counts(
    first: date, last: date, params: Params, *, keys: set[SeriesKey] | None = None
) -> dict[SeriesKey, dict[date, int]]:
    """Daily counts per (region, category ancestor) series between two days inclusive."""
    ancestor = _Ancestors(params.category_level)
    filters = {}
    if keys is not None:
        filters["region_id__in"] = {r for r, _ in keys}
    out: dict[SeriesKey, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for day, region, category, n in _counts(*_bounds(first, last), **filters):
        cat = ancestor(category)
        if cat is None or (keys is not None and (region, cat) not in keys):
            continue
        out[(region, cat)][day] += n
    return out


def daily_totals(first: date, last: date) -> dict[date, int]:
    start, end = _bounds(first, last)
    return dict(
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
        .order_by()
    )


def scan(day: date, params: Params | None = None) -> dict[SeriesKey, Finding]:
    """Evaluate every series that could alert on ``day`` (read-only)."""
    params = params or Params.from_settings()
    today = series_counts(day, day, params)
    candidates = {key: c[day] for key, c in today.items() if c.get(day, 0) >= params.min_count}
    if not candidates:
        return {}
    first = day - timedelta(days=params.history_days)
    last = day - timedelta(days=1)
    days = [first + timedelta(days=i) for i in range(params.history_days)]
    totals = daily_totals(first, last)
    factors = weekday_factors(days, [totals.get(d, 0) for d in days])
    history = series_counts(first, last, params, keys=set(candidates))
    findings = {}
    for key, observed in candidates.items():
        counts = history.get(key, {})
        findings[key] = evaluate(
            day, observed, days, [counts.get(d, 0) for d in days], factors, params
        )
    return findings


def run(day: date, params: Params | None = None) -> list[Alert]:
    """Raise the day's alerts; idempotent (a second run for the same day adds nothing)."""
    params = params or Params.from_settings()
    raised = []
    now = clock.now()
    for (region_id, category_id), finding in sorted(scan(day, params).items()):
        if not finding.alert:
            continue
        recent = Alert.objects.filter(
            region_id=region_id,
            category_id=category_id,
            day__gte=day - timedelta(days=params.quiet_days),
            day__lte=day,
        )
        if recent.filter(status__in=ACTIVE_ALERT).exists() or recent.filter(day=day).exists():
            continue
        try:
            with transaction.atomic():
                raised.append(
                    Alert.objects.create(
                        region_id=region_id,
                        category_id=category_id,
                        day=day,
                        observed=finding.observed,
                        expected=finding.expected,
                        upper_limit=finding.upper_limit,
                        score=finding.score,
                        method=finding.method,
                        evidence=finding.evidence,
                        created_at=now,
                    )
                )
        except IntegrityError:  # a concurrent run raised it first
            continue
    return raised


def series_since(alert: Alert, first: date, last: date) -> list[tuple[date, int]]:
    """The alert's own series between two days (for re-monitoring)."""
    params = Params(**{**asdict(Params.from_settings()), **alert.evidence.get("params", {})})
    counts = series_counts(first, last, params, keys={(alert.region_id, alert.category_id)})
    mine = counts.get((alert.region_id, alert.category_id), {})
    n = (last - first).days + 1
    return [(first + timedelta(days=i), mine.get(first + timedelta(days=i), 0)) for i in range(n)]
