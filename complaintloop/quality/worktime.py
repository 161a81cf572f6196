"""Working minutes of many (start, end) pairs at once, with numpy.

The definition is ``core.calendar.working_minutes_between``'s — minutes of [start, end)
inside each working day's window (WORKDAY_START–WORKDAY_END) on days the calendar marks
as working — computed as W(end) − W(start), where W is the cumulative working time since
the first day of the pairs. ``calendar`` walks the days of each pair in Python: fine for
one ticket, minutes for a month of a million tickets. tests/reports/test_measure.py
checks both agree."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone

from complaintloop.core import calendar


def local_seconds(moments: list[datetime]) -> np.ndarray:
    """Local wall time of each moment as seconds since 1970 (read as UTC)."""
    tz = timezone.get_current_timezone()
    return np.array(
        [m.timestamp() + m.astimezone(tz).utcoffset().total_seconds() for m in moments],
        dtype=np.float64,
    )


def working_minutes(starts: list[datetime], ends: list[datetime]) -> np.ndarray:
    """Working minutes in [start, end) for each pair, rounded like the calendar does."""
    return minutes_between(local_seconds(starts), local_seconds(ends))


def minutes_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``working_minutes`` of local seconds since 1970 (wall time read as UTC)."""
    if not len(a):
        return np.zeros(0, dtype=np.int64)
    epoch = date(1970, 1, 1)
    first = epoch + timedelta(days=int(np.floor(min(a.min(), b.min()) / 86400)))
    last = epoch + timedelta(days=int(np.floor(max(a.max(), b.max()) / 86400)))
    days = (last - first).days + 1
    open_s = _seconds_of_day(settings.WORKDAY_START)
    close_s = _seconds_of_day(settings.WORKDAY_END)
    window = max(close_s - open_s, 0)
    workday = np.array(
        [calendar.is_workday(first + timedelta(days=n)) for n in range(days)], dtype=bool
    )
    before = np.concatenate(([0.0], np.cumsum(workday * float(window))))[:-1]
    base = (first - epoch).days

    def cumulative(seconds: np.ndarray) -> np.ndarray:
        index = np.floor(seconds / 86400).astype(np.int64) - base
        of_day = seconds - (index + base) * 86400.0
        inside = np.clip(of_day - open_s, 0, window) * workday[index]
        return before[index] + inside

    return np.rint((cumulative(b) - cumulative(a)) / 60).astype(np.int64)


def _seconds_of_day(hm: str) -> float:
    parsed = time.fromisoformat(hm)
    return parsed.hour * 3600 + parsed.minute * 60
