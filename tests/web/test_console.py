"""The supervisor console (监控台): access, scoped counts, one-click oversight, chart data."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaintloop.core import clock
from complaintloop.tickets import services
from complaintloop.tickets.models import EventKind, Ticket, WorkItem
from complaintloop.web.console import selectors

SH = ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _overdue(ticket: Ticket) -> Ticket:
    """Push the ticket's deadlines into the past (as if the clock had run out)."""
    past = clock.now() - timedelta(hours=2)
    Ticket.objects.filter(pk=ticket.pk).update(due_at=past)
    WorkItem.objects.filter(ticket=ticket, status="open").update(due_at=past, warn_at=past)
    return ticket


def test_handlers_and_agents_get_a_403_page(world):
    for user in (world.handler_nj, world.agent_nj):
        client = _client(user)
        page = client.get("/console/")
        assert page.status_code == 403
        assert "无权访问" in page.content.decode()
        assert client.get("/console/data.json").status_code == 403
        assert client.post("/console/act/TS1/urge/").status_code == 403


def test_anonymous_is_sent_to_login(world):
    response = Client().get("/console/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_counts_are_per_scope(world):
    # given two Nanjing tickets (at 南京网管) and one Suzhou ticket
    nj = [world.new_ticket() for _ in range(2)]
    world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")
    _overdue(nj[0])
    # when the Nanjing supervisor opens the console
    counts = selectors.counts_by_unit(world.supervisor_nj)
    # then only Nanjing's units are counted
    assert [r.unit.code for r in counts.rows] == ["NJ-WG"]
    assert counts.rows[0].counts["pending"] == 2
    assert counts.rows[0].counts["breached"] == 1
    assert counts.total == 2
    page = _client(world.supervisor_nj).get("/console/").content.decode()
    assert 'data-unit="NJ-WG"' in page
    assert 'data-unit="SZ-WG"' not in page
    assert "/queues/?tab=all&amp;unit=NJ-WG&amp;status=pending" in page
    # and the province-wide quality manager sees both cities
    province = selectors.counts_by_unit(world.quality)
    assert {r.unit.code for r in province.rows} == {"NJ-WG", "SZ-WG"}
    assert province.total == 3


def test_counts_partial_refreshes_with_htmx(world):
    world.new_ticket()
    client = _client(world.supervisor_nj)
    page = client.get("/console/").content.decode()
    assert 'hx-trigger="every 30s' in page
    partial = client.get("/console/counts/", **HTMX)
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body
    assert 'data-unit="NJ-WG"' in body


def test_overdue_list_and_one_click_urge(world):
    ticket = _overdue(world.new_ticket())
    near = world.new_ticket()
    WorkItem.objects.filter(ticket=near).update(warn_at=clock.now() - timedelta(minutes=5))
    client = _client(world.supervisor_nj)
    page = client.get("/console/").content.decode()
    assert f'id="row-{ticket.number}"' in page
    assert [w.ticket_id for w in selectors.near_breach(world.supervisor_nj)] == [near.pk]
    # when the supervisor clicks 催办
    response = client.post(f"/console/act/{ticket.number}/urge/", **HTMX)
    # then the service ran and the result shows inline
    assert response.status_code == 200
    assert "已催办" in response.content.decode()
    assert response["HX-Trigger"] == "console-changed"
    ticket.refresh_from_db()
    assert ticket.urge_count == 1
    assert ticket.events.filter(kind=EventKind.URGED, actor=world.supervisor_nj).count() == 1


def test_second_supervise_is_a_clear_409(world):
    ticket = _overdue(world.new_ticket())
    client = _client(world.supervisor_nj)
    first = client.post(f"/console/act/{ticket.number}/supervise/", **HTMX)
    assert first.status_code == 200
    assert 'data-action="supervise"' not in first.content.decode()
    second = client.post(f"/console/act/{ticket.number}/supervise/", **HTMX)
    assert second.status_code == 409
    assert "工单已在督办中" in second.content.decode()
    assert ticket.events.filter(kind=EventKind.SUPERVISED).count() == 1


def test_escalate_and_errors_without_htmx_become_messages(world):
    ticket = _overdue(world.new_ticket())
    client = _client(world.supervisor_nj)
    assert client.post(f"/console/act/{ticket.number}/escalate/", **HTMX).status_code == 200
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    # VIP/escalation alerts list it now
    assert ticket in selectors.alerts(world.supervisor_nj)
    client.post(f"/console/act/{ticket.number}/supervise/")
    response = client.post(f"/console/act/{ticket.number}/supervise/", follow=True)
    assert "工单已在督办中" in response.content.decode()


def test_out_of_scope_ticket_is_404(world):
    sz = world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")
    response = _client(world.supervisor_nj).post(f"/console/act/{sz.number}/urge/", **HTMX)
    assert response.status_code == 404
    assert Ticket.objects.get(pk=sz.pk).urge_count == 0
    assert _client(world.supervisor_nj).post("/console/act/X/dance/", **HTMX).status_code == 404


def test_vip_alerts_are_scoped(world):
    vip_nj = world.new_ticket(customer_phone="13900002222", region="NJ")
    world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")
    assert [t.pk for t in selectors.alerts(world.supervisor_nj)] == [vip_nj.pk]
    assert len(selectors.alerts(world.quality)) == 2


def test_data_json_shape_and_numbers(world):
    # given one ticket last Wednesday 09:15 and two this Wednesday at 10:xx, one closed
    with time_machine.travel(datetime(2026, 11, 11, 9, 15, tzinfo=SH), tick=False):
        world.new_ticket()
    with time_machine.travel(datetime(2026, 11, 18, 10, 5, tzinfo=SH), tick=False):
        world.new_ticket()
        done = world.new_ticket(category="0201")
        services.accept(done.number, actor=world.handler_nj_yz)
        services.reply(done.number, actor=world.handler_nj_yz, comment="已退费")
        services.callback(done.number, actor=world.agent_nj, result="satisfied")
        world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")  # out of scope
    # when the Nanjing supervisor asks for the chart data
    with time_machine.travel(datetime(2026, 11, 18, 11, 0, tzinfo=SH), tick=False):
        data = _client(world.supervisor_nj).get("/console/data.json").json()
    # then
    intake = data["intake"]
    assert intake["today_date"] == "2026-11-18"
    assert intake["last_week_date"] == "2026-11-11"
    assert len(intake["today"]) == len(intake["last_week"]) == 24
    assert intake["today"][10] == 2 and sum(intake["today"]) == 2
    assert intake["last_week"][9] == 1 and sum(intake["last_week"]) == 1
    backlog = data["backlog"]
    assert len(backlog["days"]) == 14
    assert backlog["days"][-1] == "2026-11-18"
    last_week_at = backlog["days"].index("2026-11-11")
    assert backlog["created"][last_week_at] == 1
    assert backlog["backlog"][last_week_at] == 1
    assert backlog["created"][-1] == 2
    assert backlog["closed"][-1] == 1
    assert backlog["backlog"][-1] == 2
    load = {node["name"]: node for node in data["load"]}
    assert load["南京网管中心"]["value"] == 2
    assert sum(node["value"] for node in data["load"]) == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_console_queries_do_not_grow_with_rows(world, rows):
    for i in range(rows):
        ticket = world.new_ticket(customer_phone="13900002222" if i % 2 else "13800001111")
        _overdue(ticket)
    client = _client(world.supervisor_nj)
    client.get("/console/")  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/console/").status_code == 200
    with CaptureQueriesContext(connection) as data_ctx:
        assert client.get("/console/data.json").status_code == 200
    # The same number of queries for 3 and 30 rows: fixed by the page's shape.
    assert len(ctx.captured_queries) == CONSOLE_QUERIES, [q["sql"] for q in ctx.captured_queries]
    assert len(data_ctx.captured_queries) == DATA_QUERIES


# session, user, user's units (2), counts + their units, near, overdue, alerts
CONSOLE_QUERIES = 9
# session, user, scope unit, intake, backlog (rollup + created + closed + open now),
# load + unit names
DATA_QUERIES = 10


def test_chart_labels_come_translated_with_the_data(world):
    client = _client(world.supervisor_nj)
    chinese = client.get("/console/data.json").json()["labels"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/console/data.json").json()["labels"]
    assert chinese["backlog"] == "日终在途" and chinese["closed"] == "归档"
    assert english["backlog"] == "Open at day end" and english["closed"] == "Closed"
    assert english["lastWeek"] == "Same day last week"


def test_backlog_reads_created_counts_from_the_daily_rollup(world):
    # given yesterday's rollup row (the nightly job's) saying 40 tickets were created
    from complaintloop.quality.models import DailyTicketStat

    yesterday = clock.localtime().date() - timedelta(days=1)
    DailyTicketStat.objects.create(
        day=yesterday,
        region=world.nanjing,
        region_path=world.nanjing.path,
        channel="phone",
        order_type="complaint",
        created=40,
        computed_at=clock.now(),
    )
    world.new_ticket()  # one open today
    # when the supervisor opens the chart data
    backlog = _client(world.supervisor_nj).get("/console/data.json").json()["backlog"]
    # then yesterday's created comes from the rollup and the backlog walks back from now
    assert backlog["created"][-2] == 40 and backlog["created"][-1] == 1
    assert backlog["backlog"][-1] == 1 and backlog["backlog"][-2] == 0


def test_chart_data_is_computed_once_a_minute_per_scope(world):
    # given a supervisor who loaded the charts
    client = _client(world.supervisor_nj)
    first = client.get("/console/data.json").json()
    world.new_ticket()
    # when the charts are asked again within the minute
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/console/data.json").json()
    # then no chart query runs and the same figures come back
    assert again["backlog"] == first["backlog"] and again["generated_at"] == first["generated_at"]
    assert not [q for q in ctx.captured_queries if "tickets_" in q["sql"]]
