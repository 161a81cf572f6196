"""受理: the customer 360 panel an agent sees while the customer is on the line."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from complaintloop.core import clock
from complaintloop.customers.models import (
    ContactRecord,
    Customer,
    CustomerLevel,
    CustomerListEntry,
    ListKind,
)
from complaintloop.tickets import services
from complaintloop.tickets.models import Ticket

URL = "/intake/customer/"


@pytest.fixture
def agent(world):
    client = Client()
    client.force_login(world.agent_nj)
    return client


def _closed(world, result, **fields):
    ticket = world.new_ticket(**fields)
    handler = world.handler_nj_yz if fields.get("category") == "0201" else world.handler_nj
    services.accept(ticket.number, actor=handler)
    services.reply(ticket.number, actor=handler, comment="已处理")
    return services.callback(ticket.number, actor=world.agent_nj, result=result)


def test_known_customer_shows_level_flags_tickets_contacts_and_satisfaction(world, agent):
    # given an open ticket, two closed ones with verdicts, a flag and an SMS contact
    open_ticket = world.new_ticket()
    satisfied = _closed(world, "satisfied", category="0201", description="话费多扣")
    _closed(world, "neutral", description="网速慢")
    customer = Customer.objects.get(phone="13800001111")
    Customer.objects.filter(pk=customer.pk).update(
        level=CustomerLevel.GOLD, is_enterprise=True, enterprise_name="南京钢铁集团"
    )
    CustomerListEntry.objects.create(
        customer=customer,
        kind=ListKind.BLACKLIST,
        reason="多次恶意投诉",
        expires_at=clock.now() + timedelta(days=90),
    )
    ContactRecord.objects.create(
        customer=customer, channel="sms", summary="短信询问进度", at=clock.now()
    )
    # when the agent types the number
    response = agent.get(URL, {"customer_phone": "13800001111"}, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "王先生" in html and "金卡" in html and "南京钢铁集团" in html
    assert "138****1111" in html and "13800001111" not in html  # PII masked
    assert "南京分公司" in html
    assert "黑名单" in html and "多次恶意投诉" in html
    # the expiry date as shown, in local time (it is the next day after 16:00 UTC)
    assert clock.localtime(clock.now() + timedelta(days=90)).strftime("%Y-%m-%d") in html
    assert f'href="/tickets/{open_ticket.number}/"' in html
    assert "南京网管中心" in html and "待签收" in html
    assert satisfied.number in html  # past ticket
    assert "短信询问进度" in html and "短信" in html  # contacts across channels
    assert any(r.ticket_number == open_ticket.number for r in response.context["c360"].contacts)
    assert response.context["c360"].satisfaction == {
        "satisfied": 1,
        "neutral": 1,
        "dissatisfied": 0,
    }
    # the form's new-customer name field is cleared (out of band)
    assert 'id="new-customer-slot" class="field" hx-swap-oob="true"></div>' in html


def test_repeat_warning_lists_recent_tickets_of_the_same_category(world, agent):
    # given a broadband ticket today and a billing one, and an old broadband one
    broadband = world.new_ticket(category="0101")
    billing = world.new_ticket(category="0201", description="话费异常")
    old = world.new_ticket(category="0101", description="上月掉线")
    Ticket.objects.filter(pk=old.pk).update(created_at=clock.now() - timedelta(days=31))
    # when no category is chosen yet, every recent ticket counts
    html = agent.get(URL, {"customer_phone": "13800001111"}).content.decode()
    assert "疑似重复投诉" in html
    assert broadband.number in html and billing.number in html
    # when the agent picks 宽带故障, only that category within 30 days is listed
    response = agent.get("/intake/repeat/", {"customer_phone": "13800001111", "category": "0101"})
    html = response.content.decode()
    assert "疑似重复投诉" in html and "宽带故障" in html
    assert broadband.number in html
    assert billing.number not in html and old.number not in html


def test_no_repeat_warning_for_a_first_complaint(world, agent):
    html = agent.get(URL, {"customer_phone": "13800001111"}).content.decode()
    assert "疑似重复投诉" not in html
    assert "无在途工单" in html and "无历史工单" in html


def test_unknown_number_offers_a_new_customer(world, agent):
    response = agent.get(URL, {"customer_phone": "13712345678"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "新客户" in html
    assert 'name="customer_name"' in html and 'hx-swap-oob="true"' in html


def test_tickets_outside_the_agents_scope_are_not_shown(world, agent):
    # given a ticket for the same customer filed in 苏州 by a 苏州 agent
    foreign = world.new_ticket(actor=world.agent_sz, region="SZ", category="0201")
    mine = world.new_ticket()
    html = agent.get(URL, {"customer_phone": "13800001111"}).content.decode()
    assert mine.number in html
    assert f'href="/tickets/{foreign.number}/"' not in html
    assert foreign.number not in [t.number for t in agent_view(agent).open_tickets]


def agent_view(client):
    return client.get(URL, {"customer_phone": "13800001111"}).context["c360"]


def test_too_short_a_number_does_not_look_up(world, agent):
    response = agent.get(URL, {"customer_phone": "138"})
    assert response.context["c360"] is None
    assert "新客户" not in response.content.decode()


def test_360_needs_sign_in(world):
    response = Client().get(URL, {"customer_phone": "13800001111"})
    assert response.status_code == 302


def _history(world, n):
    """n tickets for the caller: a third open, the rest resolved at first contact."""
    customer = Customer.objects.get(phone="13800001111")
    for i in range(n):
        ticket = world.new_ticket(
            description=f"第 {i} 次反映",
            resolve_now=i % 3 != 0,
            resolution="已解释",
            category="0101" if i % 2 else "0201",
        )
        ContactRecord.objects.create(
            customer=customer,
            channel="email",
            summary=f"邮件 {i}",
            ticket_number=ticket.number,
            at=clock.now(),
        )


def test_360_query_count_does_not_grow_with_history(world, django_assert_num_queries):
    client = Client()
    client.force_login(world.agent_nj)
    params = {"customer_phone": "13800001111", "category": "0101"}
    _history(world, 3)
    client.get(URL, params)  # warm the per-process reference caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, params).status_code == 200
    _history(world, 27)
    with django_assert_num_queries(len(few)):
        response = client.get(URL, params)
    assert len(response.context["c360"].past_tickets) == 10
    assert len(response.context["c360"].contacts) == 10
    # session, user, scope unit + customer, flags, open, past, contacts, their
    # visibility, satisfaction counts, repeats
    assert len(few) <= 11, [q["sql"] for q in few.captured_queries]
