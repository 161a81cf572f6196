"""Working-calendar edits (R12): a year's holidays and make-up working days imported
from the State Council notice as a list of days, or one day set by hand. Each edit is
one transaction with its audit entry; the calendar signals clear the caches and tell
the apps that keep working-time figures (core.signals)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .errors import Forbidden, Invalid
from .models import WorkCalendarDay

LINE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|～|至|到|--?)\s*(\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s+(休|放假|班|上班)\s*(.*)$"
)
MAX_DAYS = 120  # a year's notice has about 30; more is a paste gone wrong


@dataclass(frozen=True)
class CalendarDay:
    day: date
    is_workday: bool
    note: str


def may_edit_calendar(actor: Any) -> bool:
    return bool(actor and getattr(actor, "can_manage_processes", False))


def _require_editor(actor: Any) -> None:
    if not may_edit_calendar(actor):
        raise Forbidden("calendar.forbidden", _("仅流程管理员可修改工作日历"))


def _date(text: str) -> date:
    year, month, day = (int(part) for part in text.split("-"))
    return date(year, month, day)


def parse_notice(text: str, year: int) -> list[CalendarDay]:
    """One day or range per line: ``2027-02-06~2027-02-13 休 春节`` or
    ``2027-02-20 班 春节调休``. Blank lines and lines starting with # are skipped. Every
    bad line is reported (``fields`` keyed ``line 3``), nothing is half-read."""
    days: dict[date, CalendarDay] = {}
    problems: dict[str, list[str]] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE.match(line)
        if not match:
            problems[f"line {number}"] = [_("格式应为:日期[~日期] 休|班 [说明]")]
            continue
        try:
            first = _date(match.group(1))
            last = _date(match.group(2)) if match.group(2) else first
        except ValueError:
            problems[f"line {number}"] = [_("日期不存在")]
            continue
        if last < first or (last - first).days > 31:
            problems[f"line {number}"] = [_("日期范围不正确(最多 31 天)")]
            continue
        if first.year != year or last.year != year:
            problems[f"line {number}"] = [_("日期不在 %(y)s 年") % {"y": year}]
            continue
        working = match.group(3) in ("班", "上班")
        note = match.group(4).strip()[:64] or (_("调休上班") if working else _("休息日"))
        day = first
        while day <= last:
            days[day] = CalendarDay(day, working, note)
            day += timedelta(days=1)
    if len(days) > MAX_DAYS:
        problems["text"] = [_("一次最多导入 %(n)s 天") % {"n": MAX_DAYS}]
    if not days and not problems:
        problems["text"] = [_("没有可导入的日期")]
    if problems:
        raise Invalid("calendar.bad_notice", _("放假安排有误,未导入"), problems)
    return sorted(days.values(), key=lambda d: d.day)


@transaction.atomic
def import_notice(year: int, text: str, *, actor: Any) -> list[CalendarDay]:
    """Set the listed days of ``year`` (holidays off, make-up days on), replacing what
    the table had for those days; other days keep the weekend rule or their rows."""
    _require_editor(actor)
    days = parse_notice(text, year)
    for entry in days:
        WorkCalendarDay.objects.update_or_create(
            date=entry.day,
            defaults={"is_workday": entry.is_workday, "note": entry.note, "source": "notice"},
        )
    audit.record(
        actor,
        "calendar.imported",
        WorkCalendarDay,
        year=year,
        days=len(days),
        holidays=sum(1 for d in days if not d.is_workday),
        working=sum(1 for d in days if d.is_workday),
    )
    return days


@transaction.atomic
def set_day(day: date, mode: str, *, actor: Any, note: str = "") -> None:
    """One day by hand: ``off`` (holiday), ``work`` (make-up working day) or ``rule``
    (back to the weekend rule)."""
    _require_editor(actor)
    if mode not in ("off", "work", "rule"):
        raise Invalid("calendar.bad_mode", _("请选择 休 / 班 / 按周末规则"), {"mode": [_("必选")]})
    if mode == "rule":
        WorkCalendarDay.objects.filter(date=day).delete()
    else:
        WorkCalendarDay.objects.update_or_create(
            date=day,
            defaults={
                "is_workday": mode == "work",
                "note": note.strip()[:64] or (_("调休上班") if mode == "work" else _("休息日")),
                "source": "manual",
            },
        )
    audit.record(actor, "calendar.day_set", WorkCalendarDay, day=day.isoformat(), mode=mode)
