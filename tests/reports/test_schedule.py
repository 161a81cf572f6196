"""The schedule: the previous month on the 1st, the previous week on Mondays, for the
province and each city, once per tick."""

from datetime import date

import pytest

from complaintloop.reports import periods, services, tasks
from complaintloop.reports.models import Report, Trigger


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 3, 1), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2024, 3, 1), date(2024, 2, 1), date(2024, 2, 29)),
        (date(2026, 11, 23), date(2026, 10, 1), date(2026, 10, 31)),
    ],
)
def test_monthly_is_the_previous_calendar_month(today, start, end):
    period = periods.previous_complete("monthly", today)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 11, 23), date(2026, 11, 16)),  # a Monday: last Monday to Sunday
        (date(2026, 11, 25), date(2026, 11, 16)),  # mid-week: still the last full week
        (date(2026, 1, 5), date(2025, 12, 29)),  # across the new year
    ],
)
def test_weekly_is_the_previous_iso_week(today, start):
    period = periods.previous_complete("weekly", today)
    assert (period.start, period.end.toordinal() - period.start.toordinal()) == (start, 6)
    assert period.start.weekday() == 0


def test_comparison_periods():
    october = periods.month_of(date(2025, 10, 15))
    assert october.previous().start == date(2025, 9, 1)
    assert october.last_year() == periods.month_of(date(2024, 10, 1))
    week = periods.week_of(date(2026, 11, 18))
    assert week.key == "2026-W47" and week.previous().key == "2026-W46"
    assert week.last_year().key == "2025-W47"
    assert periods.week_of(date(2020, 12, 31)).last_year().key == "2019-W52"  # no W53 in 2019


def test_a_tick_queues_one_report_per_scope_once(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.generate_report, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.schedule("monthly", date(2026, 1, 1))
        again = services.schedule("monthly", date(2026, 1, 1))
    assert sorted(r.scope_unit.code for r in first) == ["JS", "NJ", "SZ"]
    assert again == []
    assert sorted(queued) == sorted(r.pk for r in first)
    assert set(Report.objects.values_list("trigger", "period_start", "period_end")) == {
        (Trigger.SCHEDULE, date(2025, 12, 1), date(2025, 12, 31))
    }


def test_beat_declares_both_schedules(settings):
    beat = {v["task"]: v["schedule"] for v in settings.CELERY_BEAT_SCHEDULE.values()}
    monthly = beat["complaintloop.reports.tasks.schedule_monthly"]
    weekly = beat["complaintloop.reports.tasks.schedule_weekly"]
    assert monthly.day_of_month == {1} and weekly.day_of_week == {1}
