"""受理 in a real browser, keyboard only: the agent takes a call from start to finish."""

from datetime import timedelta

import pytest

from complaintloop.core import clock
from complaintloop.customers.models import Customer, CustomerListEntry, ListKind
from complaintloop.tickets.models import Status, Ticket

from .conftest import screenshot, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_take_a_call_with_the_keyboard_only(page, world):
    # given the caller already complained about broadband this month and is on the risk list
    earlier = world.new_ticket(description="宽带晚上掉线,上周已报修")
    CustomerListEntry.objects.create(
        customer=Customer.objects.get(phone="13800001111"),
        kind=ListKind.KEY_RISK,
        reason="扬言向工信部申诉",
        expires_at=clock.now() + timedelta(days=60),
    )
    sign_in(page, "agent_nj")
    # the agent tabs to 受理 in the navigation and opens it
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/intake/":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.base_url}/intake/")
    assert page.evaluate("document.activeElement.id") == "id_customer_phone"

    # when the agent types the caller's number, the customer 360 appears
    page.keyboard.type("13800001111")
    page.wait_for_selector("#c360-panel .name:has-text('王先生')", timeout=3000)
    panel = page.inner_text("#c360-panel")
    assert "138****1111" in panel and "重点风险客户" in panel and "扬言向工信部申诉" in panel
    assert earlier.number in panel and "疑似重复投诉" in panel

    # picks 宽带故障 in the category search with the arrow keys
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "cat-search"
    page.keyboard.type("宽带")
    page.wait_for_selector("#cat-results li[role=option][data-code='0101']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_category") == "0101"
    assert "网络质量/宽带故障" in page.inner_text("#cat-chip")
    page.wait_for_selector("#repeat-box:has-text('宽带故障')")

    # describes the problem (the picker moved focus to the description) and presses Alt+S
    assert page.evaluate("document.activeElement.id") == "id_description"
    page.keyboard.type("宽带又断了,晚上八点后无法上网,要求上门检修")
    screenshot(page, "intake")
    page.keyboard.press("Alt+S")

    # then the confirmation shows the new number and who got it; ready for the next call
    page.wait_for_selector("#confirmation")
    created = Ticket.objects.exclude(pk=earlier.pk).get()
    assert created.status == Status.PENDING and created.category.code == "0101"
    confirmation = page.inner_text("#confirmation")
    assert created.number in confirmation and "南京网管中心" in confirmation
    assert page.input_value("#id_customer_phone") == ""
    # htmx focuses [autofocus] when the swap settles, a moment after the confirmation shows
    wait_until(page, "document.activeElement.id === 'id_customer_phone'", timeout=3)
    screenshot(page, "intake-confirmation")


def test_first_contact_resolution_with_the_keyboard(page, world):
    sign_in(page, "agent_nj")
    page.goto(f"{page.base_url}/intake/")
    # 王先生 lives in Nanjing, so the agent's scope shows him in full
    page.keyboard.type("13800001111")
    page.wait_for_selector("#c360-panel .name:has-text('王先生')")
    page.keyboard.press("Tab")
    page.keyboard.type("0201")
    page.wait_for_selector("#cat-results li[data-code='0201']")
    page.keyboard.press("Enter")  # Enter takes the first match
    page.keyboard.type("咨询本月话费为何比上月多 20 元")
    # the first Alt+R opens the resolution box and focuses it, the second submits
    page.keyboard.press("Alt+R")
    assert page.evaluate("document.activeElement.id") == "id_resolution"
    page.keyboard.type("已解释为国际漫游费,客户认可")
    page.keyboard.press("Alt+R")
    page.wait_for_selector("#confirmation:has-text('已首问解决并归档')")
    ticket = Ticket.objects.get()
    assert ticket.status == Status.CLOSED and ticket.is_fcr


def test_errors_come_back_next_to_the_fields(page, world):
    sign_in(page, "agent_nj")
    page.goto(f"{page.base_url}/intake/")
    page.keyboard.type("13800001111")
    page.keyboard.press("Alt+S")  # no description yet
    page.wait_for_selector("#intake-error")
    assert page.is_visible(".has-error #id_description")
    assert page.evaluate("document.activeElement.id") == "id_description"
    assert not Ticket.objects.exists()


def test_a_number_from_another_region_shows_no_name_or_flags(page, world):
    sign_in(page, "agent_nj")
    page.goto(f"{page.base_url}/intake/")
    page.keyboard.type("13900002222")  # 李女士, a Suzhou VIP
    page.wait_for_selector("#c360-panel .name:has-text('其他地市客户')")
    panel = page.inner_text("#c360-panel")
    assert "李女士" not in panel and "VIP" not in panel
    assert "13900002222" not in panel
    screenshot(page, "intake-other-region")
