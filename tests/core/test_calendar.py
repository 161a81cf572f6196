"""Working-time arithmetic on the Chinese calendar (holidays and 调休 make-up days)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaintloop.core import calendar
from complaintloop.core.models import Outbox, WorkCalendarDay

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_workday_is_540_minutes():
    assert calendar.workday_minutes() == 540


def test_weekend_is_skipped():
    # given Friday 2025-09-19 17:00, an ordinary weekend ahead (no 调休 that week)
    start = at(2025, 9, 19, 17, 0)
    # when 120 working minutes are added
    due = calendar.add_working_minutes(start, 120)
    # then Fri 17:00–18:00 is 60, Sat and Sun are off, Mon 09:00 + 60 → 10:00
    assert due == at(2025, 9, 22, 10, 0)
    assert calendar.working_minutes_between(start, due) == 120
    assert calendar.working_minutes_between(due, start) == -120


def test_start_outside_working_hours_counts_from_next_opening():
    # Friday evening and Saturday morning both start counting at Monday 09:00.
    assert calendar.add_working_minutes(at(2025, 9, 19, 20, 0), 30) == at(2025, 9, 22, 9, 30)
    assert calendar.add_working_minutes(at(2025, 9, 20, 8, 0), 30) == at(2025, 9, 22, 9, 30)
    # Exactly a full day ends at the close, not at the next morning.
    assert calendar.add_working_minutes(at(2025, 9, 22, 9, 0), 540) == at(2025, 9, 22, 18, 0)


def test_make_up_sunday_before_national_day_is_a_working_day():
    # given Friday 2025-09-26 10:00; Sat 27 is off, Sun 28 is a 调休 working day
    start = at(2025, 9, 26, 10, 0)
    assert calendar.is_workday(date(2025, 9, 28))
    assert not calendar.is_workday(date(2025, 9, 27))
    # when two working days (1080 min) are added
    due = calendar.add_working_minutes(start, 1080)
    # then Fri 10–18 = 480, Sun 28 = 540 (1020), Mon 29 09:00 + 60 → 10:00
    assert due == at(2025, 9, 29, 10, 0)
    assert calendar.working_minutes_between(start, due) == 1080


def test_national_day_holiday_is_skipped():
    # given Tuesday 2025-09-30 15:00, the last working day before the holiday
    start = at(2025, 9, 30, 15, 0)
    holiday = [date(2025, 10, 1) + timedelta(days=i) for i in range(8)]
    assert not any(calendar.is_workday(d) for d in holiday)
    # when 1080 working minutes are added
    due = calendar.add_working_minutes(start, 1080)
    # then Tue 15–18 = 180, Oct 1–8 off, Thu 10-09 = 540 (720), Fri 10-10 09:00 + 360 → 15:00
    assert due == at(2025, 10, 10, 15, 0)
    assert calendar.working_minutes_between(start, due) == 1080
    # the whole holiday week holds no working time at all
    assert calendar.working_minutes_between(at(2025, 10, 1, 0, 0), at(2025, 10, 9, 0, 0)) == 0


def test_make_up_saturday_after_national_day_counts():
    # Sat 2025-10-11 is a 调休 working day, Sun 10-12 is not.
    assert calendar.is_workday(date(2025, 10, 11))
    assert not calendar.is_workday(date(2025, 10, 12))
    # Fri 10-10 17:00 + 120: Fri 60, Sat 11 09:00 + 60 → 10:00
    assert calendar.add_working_minutes(at(2025, 10, 10, 17, 0), 120) == at(2025, 10, 11, 10, 0)
    # Sat 10-11 17:00 → Mon 10-13 10:00: Sat 60 + Mon 60
    assert calendar.working_minutes_between(at(2025, 10, 11, 17, 0), at(2025, 10, 13, 10, 0)) == 120


def test_admin_added_day_changes_the_result():
    start = at(2025, 9, 26, 10, 0)
    assert calendar.add_working_minutes(start, 1080) == at(2025, 9, 29, 10, 0)
    # given an admin declares Monday 2025-09-29 a day off
    WorkCalendarDay.objects.create(
        date=date(2025, 9, 29), is_workday=False, note="停电检修", source="admin"
    )
    # (the save clears this process's cache and tells the apps holding working times)
    change = Outbox.objects.filter(topic=calendar.CHANGED_TOPIC).get()
    assert change.payload == {"dates": ["2025-09-29"]}
    # then Fri 480 + Sun 540 leaves 60 for Tue 09-30 → 10:00
    assert not calendar.is_workday(date(2025, 9, 29))
    assert calendar.add_working_minutes(start, 1080) == at(2025, 9, 30, 10, 0)
    assert calendar.working_minutes_between(start, at(2025, 9, 30, 10, 0)) == 1080


def test_natural_basis_ignores_the_calendar():
    start = at(2025, 9, 30, 15, 0)
    assert calendar.deadline(start, 1080, calendar.TimeBasis.NATURAL) == at(2025, 10, 1, 9, 0)
    assert calendar.deadline(start, 1080, calendar.TimeBasis.WORKING) == at(2025, 10, 10, 15, 0)
    end = at(2025, 10, 2, 15, 0)
    assert calendar.elapsed_minutes(start, end, calendar.TimeBasis.NATURAL) == 2 * 24 * 60
    assert calendar.elapsed_minutes(start, end, calendar.TimeBasis.WORKING) == 180


def test_year_without_holiday_rows_falls_back_to_weekends():
    # given the seeded years end before 2027
    assert calendar.year_is_covered(2025)
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()
    assert not calendar.year_is_covered(2027)
    # then New Year's Day 2027 (a Friday) counts as a plain working day
    assert calendar.is_workday(date(2027, 1, 1))
    assert not calendar.is_workday(date(2027, 1, 2))
    # Fri 2027-01-01 10:00 + 540: Fri 480, weekend off, Mon 01-04 09:00 + 60 → 10:00
    assert calendar.add_working_minutes(at(2027, 1, 1, 10, 0), 540) == at(2027, 1, 4, 10, 0)


def test_zero_minutes_is_the_start():
    start = at(2025, 10, 3, 12, 0)
    assert calendar.add_working_minutes(start, 0) == start


def test_an_edit_made_by_another_process_is_seen_within_the_cache_lifetime(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(calendar.clock_time, "monotonic", lambda: now[0])
    calendar.clear_cache()
    assert calendar.is_workday(date(2025, 9, 29))
    # given another process turns the day off (no signal reaches this one)
    WorkCalendarDay.objects.bulk_create(
        [WorkCalendarDay(date=date(2025, 9, 29), is_workday=False, source="admin")]
    )
    # then this process still uses what it read, until the cache entry expires
    assert calendar.is_workday(date(2025, 9, 29))
    now[0] += calendar.CACHE_SECONDS + 1
    assert not calendar.is_workday(date(2025, 9, 29))
