"""工作日历 on 流程配置 (issue 13, item 6): a year's notice imported as a list of days
(every bad line named, nothing half-imported, audited), single days set by hand; a
deadline that runs past the calendar falls back to natural time and says so in the
trace; the console warns 60 days before the calendar ends."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from complaintloop.core import calendar
from complaintloop.core import services as core_services
from complaintloop.core.errors import Forbidden, Invalid
from complaintloop.core.models import AuditLog, WorkCalendarDay
from complaintloop.org.models import Role
from complaintloop.tickets.models import TicketEvent

from ..factories import StaffFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTICE_2027 = """
# 测试用的放假安排(非官方)
2027-01-01 休 元旦
2027-02-06~2027-02-12 休 春节
2027-02-20 班 春节调休
"""


@pytest.fixture
def process_admin(world):
    return StaffFactory(username="process_admin_c", role=Role.PROCESS_ADMIN, unit=world.province)


def test_a_notice_is_imported_as_days_and_audited(world, process_admin):
    assert not calendar.year_is_covered(2027)
    days = core_services.import_notice(2027, NOTICE_2027, actor=process_admin)
    assert len(days) == 9
    calendar.clear_cache()
    assert calendar.year_is_covered(2027)
    assert not calendar.is_workday(dt.date(2027, 2, 8))  # a Monday in the Spring Festival
    assert calendar.is_workday(dt.date(2027, 2, 20))  # a Saturday made a working day
    assert calendar.covered_until() == dt.date(2027, 12, 31)
    entry = AuditLog.objects.filter(action="calendar.imported").latest("id")
    assert entry.actor_id == process_admin.pk and entry.detail["days"] == 9


def test_bad_lines_are_all_named_and_nothing_is_imported(world, process_admin):
    text = "2027-01-01 休 元旦\n2027-02-30 休 不存在\n2026-10-01 休 去年\n春节放七天"
    with pytest.raises(Invalid) as caught:
        core_services.import_notice(2027, text, actor=process_admin)
    assert set(caught.value.fields) == {"line 2", "line 3", "line 4"}
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()


def test_only_the_process_admin_edits_the_calendar(world):
    with pytest.raises(Forbidden):
        core_services.set_day(dt.date(2027, 5, 3), "off", actor=world.supervisor_nj)


def test_single_days_are_set_and_reset(world, process_admin):
    core_services.set_day(dt.date(2027, 5, 3), "off", actor=process_admin, note="劳动节")
    assert WorkCalendarDay.objects.get(date=dt.date(2027, 5, 3)).note == "劳动节"
    core_services.set_day(dt.date(2027, 5, 3), "rule", actor=process_admin)
    assert not WorkCalendarDay.objects.filter(date=dt.date(2027, 5, 3)).exists()


def test_a_deadline_past_the_calendar_runs_in_natural_time_and_says_so(world):
    calendar.clear_cache()
    start = dt.datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        ticket = world.new_ticket()
    limit = ticket.time_limit_minutes
    assert limit > 2 * calendar.workday_minutes() - 90  # runs into 2027 in working time
    assert ticket.due_at == start + dt.timedelta(minutes=limit)
    reasons = TicketEvent.objects.get(ticket=ticket, seq=1).payload["routing"]["reasons"]
    assert {"code": "calendar_fallback", "year": 2027} in reasons
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        inside = world.new_ticket()
    assert inside.due_at > dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI) + dt.timedelta(
        minutes=limit
    )  # working time: nights and the weekend do not count


def test_the_page_shows_a_missing_year_and_imports_it(world, process_admin):
    client = Client()
    client.force_login(process_admin)
    page = client.get("/processes/calendar/?year=2027")
    assert page.status_code == 200 and 'id="year-missing"' in page.content.decode()
    bad = client.post("/processes/calendar/", {"year": "2027", "notice": "2027-13-01 休"})
    assert bad.status_code == 422 and "line 1" in bad.content.decode()
    done = client.post("/processes/calendar/", {"year": "2027", "notice": NOTICE_2027}, follow=True)
    body = done.content.decode()
    assert "已导入 2027 年 9 天" in body and 'id="year-missing"' not in body
    assert 'class="day holiday" title="2027-02-08' in body
    other = Client()
    other.force_login(world.supervisor_nj)
    assert other.get("/processes/calendar/").status_code == 403


def test_the_console_warns_sixty_days_before_the_calendar_ends(world):
    calendar.clear_cache()
    client = Client()
    client.force_login(world.supervisor_nj)
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)):
        body = client.get("/console/").content.decode()
    assert 'id="calendar-warning"' in body and "2026-12-31" in body and "24" in body
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)):
        assert 'id="calendar-warning"' not in client.get("/console/").content.decode()
