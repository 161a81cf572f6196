from datetime import timedelta

import pytest

from complaintloop.core import clock
from complaintloop.tickets.models import EventKind, SlaState, Status, Ticket, WorkItem

from ..conftest import _ensure_migrated_reference_data
from .conftest import screenshot, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _reference_data(world):
    """A previous transactional test's flush may have removed the migrated processes."""
    _ensure_migrated_reference_data()


TITLES = [
    ("宽带晚高峰频繁掉线", "0101"),
    ("光猫指示灯红色闪烁无法上网", "0101"),
    ("本月话费比上月多出 80 元", "0201"),
    ("小区宽带维修后网速只有 10M", "0101"),
    ("未订购的视频会员被扣费", "0201"),
]


def sign_out(page) -> None:
    page.click("header form[action='/logout/'] button")
    page.wait_for_url(f"{page.base_url}/login/")


def test_handle_a_ticket_from_the_queue_with_assistance(page, world):
    # given a few 南京 tickets, one about to breach and one overdue
    tickets = [world.new_ticket(title=title, category=code) for title, code in TITLES]
    WorkItem.objects.filter(ticket=tickets[1]).update(sla_state=SlaState.NEAR)
    WorkItem.objects.filter(ticket=tickets[3]).update(
        due_at=clock.now() - timedelta(hours=3), sla_state=SlaState.BREACHED
    )

    # when handler_nj opens the queue and walks it with the keyboard
    sign_in(page, "handler_nj")
    page.goto(f"{page.base_url}/queues/")
    page.wait_for_selector("table.queue tbody tr[data-href]")
    assert "我的待办" in page.inner_text("nav.tabs")
    screenshot(page, "queue")
    first = page.get_attribute("table.queue tbody tr[data-href]:nth-child(1)", "data-number")
    page.keyboard.press("j")
    assert "focused" in page.get_attribute("table.queue tbody tr:nth-child(1)", "class")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.base_url}/tickets/{first}/")
    number = first

    # and accepts it
    page.click("button[data-action=accept]")
    page.click("#form-accept button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已签收")
    assert page.inner_text("#ticket-status") == "处理中"

    # and asks 南京业务支撑中心 for assistance
    page.click("button[data-action=request_assistance]")
    page.select_option("#form-request_assistance select[name=units]", ["NJ-YZ"])
    page.fill("#form-request_assistance textarea[name=comment]", "请核查该用户近三个月计费记录")
    page.click("#form-request_assistance button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已发起协办")
    assert "南京业务支撑中心" in page.inner_text("#work-items")
    assert page.locator("button[data-action=reply]").count() == 0
    sign_out(page)

    # then handler_nj_yz finds it in their queue and completes the assistance
    sign_in(page, "handler_nj_yz")
    page.goto(f"{page.base_url}/queues/")
    page.click(f"table.queue a[href='/tickets/{number}/']")
    page.wait_for_url(f"{page.base_url}/tickets/{number}/")
    page.click("button[data-action=complete_assistance]")
    page.fill("#form-complete_assistance textarea[name=comment]", "计费记录核查正常,无异常扣费")
    page.click("#form-complete_assistance button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已完成协办")
    sign_out(page)

    # and handler_nj replies from a template
    sign_in(page, "handler_nj")
    page.goto(f"{page.base_url}/tickets/{number}/")
    page.click("button[data-action=reply]")
    page.select_option("#form-reply select[data-reply-template]", "broadband_fixed")
    text = page.input_value("#form-reply textarea[name=comment]")
    assert "王先生您好" in text and number in text
    page.click("#form-reply button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已回复")
    assert page.inner_text("#ticket-status") == "待回访"
    assert "回复" in page.inner_text("#timeline")
    screenshot(page, "ticket")

    ticket = Ticket.objects.get(number=number)
    assert ticket.status == Status.REPLIED
    kinds = list(ticket.events.order_by("seq").values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.ACCEPTED,
        EventKind.ASSIST_REQUESTED,
        EventKind.ASSIST_COMPLETED,
        EventKind.REPLIED,
    ]


def test_queue_filters_and_shortcuts(page, world):
    world.new_ticket(title="宽带晚高峰频繁掉线")
    world.new_ticket(title="话费异常", category="0201")
    sign_in(page, "handler_nj")
    page.goto(f"{page.base_url}/queues/?tab=pending")
    page.wait_for_selector("table.queue tbody tr[data-href]")
    assert page.locator("table.queue tbody tr[data-href]").count() == 2
    # "/" focuses the search; typing filters through htmx and pushes the URL
    page.keyboard.press("/")
    page.keyboard.type("话费")
    wait_until(page, "document.querySelectorAll('table.queue tbody tr[data-href]').length === 1")
    assert "q=" in page.url
    # x toggles the focused row's checkbox
    page.click("main h1")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.is_checked("table.queue tbody tr:nth-child(1) input[type=checkbox]")
    page.click("#bulk-form button:has-text('批量签收')")
    page.wait_for_selector("#bulk-result")
    assert "成功 0 张,失败 1 张" in page.inner_text("#bulk-result")
