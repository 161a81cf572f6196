"""Working-time arithmetic on the Chinese working calendar.

The ``WorkCalendarDay`` table is what counts (seeded from chinesecalendar, edited by
admins); a day missing from it follows the weekend rule. Working hours per day come
from ``settings.WORKDAY_START``/``WORKDAY_END``."""

from __future__ import annotations

import threading
import time as clock_time
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.conf import settings
from django.utils import timezone

# Year → (read at, days). Entries expire so that an edit made in another process (the
# admin's web worker) reaches this one (a Celery worker computing deadlines) within
# CACHE_SECONDS; the editing process clears its own at once (core/signals.py).
_cache: dict[int, tuple[float, dict[date, bool]]] = {}
_until: tuple[float, date | None] | None = None
_lock = threading.Lock()
CACHE_SECONDS = 60.0
CHANGED_TOPIC = "calendar.changed"
MAX_DAYS_SCANNED = 3 * 366


class TimeBasis(StrEnum):
    WORKING = "working"
    NATURAL = "natural"


def _hm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def workday_minutes() -> int:
    start, end = _hm(settings.WORKDAY_START), _hm(settings.WORKDAY_END)
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def clear_cache() -> None:
    global _until
    with _lock:
        _cache.clear()
        _until = None


def _year(year: int) -> dict[date, bool]:
    cached = _cache.get(year)
    now = clock_time.monotonic()
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    from .models import WorkCalendarDay

    days = dict(WorkCalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
    with _lock:
        _cache[year] = (now, days)
    return days


def is_workday(day: date) -> bool:
    known = _year(day.year).get(day)
    if known is not None:
        return known
    return day.weekday() < 5


def year_is_covered(year: int) -> bool:
    """Whether the table holds the holidays of ``year`` (else weekends-only is assumed)."""
    return any(not is_work for is_work in _year(year).values())


def covered_until() -> date | None:
    """The last day the table knows: 31 December of the last year with holidays in it
    (a year with none is taken as not yet loaded). Cached like the days."""
    global _until
    now = clock_time.monotonic()
    if _until is not None and now - _until[0] < CACHE_SECONDS:
        return _until[1]
    from .models import WorkCalendarDay

    last = (
        WorkCalendarDay.objects.filter(is_workday=False)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    until = date(last.year, 12, 31) if last else None
    _until = (now, until)
    return until


def deadline_or_natural(
    start: datetime, minutes: int, basis: str = TimeBasis.WORKING
) -> tuple[datetime, int | None]:
    """The deadline, and the first year the calendar does not know when the working-time
    count would run into it: then the limit is counted in natural time instead (stricter,
    never later than the customer was promised) and the caller says so in the trace."""
    if basis == TimeBasis.NATURAL:
        return start + timedelta(minutes=minutes), None
    due = add_working_minutes(start, minutes)
    until = covered_until()
    if until is not None and timezone.localtime(due).date() > until:
        return start + timedelta(minutes=minutes), until.year + 1
    return due, None


def _window(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, _hm(settings.WORKDAY_START), tzinfo=tz)
    end = datetime.combine(day, _hm(settings.WORKDAY_END), tzinfo=tz)
    return start, end


def add_working_minutes(start: datetime, minutes: int) -> datetime:
    """The moment ``minutes`` of working time after ``start``."""
    if minutes <= 0:
        return start
    current = timezone.localtime(start)
    remaining = minutes
    day = current.date()
    for _ in range(MAX_DAYS_SCANNED):
        if is_workday(day):
            open_at, close_at = _window(day)
            begin = max(current, open_at)
            if begin < close_at:
                available = int((close_at - begin).total_seconds() // 60)
                if remaining <= available:
                    return begin + timedelta(minutes=remaining)
                remaining -= available
        day += timedelta(days=1)
        current = datetime.combine(day, time(0, 0), tzinfo=current.tzinfo)
    raise ValueError("working calendar has no working time in range")


def working_minutes_between(start: datetime, end: datetime) -> int:
    """Working minutes in [start, end); negative when end is before start."""
    if end < start:
        return -working_minutes_between(end, start)
    a, b = timezone.localtime(start), timezone.localtime(end)
    total = 0.0
    day = a.date()
    while day <= b.date():
        if is_workday(day):
            open_at, close_at = _window(day)
            lo, hi = max(a, open_at), min(b, close_at)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return int(round(total))


def deadline(start: datetime, minutes: int, basis: str = TimeBasis.WORKING) -> datetime:
    if basis == TimeBasis.NATURAL:
        return start + timedelta(minutes=minutes)
    return add_working_minutes(start, minutes)


def elapsed_minutes(start: datetime, end: datetime, basis: str = TimeBasis.WORKING) -> int:
    if basis == TimeBasis.NATURAL:
        return int((end - start).total_seconds() // 60)
    return working_minutes_between(start, end)


def seed_from_chinesecalendar(first_year: int = 2020, last_year: int = 2026) -> int:
    """Fill the table with holidays and 调休 working days chinesecalendar knows."""
    import chinese_calendar

    from .models import WorkCalendarDay

    rows = []
    day = date(first_year, 1, 1)
    while day <= date(last_year, 12, 31):
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            break
        weekend = day.weekday() >= 5
        if working == weekend or (on_holiday and name):
            note = str(name or ("调休上班" if working else "休息日"))
            rows.append(WorkCalendarDay(date=day, is_workday=working, note=note))
        day += timedelta(days=1)
    WorkCalendarDay.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["date"],
        update_fields=["is_workday", "note"],
    )
    clear_cache()
    return len(rows)
