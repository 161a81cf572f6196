"""The customer portal: submit, verify by SMS code, follow, survey, reopen."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from complaintloop.core import clock
from complaintloop.notify.models import SmsMessage
from complaintloop.org.models import Role
from complaintloop.portal import services as portal
from complaintloop.portal.models import PortalVerification
from complaintloop.tickets import services
from complaintloop.tickets.models import Channel, EventKind, Status, Ticket

FORM = {
    "name": "赵女士",
    "phone": "13700003333",
    "city": "NJ",
    "category": "0101",
    "description": "小区宽带从昨天晚上开始一直断网,重启光猫也没用",
}


def _captcha(client: Client) -> str:
    client.get("/portal/")
    return str(client.session[portal.SESSION_CAPTCHA])


def _submit(client: Client, **overrides):
    data = {**FORM, "captcha": _captcha(client), **overrides}
    return client.post("/portal/", data)


def _request_code(client: Client, number: str, phone: str):
    return client.post("/portal/track/", {"number": number, "phone": phone})


def _last_code(phone: str) -> str:
    sms = SmsMessage.objects.filter(phone=phone, outbox_id__lt=0).order_by("-id").first()
    return re.search(r"验证码为 (\d{6})", sms.text).group(1)


def _verified(client: Client, ticket: Ticket, phone: str = "13800001111") -> None:
    assert _request_code(client, ticket.number, phone).status_code == 302
    response = client.post("/portal/track/verify/", {"code": _last_code(phone)})
    assert response.status_code == 302
    assert response["Location"] == f"/portal/t/{ticket.number}/"


def _replied(world, ticket: Ticket) -> Ticket:
    services.accept(ticket.number, actor=world.handler_nj)
    services.reply(ticket.number, actor=world.handler_nj, comment="已更换分光器,网络恢复正常")
    return Ticket.objects.get(pk=ticket.pk)


def test_submit_creates_a_web_ticket_as_the_city_portal_actor(world):
    client = Client()
    response = _submit(client)
    assert response.status_code == 302
    ticket = Ticket.objects.get(customer__phone="13700003333")
    assert ticket.channel == Channel.WEB
    assert ticket.customer.name == "赵女士"
    assert ticket.region == world.nanjing
    assert ticket.accepting_unit == world.nj_kf
    assert ticket.created_by.username == "portal-NJ"
    assert ticket.created_by.role == Role.AGENT
    assert not ticket.created_by.has_usable_password()
    assert ticket.status == Status.PENDING  # routed to 南京网管 like any other ticket
    done = client.get(response["Location"]).content.decode()
    assert ticket.number in done


def test_wrong_captcha_is_a_400_with_an_error(world):
    client = Client()
    _captcha(client)
    response = client.post("/portal/", {**FORM, "captcha": "999"})
    assert response.status_code == 400
    assert "验证码计算结果不正确" in response.content.decode()
    assert not Ticket.objects.exists()


def test_missing_fields_are_shown_per_field(world):
    response = _submit(Client(), phone="123", description="短")
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写 11 位手机号码" in body
    assert "请至少用 10 个字描述问题" in body


def test_posts_need_csrf(world):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/portal/", FORM).status_code == 403
    assert client.post("/portal/track/", {"number": "x", "phone": "1"}).status_code == 403


def test_submissions_are_rate_limited_per_phone(world):
    client = Client()
    for _ in range(3):
        assert _submit(client).status_code == 302
    limited = _submit(client)
    assert limited.status_code == 429
    assert "操作过于频繁" in limited.content.decode()
    assert Ticket.objects.count() == 3
    # another phone from the same address still gets through, until the IP limit
    assert _submit(client, phone="13700004444").status_code == 302


def test_submissions_are_rate_limited_per_ip(world, monkeypatch):
    monkeypatch.setitem(portal.LIMITS, portal.RateKind.SUBMIT_IP, (2, timedelta(hours=1)))
    client = Client()
    assert _submit(client, phone="13700000001").status_code == 302
    assert _submit(client, phone="13700000002").status_code == 302
    assert _submit(client, phone="13700000003").status_code == 429
    # a different address is not affected
    assert _submit(Client(REMOTE_ADDR="10.0.0.9"), phone="13700000004").status_code == 302


def test_tracking_needs_the_code_sent_by_sms(world):
    ticket = world.new_ticket()
    client = Client()
    assert client.get(f"/portal/t/{ticket.number}/").status_code == 302
    assert _request_code(client, ticket.number, "13800001111").status_code == 302
    sms = SmsMessage.objects.get(phone="13800001111", outbox_id__lt=0)
    assert ticket.number in sms.text
    verification = PortalVerification.objects.get()
    assert sms.outbox_id == -verification.pk
    assert _last_code("13800001111") not in verification.code_hash
    response = client.post("/portal/track/verify/", {"code": _last_code("13800001111")})
    assert response.status_code == 302
    page = client.get(f"/portal/t/{ticket.number}/")
    assert page.status_code == 200
    assert "已受理" in page.content.decode()
    # another visitor (another session) still cannot see it
    assert Client().get(f"/portal/t/{ticket.number}/").status_code == 302


def test_wrong_phone_sends_nothing_and_looks_the_same(world):
    ticket = world.new_ticket()
    client = Client()
    response = _request_code(client, ticket.number, "13999999999")
    assert response.status_code == 302  # same answer as the right phone
    assert not SmsMessage.objects.exists()
    assert client.post("/portal/track/verify/", {"code": "123456"}).status_code == 400


def test_five_wrong_codes_lock_the_code(world):
    ticket = world.new_ticket()
    client = Client()
    _request_code(client, ticket.number, "13800001111")
    code = _last_code("13800001111")
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = client.post("/portal/track/verify/", {"code": wrong})
        assert response.status_code == 400
        assert f"还可尝试 {left} 次" in response.content.decode()
    locked = client.post("/portal/track/verify/", {"code": wrong})
    assert locked.status_code == 409
    # now even the right code is refused
    again = client.post("/portal/track/verify/", {"code": code})
    assert again.status_code == 409
    assert "错误次数过多" in again.content.decode()
    assert client.get(f"/portal/t/{ticket.number}/").status_code == 302


def test_codes_expire_after_ten_minutes(world):
    ticket = world.new_ticket()
    client = Client()
    _request_code(client, ticket.number, "13800001111")
    with time_machine.travel(clock.now() + timedelta(minutes=11)):
        response = client.post("/portal/track/verify/", {"code": _last_code("13800001111")})
    assert response.status_code == 400
    assert "已过期" in response.content.decode()


def test_code_requests_are_limited_to_three_per_phone_per_hour(world):
    ticket = world.new_ticket()
    client = Client()
    for _ in range(3):
        assert _request_code(client, ticket.number, "13800001111").status_code == 302
    assert _request_code(client, ticket.number, "13800001111").status_code == 429
    assert SmsMessage.objects.filter(outbox_id__lt=0).count() == 3
    with time_machine.travel(clock.now() + timedelta(minutes=61)):
        assert _request_code(client, ticket.number, "13800001111").status_code == 302


def test_access_lasts_thirty_minutes(world):
    ticket = world.new_ticket()
    client = Client()
    _verified(client, ticket)
    with time_machine.travel(clock.now() + timedelta(minutes=31)):
        assert client.get(f"/portal/t/{ticket.number}/").status_code == 302


def test_trace_is_friendly_and_hides_internal_work(world):
    ticket = world.new_ticket()
    world.handler_nj.display_name = "张处理"
    world.handler_nj.save()
    services.accept(ticket.number, actor=world.handler_nj)
    services.comment(ticket.number, actor=world.handler_nj, comment="内部备注:疑似恶意投诉")
    services.urge(ticket.number, actor=world.supervisor_nj, comment="班长催办")
    services.transfer(ticket.number, actor=world.handler_nj, to_unit="NJ-YZ", comment="转业务支撑")
    services.accept(ticket.number, actor=world.handler_nj_yz)
    services.reply(ticket.number, actor=world.handler_nj_yz, comment="已为您重置端口,网络恢复")
    client = Client()
    _verified(client, ticket)
    body = client.get(f"/portal/t/{ticket.number}/").content.decode()
    for shown in ("已受理", "处理部门已签收", "已转交", "处理完成", "已为您重置端口,网络恢复"):
        assert shown in body
    for hidden in (
        "内部备注",
        "班长催办",
        "转业务支撑",
        "张处理",
        "handler_nj",
        "南京网管中心",
        "南京业务支撑中心",
    ):
        assert hidden not in body


def test_survey_satisfied_closes_the_ticket(world):
    ticket = _replied(world, world.new_ticket())
    client = Client()
    _verified(client, ticket)
    page = client.get(f"/portal/t/{ticket.number}/").content.decode()
    assert 'name="result"' in page
    response = client.post(
        f"/portal/t/{ticket.number}/survey/", {"result": "satisfied", "comment": "很快"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.satisfaction == "satisfied"
    event = ticket.events.get(kind=EventKind.CALLED_BACK)
    assert event.actor.username == "portal-NJ"
    assert "已评价:满意" in client.get(f"/portal/t/{ticket.number}/").content.decode()


def test_survey_dissatisfied_sends_it_back_for_second_handling(world):
    ticket = _replied(world, world.new_ticket())
    client = Client()
    _verified(client, ticket)
    client.post(f"/portal/t/{ticket.number}/survey/", {"result": "dissatisfied", "comment": "还断"})
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.second_handling is True
    assert ticket.owner_unit == world.nj_wg


def test_survey_only_when_replied_and_only_for_the_verified_ticket(world):
    ticket = world.new_ticket()
    other = _replied(world, world.new_ticket())
    client = Client()
    _verified(client, ticket)
    bad = client.post(f"/portal/t/{ticket.number}/survey/", {"result": "satisfied"})
    assert bad.status_code == 409
    # the verified session cannot touch another ticket
    assert (
        client.post(f"/portal/t/{other.number}/survey/", {"result": "satisfied"}).status_code == 302
    )
    other.refresh_from_db()
    assert other.status == Status.REPLIED


def test_reopen_within_seven_days_and_refused_after_eight(world):
    ticket = _replied(world, world.new_ticket())
    client = Client()
    _verified(client, ticket)
    client.post(f"/portal/t/{ticket.number}/survey/", {"result": "neutral"})
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    late = world.new_ticket()
    late = _replied(world, late)
    services.callback(late.number, actor=world.agent_nj, result="satisfied")
    # within 7 days: reopened to the last handling unit
    with time_machine.travel(clock.now() + timedelta(days=6)):
        portal.grant(session := client.session, ticket.number)
        session.save()
        page = client.get(f"/portal/t/{ticket.number}/").content.decode()
        assert "申请重新处理" in page
        response = client.post(f"/portal/t/{ticket.number}/reopen/", {"reason": "又断网了"})
        assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.reopen_count == 1
    assert "又断网了" in ticket.events.get(kind=EventKind.REOPENED).comment
    # after 8 days: refused
    with time_machine.travel(clock.now() + timedelta(days=8)):
        portal.grant(session := client.session, late.number)
        session.save()
        assert "申请重新处理" not in client.get(f"/portal/t/{late.number}/").content.decode()
        refused = client.post(f"/portal/t/{late.number}/reopen/", {"reason": "又断网了"})
        assert refused.status_code == 409
        assert "超过 7 天" in refused.content.decode()
    late.refresh_from_db()
    assert late.status == Status.CLOSED


@pytest.mark.parametrize("city", ["NJ", "SZ"])
def test_portal_actor_is_per_city_and_reused(world, city):
    unit = world.nanjing if city == "NJ" else world.suzhou
    first = portal.actor_for(unit)
    assert portal.actor_for(unit) == first
    assert first.unit.code == f"{city}-KF"
    assert first.scope_unit == unit
    assert first.can_supervise is False


def test_the_customer_chooses_english_and_no_sms_for_ticket_news(world):
    from complaintloop.core import outbox
    from complaintloop.notify.models import CustomerPreference

    ticket = world.new_ticket()
    client = Client()
    # given a visitor without verified access cannot change anything
    denied = client.post(f"/portal/t/{ticket.number}/preferences/", {"language": "en"})
    assert denied.status_code == 302 and "/portal/track/" in denied["Location"]
    assert not CustomerPreference.objects.exists()
    # when the verified customer picks English and turns SMS off
    _verified(client, ticket)
    page = client.get(f"/portal/t/{ticket.number}/").content.decode()
    assert 'id="preferences"' in page and 'name="sms_enabled" checked' in page
    response = client.post(
        f"/portal/t/{ticket.number}/preferences/", {"language": "en", "email_enabled": "on"}
    )
    assert response.status_code == 302
    pref = CustomerPreference.objects.get(customer=ticket.customer)
    assert (pref.language, pref.sms_enabled, pref.email_enabled) == ("en", False, True)
    # then the next step of the ticket sends no SMS to the customer
    outbox.drain()
    before = SmsMessage.objects.filter(phone="13800001111", outbox_id__gt=0).count()
    services.accept(ticket.number, actor=world.handler_nj)
    outbox.drain()
    assert SmsMessage.objects.filter(phone="13800001111", outbox_id__gt=0).count() == before
    # and an unknown language is a 400 next to the field
    bad = client.post(f"/portal/t/{ticket.number}/preferences/", {"language": "fr"})
    assert bad.status_code == 400 and "请选择中文或 English" in bad.content.decode()
