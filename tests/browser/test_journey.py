"""One complaint end to end, each person in their own page: the agent takes the call at
/intake/, the handler accepts and replies from /queues/ and the ticket page, the customer
tracks it in /portal/ with the SMS code and answers the survey, and the supervisor sees
the outcome on /console/."""

import re

import pytest

from complaintloop.notify.models import SmsMessage
from complaintloop.tickets.models import EventKind, Status, Ticket

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_out(page) -> None:
    page.click("header form[action='/logout/'] button")
    page.wait_for_url(f"{page.base_url}/login/")


def test_a_complaint_from_call_to_console(page, world):
    # 1. the agent takes the call: the 360 panel and the partner systems show the caller
    sign_in(page, "agent_nj")
    page.goto(f"{page.base_url}/intake/")
    page.keyboard.type("13800001111")
    page.wait_for_selector("#c360-panel .name:has-text('王先生')")
    page.wait_for_selector("#partner-panel h4:has-text('近期账单')")
    assert "138****1111" in page.inner_text("#c360-panel")
    page.keyboard.press("Tab")
    page.keyboard.type("0101")
    page.wait_for_selector("#cat-results li[data-code='0101']")
    page.keyboard.press("Enter")
    page.keyboard.type("宽带晚上八点后频繁掉线,光猫灯正常")
    page.keyboard.press("Alt+S")
    page.wait_for_selector("#confirmation")
    number = Ticket.objects.get().number
    confirmation = page.inner_text("#confirmation")
    assert number in confirmation and "南京网管中心" in confirmation
    sign_out(page)

    # 2. the handler of 南京网管中心 finds it in the queue, accepts and replies
    sign_in(page, "handler_nj")
    page.goto(f"{page.base_url}/queues/")
    row = page.locator(f"table.queue tr[data-number='{number}']")
    assert "未签收" in row.inner_text()
    page.click(f"table.queue a[href='/tickets/{number}/']")
    page.wait_for_url(f"{page.base_url}/tickets/{number}/")
    assert "规则「网络类→网管」派往 南京网管中心" in page.inner_text("#timeline")
    assert "外部系统" in page.inner_text("aside")  # the snapshot taken at intake
    page.click("button[data-action=accept]")
    page.click("#form-accept button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已签收")
    page.click("button[data-action=reply]")
    page.fill("#form-reply textarea[name=comment]", "已更换楼道交换机端口,晚间测速恢复 300M")
    page.click("#form-reply button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已回复")
    assert page.inner_text("#ticket-status") == "待回访"
    sign_out(page)

    # 3. the customer tracks it with the SMS code and is not satisfied
    page.goto(f"{page.base_url}/portal/track/")
    page.fill("input[name=number]", number)
    page.fill("input[name=phone]", "13800001111")
    page.click("button[type=submit]")
    page.wait_for_selector("input[name=code]")
    sms = SmsMessage.objects.filter(phone="13800001111", outbox_id__lt=0).latest("id")
    page.fill("input[name=code]", re.search(r"验证码为 (\d{6})", sms.text).group(1))
    page.click("button[type=submit]")
    page.wait_for_selector("#survey")
    body = page.inner_text("main")
    assert number in body and "已更换楼道交换机端口" in body
    page.click("text=不满意")
    page.fill("#survey textarea[name=comment]", "晚上还是掉线")
    page.click("#survey button[type=submit]")
    page.wait_for_selector(".flash")
    ticket = Ticket.objects.get(number=number)
    assert ticket.status != Status.CLOSED and ticket.satisfaction == "dissatisfied"
    assert ticket.events.filter(kind=EventKind.CALLED_BACK).exists()

    # 4. the supervisor sees the ticket back in 南京网管中心's load and in today's charts
    sign_in(page, "supervisor_nj")
    page.goto(f"{page.base_url}/console/")
    page.wait_for_function("document.body.dataset.chartsReady === '1'")
    counts = page.inner_text("#counts")
    assert "南京网管中心" in counts
    data = page.evaluate("fetch('/console/data.json').then(r => r.json())")
    assert data["intake"]["today"][data["intake"]["now_hour"]] >= 1
    assert data["backlog"]["backlog"][-1] == 1
    assert data["labels"]["backlog"] == "日终在途"
    screenshot(page, "journey-console")
