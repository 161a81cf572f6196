"""Report periods: a calendar month or an ISO week (Monday–Sunday), the one before it
(环比) and the same period a year earlier (同比)."""

from __future__ import annotations

import calendar as cal
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from complaintloop.core.errors import Invalid

from .models import ReportKind

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$", re.I)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def key(self) -> str:
        """``2026-10`` for a month, ``2026-W47`` for an ISO week."""
        if self.kind == ReportKind.WEEKLY:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start:%Y-%m}"

    def previous(self) -> Period:
        if self.kind == ReportKind.WEEKLY:
            return week_of(self.start - timedelta(days=7))
        return month_of(self.start - timedelta(days=1))

    def last_year(self) -> Period:
        """The same month a year before; for a week, the ISO week of the same number."""
        if self.kind == ReportKind.WEEKLY:
            year, week, _day = self.start.isocalendar()
            try:
                return week_of(date.fromisocalendar(year - 1, week, 1))
            except ValueError:  # week 53 in a year that has 52
                return week_of(date.fromisocalendar(year - 1, 52, 1))
        return month_of(self.start.replace(year=self.start.year - 1))


def month_of(day: date) -> Period:
    last = cal.monthrange(day.year, day.month)[1]
    return Period(ReportKind.MONTHLY, day.replace(day=1), day.replace(day=last))


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(ReportKind.WEEKLY, monday, monday + timedelta(days=6))


def previous_complete(kind: str, today: date) -> Period:
    """What the schedule reports on ``today``: the previous month, or the previous week."""
    if kind == ReportKind.WEEKLY:
        return week_of(today - timedelta(days=today.weekday() + 7))
    return month_of(today.replace(day=1) - timedelta(days=1))


def parse(kind: str, text: str, *, today: date) -> Period:
    """A period typed on the form: ``YYYY-MM`` for a month, ``YYYY-Www`` for a week.
    Periods that have not ended yet are refused (they would report partial data)."""
    text = (text or "").strip()
    if kind not in ReportKind.values:
        raise Invalid("report.kind", _("报告类型无效"), {"kind": [_("请选择报告类型")]})
    period = None
    try:
        if kind == ReportKind.MONTHLY and (m := MONTH_RE.match(text)):
            period = month_of(date(int(m[1]), int(m[2]), 1))
        elif kind == ReportKind.WEEKLY and (m := WEEK_RE.match(text)):
            period = week_of(date.fromisocalendar(int(m[1]), int(m[2]), 1))
    except ValueError:
        period = None
    if period is None or period.start.year < 2000:
        hint = _("格式为 2026-10") if kind == ReportKind.MONTHLY else _("格式为 2026-W47")
        raise Invalid("report.period", _("报告期无效"), {"period": [hint]})
    if period.end >= today:
        raise Invalid(
            "report.period", _("报告期尚未结束"), {"period": [_("只能生成已结束的报告期")]}
        )
    return period


def recent(kind: str, today: date, count: int) -> list[Period]:
    """The last ``count`` complete periods, newest first (form suggestions)."""
    out = [previous_complete(kind, today)]
    while len(out) < count:
        out.append(out[-1].previous())
    return out
