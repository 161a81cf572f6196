import datetime

import pytest

from complaintloop.core.models import WorkCalendarDay

pytestmark = pytest.mark.django_db


def test_calendar_is_seeded_with_national_day(world):
    assert WorkCalendarDay.objects.get(date=datetime.date(2025, 10, 1)).is_workday is False
    assert WorkCalendarDay.objects.get(date=datetime.date(2025, 9, 28)).is_workday is True
