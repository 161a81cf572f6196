import re

import pytest

from complaintloop.notify.models import SmsMessage
from complaintloop.tickets import services
from complaintloop.tickets.models import Channel, Status, Ticket

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _solve(question: str) -> str:
    a, b = re.findall(r"\d+", question)[:2]
    return str(int(a) + int(b))


def test_customer_submits_tracks_and_answers_the_survey(page, world):
    page.set_viewport_size({"width": 430, "height": 900})
    # a customer files a complaint
    page.goto(f"{page.base_url}/portal/")
    page.fill("input[name=name]", "赵女士")
    page.fill("input[name=phone]", "13700003333")
    page.select_option("select[name=city]", "NJ")
    page.select_option("select[name=category]", "0101")
    page.fill("textarea[name=description]", "小区宽带从昨天晚上开始一直断网,重启光猫也没用")
    page.fill("input[name=captcha]", _solve(page.inner_text(".captcha strong")))
    screenshot(page, "portal")
    page.click("button[type=submit]")
    number = page.inner_text("#ticket-number").strip()
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == Channel.WEB
    # the ticket is handled and replied by staff
    services.accept(number, actor=world.handler_nj)
    services.comment(number, actor=world.handler_nj, comment="内部:已联系装维")
    services.reply(number, actor=world.handler_nj, comment="已更换楼道分光器,网络已恢复")
    # she tracks it with the code from the SMS
    page.click("text=查询进度")
    page.fill("input[name=phone]", "13700003333")
    page.click("button[type=submit]")
    sms = SmsMessage.objects.filter(phone="13700003333", outbox_id__lt=0).latest("id")
    page.fill("input[name=code]", re.search(r"验证码为 (\d{6})", sms.text).group(1))
    page.click("button[type=submit]")
    page.wait_for_selector("#survey")
    body = page.inner_text("main")
    assert "已更换楼道分光器" in body
    assert "内部:已联系装维" not in body
    screenshot(page, "portal_track")
    # and answers the survey
    page.click("text=满意")
    page.click("#survey button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert Ticket.objects.get(number=number).status == Status.CLOSED
    assert "已办结" in page.inner_text("main")
