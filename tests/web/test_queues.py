import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintloop.core import clock
from complaintloop.tickets import services
from complaintloop.tickets.models import SlaState, Status, WorkItem
from complaintloop.web.models import SavedView

QUEUE = "/queues/"
TABS = ["mine", "unit", "pending", "near", "breached", "suspended"]


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def rows(response) -> list[str]:
    """Ticket numbers of the queue's rows, in order."""
    html = response.content.decode()
    return [part.split('"', 1)[0] for part in html.split('data-number="')[1:]]


@pytest.fixture
def queue_world(world):
    # given 南京 tickets in every state the tabs cut by, and one 苏州 VIP ticket
    pending = world.new_ticket(title="宽带掉线-待签收")
    working = world.new_ticket(title="宽带慢-处理中")
    services.accept(working.number, actor=world.handler_nj)
    parked = world.new_ticket(title="光猫故障-挂起")
    services.accept(parked.number, actor=world.handler_nj)
    services.suspend(parked.number, actor=world.handler_nj, comment="等待客户在家")
    billing = world.new_ticket(category="0201", description="本月话费异常多扣 50 元")
    suzhou = world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")
    WorkItem.objects.filter(ticket=working).update(sla_state=SlaState.NEAR)
    WorkItem.objects.filter(ticket=pending).update(due_at=clock.now() - timedelta(hours=2))
    world.t = {
        "pending": pending,
        "working": working,
        "parked": parked,
        "billing": billing,
        "suzhou": suzhou,
    }
    return world


def test_queue_url_name():
    assert reverse("web:queue") == QUEUE


def test_tabs_list_the_right_work_items_for_handler_nj(queue_world):
    t = queue_world.t
    client = client_for(queue_world.handler_nj)
    got = {tab: set(rows(client.get(QUEUE, {"tab": tab}))) for tab in TABS}
    assert got["mine"] == {t["pending"].number, t["working"].number, t["parked"].number}
    assert got["unit"] == {t["pending"].number, t["working"].number, t["parked"].number}
    # 未签收 covers the whole data scope: the 业务支撑 billing ticket too
    assert got["pending"] == {t["pending"].number, t["billing"].number}
    assert got["near"] == {t["working"].number}
    assert got["breached"] == {t["pending"].number}
    assert got["suspended"] == {t["parked"].number}


def test_a_nanjing_handler_never_sees_a_suzhou_ticket(queue_world):
    client = client_for(queue_world.handler_nj)
    suzhou = queue_world.t["suzhou"].number
    for tab in TABS:
        response = client.get(QUEUE, {"tab": tab})
        assert response.status_code == 200
        assert suzhou not in response.content.decode(), tab
    # the search does not reach across either
    assert rows(client.get(QUEUE, {"tab": "pending", "q": suzhou})) == []


def test_suzhou_handler_sees_only_suzhou(queue_world):
    client = client_for(queue_world.handler_sz)
    mine = rows(client.get(QUEUE, {"tab": "mine"}))
    assert mine == [queue_world.t["suzhou"].number]
    page = client.get(QUEUE, {"tab": "pending"}).content.decode()
    assert queue_world.t["pending"].number not in page
    assert "VIP" in page


def test_other_unit_mine_tab_and_counts(queue_world):
    client = client_for(queue_world.handler_nj_yz)
    response = client.get(QUEUE)
    assert rows(response) == [queue_world.t["billing"].number]
    # the tab counts come from the same scope
    assert 'data-tab="mine"' in response.content.decode()


def test_quality_manager_sees_the_province(queue_world):
    client = client_for(queue_world.quality)
    pending = set(rows(client.get(QUEUE, {"tab": "pending"})))
    assert queue_world.t["suzhou"].number in pending
    assert queue_world.t["billing"].number in pending


def test_sort_is_whitelisted(queue_world):
    client = client_for(queue_world.handler_nj)
    ascending = rows(client.get(QUEUE, {"tab": "unit", "sort": "number"}))
    descending = rows(client.get(QUEUE, {"tab": "unit", "sort": "-number"}))
    assert ascending == sorted(ascending) and descending == ascending[::-1]
    by_created = rows(client.get(QUEUE, {"tab": "unit", "sort": "-created_at"}))
    assert by_created[0] == queue_world.t["parked"].number
    # an unknown column falls back to the deadline instead of reaching the ORM
    response = client.get(QUEUE, {"tab": "unit", "sort": "customer__id_number"})
    assert response.status_code == 200
    assert rows(response)[0] == queue_world.t["pending"].number  # overdue first


def test_filters(queue_world):
    t = queue_world.t
    client = client_for(queue_world.handler_nj)
    assert rows(client.get(QUEUE, {"tab": "pending", "category": "02"})) == [t["billing"].number]
    assert rows(client.get(QUEUE, {"tab": "pending", "category": "0101"})) == [t["pending"].number]
    assert rows(client.get(QUEUE, {"tab": "pending", "category": "99"})) == []
    assert rows(client.get(QUEUE, {"tab": "mine", "status": Status.SUSPENDED})) == [
        t["parked"].number
    ]
    assert set(rows(client.get(QUEUE, {"tab": "mine", "q": "光猫"}))) == {t["parked"].number}
    assert rows(client.get(QUEUE, {"tab": "pending", "q": "多扣"})) == [t["billing"].number]
    assert len(rows(client.get(QUEUE, {"tab": "unit", "phone": "13800001111"}))) == 3
    assert rows(client.get(QUEUE, {"tab": "unit", "phone": "13900002222"})) == []
    assert rows(client.get(QUEUE, {"tab": "unit", "urgency": "critical"})) == []
    # bad values are ignored, not errors
    assert client.get(QUEUE, {"status": "nope", "urgency": "x", "page": "z"}).status_code == 200


def test_htmx_gets_only_the_results(queue_world):
    client = client_for(queue_world.handler_nj)
    partial = client.get(QUEUE, {"tab": "unit"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="queue-filter"' not in partial and "<html" not in partial
    assert 'data-number="' in partial
    full = client.get(QUEUE, {"tab": "unit"}).content.decode()
    assert 'id="queue-filter"' in full


def _link(response, rel: str) -> str:
    match = re.search(rf'href="\?([^"]*)"[^>]*rel="{rel}"', response.content.decode())
    return html.unescape(match.group(1)) if match else ""


def test_pagination_fifty_per_page_by_cursor(world):
    # given 53 tickets in the unit's queue
    tickets = [world.new_ticket(title=f"批量-{i:02d}") for i in range(53)]
    numbers = sorted(t.number for t in tickets)
    client = client_for(world.handler_nj)
    # when the handler pages through, sorted by number, by the links the page offers
    first = client.get(QUEUE, {"tab": "unit", "sort": "number"})
    second = client.get(f"{QUEUE}?{_link(first, 'next')}")
    back = client.get(f"{QUEUE}?{_link(second, 'prev')}")
    # then pages follow each other without gaps or repeats, by cursor not page number
    assert "after=" in _link(first, "next") and "page=" not in _link(first, "next")
    assert rows(first) == numbers[:50] and rows(second) == numbers[50:]
    assert rows(back) == numbers[:50]
    assert not _link(first, "prev") and not _link(second, "next")
    assert "共 53 条" in first.content.decode()


def test_cursor_pages_keep_descending_sorts_and_survive_bad_cursors(world):
    tickets = [world.new_ticket(title=f"倒序-{i:02d}") for i in range(52)]
    numbers = sorted((t.number for t in tickets), reverse=True)
    client = client_for(world.handler_nj)
    first = client.get(QUEUE, {"tab": "unit", "sort": "-number"})
    second = client.get(f"{QUEUE}?{_link(first, 'next')}")
    assert rows(first) + rows(second) == numbers
    assert "sort=-number" in _link(first, "next")
    broken = client.get(QUEUE, {"tab": "unit", "sort": "-number", "after": "not-a-cursor"})
    assert broken.status_code == 200 and rows(broken) == numbers[:50]


def test_saved_view_create_list_and_delete(queue_world):
    client = client_for(queue_world.handler_nj)
    # when
    response = client.post(
        reverse("web:queue_save_view"), {"name": "挂起的", "qs": "tab=mine&status=suspended"}
    )
    # then
    view = SavedView.objects.get(owner=queue_world.handler_nj)
    assert view.query == "tab=mine&status=suspended&sort=due_at"
    assert response.status_code == 302 and f"view={view.pk}" in response["Location"]
    page = client.get(QUEUE).content.decode()
    assert "★ 挂起的" in page
    assert rows(client.get(QUEUE + "?" + view.query)) == [queue_world.t["parked"].number]
    # a duplicate name is refused
    again = client.post(reverse("web:queue_save_view"), {"name": "挂起的", "qs": "tab=unit"})
    assert again.status_code == 422 and "已有同名视图" in again.content.decode()
    # someone else cannot delete it
    other = client_for(queue_world.handler_nj_yz)
    assert other.post(reverse("web:queue_delete_view", args=[view.pk])).status_code == 404
    assert client.post(reverse("web:queue_delete_view", args=[view.pk])).status_code == 302
    assert not SavedView.objects.exists()
    assert "★ 挂起的" not in client.get(QUEUE).content.decode()


def test_bulk_accept_reports_each_ticket(queue_world):
    t = queue_world.t
    client = client_for(queue_world.handler_nj)
    response = client.post(
        reverse("web:queue_bulk", args=["accept"]),
        {"numbers": [t["pending"].number, t["working"].number], "qs": "tab=mine"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "成功 1 张,失败 1 张" in body
    assert t["working"].number in body.split('id="bulk-result"')[1].split("</div>")[0]
    t["pending"].refresh_from_db()
    assert t["pending"].status == Status.IN_PROGRESS
    assert t["pending"].owner_staff == queue_world.handler_nj


def test_bulk_accept_out_of_scope_fails_without_change(queue_world):
    suzhou = queue_world.t["suzhou"]
    client = client_for(queue_world.handler_nj)
    body = client.post(
        reverse("web:queue_bulk", args=["accept"]), {"numbers": [suzhou.number]}
    ).content.decode()
    assert "成功 0 张,失败 1 张" in body and "不存在" in body
    suzhou.refresh_from_db()
    assert suzhou.status == Status.PENDING


def test_bulk_transfer_and_urge(queue_world):
    t = queue_world.t
    client = client_for(queue_world.handler_nj)
    body = client.post(
        reverse("web:queue_bulk", args=["transfer"]),
        {"numbers": [t["working"].number], "to_unit": "NJ-YZ", "comment": "计费问题"},
    ).content.decode()
    assert "成功 1 张,失败 0 张" in body
    t["working"].refresh_from_db()
    assert t["working"].owner_unit == queue_world.nj_yz
    quality = client_for(queue_world.quality)
    body = quality.post(
        reverse("web:queue_bulk", args=["urge"]),
        {"numbers": [t["pending"].number, t["suzhou"].number]},
    ).content.decode()
    assert "成功 2 张,失败 0 张" in body
    # nothing selected is a 422 with a hint
    assert client.post(reverse("web:queue_bulk", args=["urge"]), {}).status_code == 422
    assert client.post(reverse("web:queue_bulk", args=["delete"]), {}).status_code == 404


def test_sla_countdown_is_rendered(queue_world):
    client = client_for(queue_world.handler_nj)
    body = client.get(QUEUE, {"tab": "unit"}).content.decode()
    assert 'class="badge sla breached"' in body and "超时 2小时" in body
    assert 'class="badge sla near"' in body
    assert "data-due=" in body


def test_login_required():
    assert Client().get(QUEUE).status_code == 302


def _count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queue_query_count_does_not_grow_with_rows(world):
    for i in range(3):
        world.new_ticket(title=f"少量-{i}")
    client = client_for(world.handler_nj)
    client.get(QUEUE)  # warm the session and reference caches
    few = _count_queries(client, {"tab": "unit"})
    for i in range(27):
        ticket = world.new_ticket(title=f"大量-{i}", customer_phone="13800001111")
        if i % 3 == 0:
            services.accept(ticket.number, actor=world.handler_nj)
    many = _count_queries(client, {"tab": "unit"})
    assert len(rows(client.get(QUEUE, {"tab": "unit"}))) == 30
    assert few == many
    assert many <= 10


def test_home_workbench_counts(queue_world):
    client = client_for(queue_world.handler_nj)
    body = client.get("/").content.decode()
    assert "我的待办" in body and "本单位未签收" in body
    assert "?tab=breached" in body and "?tab=near" in body
    assert queue_world.t["pending"].number in body


def test_suspended_items_show_a_paused_clock(queue_world):
    client = client_for(queue_world.handler_nj)
    body = client.get(QUEUE, {"tab": "suspended"}).content.decode()
    assert "已暂停计时" in body


def test_queue_and_ticket_render_in_english(queue_world):
    client = client_for(queue_world.handler_nj)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get(QUEUE).status_code == 200
    assert client.get(f"/tickets/{queue_world.t['working'].number}/").status_code == 200
    assert client.get("/").status_code == 200
