"""受理: creating a ticket from the intake form with each of the three buttons."""

import re

import pytest
from django.test import Client

from complaintloop.customers.models import Customer
from complaintloop.tickets.models import EventKind, Status, Ticket

URL = "/intake/"


@pytest.fixture
def agent(world):
    client = Client()
    client.force_login(world.agent_nj)
    return client


def _form(**overrides):
    data = {
        "idempotency_key": "4b1f0c7e0d8a4a52a3f0a1c2d3e4f501",
        "customer_phone": "13800001111",
        "customer_name": "",
        "order_type": "complaint",
        "channel": "phone",
        "category": "0101",
        "urgency": "",
        "product": "",
        "sp": "",
        "title": "",
        "description": "家中宽带晚上八点后频繁掉线",
        "resolution": "",
        "pre_handling": "",
        "action": "dispatch",
    }
    data.update(overrides)
    return data


def _post(client, **overrides):
    return client.post(URL, _form(**overrides), HTTP_HX_REQUEST="true")


def test_the_page_opens_with_the_phone_field_focused(world, agent):
    response = agent.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_customer_phone"[^>]*autofocus', html, re.S)
    assert 'name="idempotency_key"' in html
    assert "提交派单" in html and "首问解决" in html and "预处理" in html
    assert "Alt+S" in html
    assert "工信部/监管转办" in html  # every channel is offered
    assert 'hx-trigger="phone-ready changed delay:250ms' in html


def test_every_render_gets_a_fresh_idempotency_key(world, agent):
    keys = {agent.get(URL).context["idempotency_key"] for _ in range(2)}
    assert len(keys) == 2


def test_page_query_count(world, agent, django_assert_max_num_queries):
    agent.get(URL)
    # session, user, the header's unit; the reference lists are cached
    with django_assert_max_num_queries(3):
        agent.get(URL)


def test_dispatch_routes_and_confirms(world, agent):
    # when the agent presses 提交派单
    response = _post(agent)
    # then the ticket waits for 南京网管中心 and the confirmation says so
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.status == Status.PENDING
    assert ticket.owner_unit == world.nj_wg
    assert ticket.created_by == world.agent_nj
    html = response.content.decode()
    assert 'id="confirmation"' in html
    assert f'href="/tickets/{ticket.number}/"' in html
    assert "南京网管中心" in html and "网络类→网管" in html  # owner and routing reason
    assert ticket.due_at.astimezone().strftime("%Y-%m-%d") in html
    # the form is reset for the next call, with a new key, focus on the phone
    assert response.context["idempotency_key"] != _form()["idempotency_key"]
    assert response.context["values"].get("customer_phone", "") == ""
    assert re.search(r'id="id_customer_phone"[^>]*value=""', html, re.S)
    assert "<html" not in html  # htmx gets the partial


def test_resolve_at_first_contact_closes(world, agent):
    response = _post(agent, action="resolve", resolution="已指导客户重启光猫,恢复正常")
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.status == Status.CLOSED and ticket.is_fcr
    assert ticket.resolution == "已指导客户重启光猫,恢复正常"
    assert "已首问解决并归档" in response.content.decode()


def test_resolve_needs_a_resolution(world, agent):
    response = _post(agent, action="resolve", resolution="  ")
    assert response.status_code == 422
    assert not Ticket.objects.exists()
    assert "resolution" in response.context["errors"]
    html = response.content.decode()
    # the resolution box is open with its error, and focused
    assert re.search(r'id="resolution-box"\s*>', html)
    assert re.search(r'id="id_resolution"[^>]*autofocus', html, re.S)
    assert "首问解决需填写处理结果" in html


def test_pre_handling_keeps_the_ticket_at_the_agents_unit(world, agent):
    response = _post(agent, action="prehandle", pre_handling="已核实线路,稍后派单")
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.status == Status.NEW and ticket.is_pre_handled
    assert ticket.owner_unit == world.nj_kf
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.payload["pre_handling"] == "已核实线路,稍后派单"
    html = response.content.decode()
    assert "已预处理" in html and "南京客服中心" in html and "派单建议" in html


def test_pre_handling_needs_a_note(world, agent):
    response = _post(agent, action="prehandle")
    assert response.status_code == 422
    assert response.context["errors"]["pre_handling"]
    assert not Ticket.objects.exists()


def test_double_submit_creates_one_ticket(world, agent):
    first = _post(agent)
    second = _post(agent)
    assert first.status_code == 201 and second.status_code == 200
    assert Ticket.objects.count() == 1
    number = Ticket.objects.get().number
    assert number in second.content.decode()
    assert "重复提交" in second.content.decode()


def test_a_changed_resubmit_of_a_filed_form_is_refused_then_allowed(world, agent):
    _post(agent)
    response = _post(agent, description="其实是另一个问题")
    assert response.status_code == 409
    assert Ticket.objects.count() == 1
    # a fresh key comes back, so submitting again files the new problem on purpose
    assert response.context["idempotency_key"] != _form()["idempotency_key"]
    again = _post(
        agent, description="其实是另一个问题", idempotency_key=response.context["idempotency_key"]
    )
    assert again.status_code == 201 and Ticket.objects.count() == 2


def test_invalid_input_shows_every_field_error_with_422(world, agent):
    response = _post(agent, customer_phone="", description=" ")
    assert response.status_code == 422
    errors = response.context["errors"]
    assert set(errors) >= {"customer_phone", "description"}
    html = response.content.decode()
    assert html.count('class="field phone-field has-error"') == 1
    assert "请检查标红的字段" in html
    # what was typed stays, and the same key is kept for the retry
    assert response.context["idempotency_key"] == _form()["idempotency_key"]
    assert 'value="0101"' in html


def test_domain_errors_from_the_service_land_next_to_their_field(world, agent):
    response = _post(agent, category="9999")
    assert response.status_code == 422
    assert "category" in response.context["errors"]
    assert "分类「9999」不存在" in response.content.decode()


def test_unknown_number_creates_the_customer_with_the_given_name(world, agent):
    response = _post(agent, customer_phone="137 1234 5678", customer_name="赵女士")
    assert response.status_code == 201
    customer = Customer.objects.get(phone="13712345678")
    assert customer.name == "赵女士"
    assert Ticket.objects.get().customer == customer


def test_without_htmx_the_whole_page_comes_back(world, agent):
    response = agent.post(URL, _form())
    assert response.status_code == 201
    assert "<html" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_roles_that_cannot_handle_tickets_cannot_take_calls(world):
    client = Client()
    client.force_login(world.auditor)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert not Ticket.objects.exists()


def test_create_query_budget(world, agent, django_assert_max_num_queries):
    _post(agent, idempotency_key="warm-up-key-000000000000000000001")
    # session, user, the service's create (about 15), the confirmation and the fresh form,
    # the caller for the partner lookup (answers cached from the panel) and its snapshot
    with django_assert_max_num_queries(28):
        assert _post(agent).status_code == 201
