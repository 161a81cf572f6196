"""One complaint end to end, each person in their own page: the agent takes the call at
/intake/, the handler accepts it from /queues/ and asks another unit for assistance, that
unit answers from its own queue, the handler replies, the customer
tracks it in /portal/ with the SMS code and is satisfied, and the supervisor sees
it closed on /console/."""

import re

import pytest

from complaintloop.notify.models import SmsMessage
from complaintloop.tickets.models import EventKind, Status, Ticket

from .conftest import screenshot, sign_in, wait_until

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

    # 2. the handler of 南京网管中心 finds it in the queue, accepts it and asks
    #    南京业务支撑中心 to check the billing
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
    page.click("button[data-action=request_assistance]")
    page.select_option("#form-request_assistance select[name=units]", ["NJ-YZ"])
    page.fill("#form-request_assistance textarea[name=comment]", "请核查该用户近三个月计费记录")
    page.click("#form-request_assistance button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已发起协办")
    sign_out(page)

    # 3. 南京业务支撑中心 answers the assistance from its own queue
    sign_in(page, "handler_nj_yz")
    page.goto(f"{page.base_url}/queues/")
    page.click(f"table.queue a[href='/tickets/{number}/']")
    page.click("button[data-action=complete_assistance]")
    page.fill("#form-complete_assistance textarea[name=comment]", "计费记录核查正常,无异常扣费")
    page.click("#form-complete_assistance button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已完成协办")
    sign_out(page)

    # 4. the handler replies to the customer
    sign_in(page, "handler_nj")
    page.goto(f"{page.base_url}/tickets/{number}/")
    assert "计费记录核查正常" in page.inner_text("#timeline")
    page.click("button[data-action=reply]")
    page.fill("#form-reply textarea[name=comment]", "已更换楼道交换机端口,晚间测速恢复 300M")
    page.click("#form-reply button[type=submit]")
    page.wait_for_selector(".notice.flash >> text=已回复")
    assert page.inner_text("#ticket-status") == "待回访"
    sign_out(page)

    # 5. the customer tracks it with the SMS code and is satisfied
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
    page.check("#survey input[name=result][value=satisfied]")
    page.fill("#survey textarea[name=comment]", "晚上不掉线了,谢谢")
    page.click("#survey button[type=submit]")
    page.wait_for_selector(".flash")
    ticket = Ticket.objects.get(number=number)
    assert ticket.status == Status.CLOSED and ticket.satisfaction == "satisfied"
    assert ticket.events.filter(kind=EventKind.CALLED_BACK).exists()

    # 6. the supervisor sees it taken and closed today in the console's charts
    sign_in(page, "supervisor_nj")
    page.goto(f"{page.base_url}/console/")
    wait_until(page, "document.body.dataset.chartsReady === '1'")
    assert "在途待办 0" in page.inner_text("#counts")  # nothing of it is left open
    data = page.evaluate("fetch('/console/data.json').then(r => r.json())")
    assert data["intake"]["today"][data["intake"]["now_hour"]] >= 1
    assert data["backlog"]["closed"][-1] == 1 and data["backlog"]["backlog"][-1] == 0
    assert data["labels"]["backlog"] == "日终在途"
    screenshot(page, "journey-console")
