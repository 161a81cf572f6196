import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaintloop.core.models import AuditLog
from complaintloop.customers.models import Customer, CustomerListEntry, ListKind
from complaintloop.tickets import services
from complaintloop.tickets.models import EventKind, Status, Ticket


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def page_url(ticket) -> str:
    return reverse("web:ticket", args=[ticket.number])


def action_url(ticket, action: str) -> str:
    return reverse("web:ticket_action", args=[ticket.number, action])


def buttons(response) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', response.content.decode()))


def test_urls():
    assert reverse("web:ticket", args=["TS1"]) == "/tickets/TS1/"
    assert reverse("web:ticket_action", args=["TS1", "accept"]) == "/tickets/TS1/actions/accept/"
    assert reverse("web:ticket_unmask", args=["TS1"]) == "/tickets/TS1/unmask/"


def test_page_shows_header_trace_and_customer(world):
    ticket = world.new_ticket(title="家中宽带掉线")
    body = client_for(world.handler_nj).get(page_url(ticket)).content.decode()
    assert ticket.number in body and "家中宽带掉线" in body
    assert "待签收" in body and "南京网管中心" in body
    assert "网络类→网管" in body  # the routing reason of the creation event
    assert "王先生" in body and "138****1111" in body and "13800001111" not in body
    assert 'class="badge sla ok"' in body


def test_out_of_scope_ticket_is_404(world):
    ticket = world.new_ticket()
    client = client_for(world.handler_sz)
    response = client.get(page_url(ticket))
    assert response.status_code == 404
    assert "不存在" in response.content.decode()
    assert client.post(action_url(ticket, "urge")).status_code == 404
    assert client.post(reverse("web:ticket_unmask", args=[ticket.number])).status_code == 404
    assert client_for(world.handler_nj).get("/tickets/TS0000/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.urge_count == 0


def test_handler_on_pending_ticket_sees_accept_transfer_return_not_reply(world):
    ticket = world.new_ticket()
    got = buttons(client_for(world.handler_nj).get(page_url(ticket)))
    assert {"accept", "transfer", "return"} <= got
    assert "reply" not in got and "supervise" not in got


def test_quality_manager_sees_urge_and_supervise_not_accept(world):
    ticket = world.new_ticket()
    got = buttons(client_for(world.quality).get(page_url(ticket)))
    assert {"urge", "supervise", "escalate"} <= got
    assert "accept" not in got and "transfer" not in got and "comment" not in got


def test_auditor_has_no_buttons(world):
    ticket = world.new_ticket()
    response = client_for(world.auditor).get(page_url(ticket))
    assert buttons(response) == set()
    assert "您当前不能对此工单执行操作" in response.content.decode()


def test_buttons_match_available_actions_after_accept(world):
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    got = buttons(client_for(world.handler_nj).get(page_url(ticket)))
    assert {"reply", "request_assistance", "suspend", "transfer", "return"} <= got
    assert "accept" not in got


def test_disallowed_direct_post_is_refused_and_changes_nothing(world):
    ticket = world.new_ticket()
    # reply on a pending ticket: illegal transition
    response = client_for(world.handler_nj).post(action_url(ticket, "reply"), {"comment": "已修复"})
    assert response.status_code == 409
    # a quality manager may not accept
    assert client_for(world.quality).post(action_url(ticket, "accept")).status_code == 403
    # another unit may not accept
    assert client_for(world.handler_nj_yz).post(action_url(ticket, "accept")).status_code == 403
    # an unknown action
    assert client_for(world.handler_nj).post(action_url(ticket, "delete")).status_code == 404
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Status.PENDING and fresh.version == ticket.version
    assert fresh.events.count() == 1


def test_get_on_action_is_not_allowed(world):
    ticket = world.new_ticket()
    assert client_for(world.handler_nj).get(action_url(ticket, "accept")).status_code == 405


def test_accept_with_htmx_rerenders_the_main_area(world):
    ticket = world.new_ticket()
    response = client_for(world.handler_nj).post(
        action_url(ticket, "accept"), {"version": ticket.version}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="ticket-main"') and "<html" not in body
    assert "已签收" in body and "处理中" in body
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.owner_staff == world.handler_nj


def test_accept_without_htmx_redirects_with_a_flash(world):
    ticket = world.new_ticket()
    client = client_for(world.handler_nj)
    response = client.post(action_url(ticket, "accept"), {"version": ticket.version})
    assert response.status_code == 302 and response["Location"] == page_url(ticket)
    assert "已签收" in client.get(page_url(ticket)).content.decode()


def test_stale_version_is_a_409(world):
    ticket = world.new_ticket()
    stale = ticket.version
    services.urge(ticket.number, actor=world.quality)
    response = client_for(world.handler_nj).post(
        action_url(ticket, "accept"), {"version": stale}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert "工单已被他人修改" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING


def test_domain_error_is_shown_inline_with_the_form_open(world):
    ticket = world.new_ticket()
    response = client_for(world.handler_nj).post(
        action_url(ticket, "return"), {"comment": "  "}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "请填写回退原因" in body
    assert 'data-open="return"' in body


def test_request_assistance_with_several_units_and_complete(world):
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    client = client_for(world.handler_nj)
    response = client.post(
        action_url(ticket, "request_assistance"),
        {"units": ["NJ-YZ", "NJ-KF"], "comment": "请核查计费与工单记录"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "南京业务支撑中心、南京客服中心" in body  # the trace names the units
    assert "reply" not in buttons(response)
    yz = client_for(world.handler_nj_yz)
    assert "complete_assistance" in buttons(yz.get(page_url(ticket)))
    done = yz.post(
        action_url(ticket, "complete_assistance"), {"comment": "计费正常"}, HTTP_HX_REQUEST="true"
    )
    assert done.status_code == 200 and "已完成协办" in done.content.decode()
    assert ticket.events.filter(kind=EventKind.ASSIST_COMPLETED).count() == 1


def test_transfer_trace_names_the_target(world):
    ticket = world.new_ticket()
    client_for(world.handler_nj).post(
        action_url(ticket, "transfer"), {"to_unit": "NJ-YZ", "comment": "属计费问题"}
    )
    body = client_for(world.handler_nj).get(page_url(ticket)).content.decode()
    assert "目标单位" in body and "南京业务支撑中心" in body and "属计费问题" in body


def test_reply_templates_are_filled_for_this_ticket(world):
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    body = client_for(world.handler_nj).get(page_url(ticket)).content.decode()
    assert "data-reply-template" in body
    assert f"王先生您好,您反映的宽带故障(工单 {ticket.number})" in body
    assert body.count('data-text="') >= 8


def test_callback_form_offers_the_three_results(world):
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    services.reply(ticket.number, actor=world.handler_nj, comment="已修复")
    client = client_for(world.agent_nj)
    body = client.get(page_url(ticket)).content.decode()
    for value in ("satisfied", "neutral", "dissatisfied"):
        assert f'value="{value}"' in body
    bad = client.post(action_url(ticket, "callback"), {"result": "great"})
    assert bad.status_code == 422
    ok = client.post(action_url(ticket, "callback"), {"result": "satisfied"})
    assert ok.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_related_panel_lists_parent_children_and_links(world):
    parent = world.new_ticket(title="片区光缆中断")
    child = world.new_ticket(title="同片区掉线")
    other = world.new_ticket(title="同一客户再次来电")
    services.set_parent(child.number, actor=world.agent_nj, target=parent.number)
    services.link(parent.number, actor=world.agent_nj, target=other.number)
    client = client_for(world.handler_nj)
    parent_page = client.get(page_url(parent)).content.decode()
    related = parent_page.split('id="related-panel"')[1]
    assert child.number in related and other.number in related
    child_page = client.get(page_url(child)).content.decode()
    assert parent.number in child_page.split('id="related-panel"')[1]
    # the merge form takes a target number; an unknown one is an inline 404 message
    response = client.post(action_url(child, "merge"), {"target": "TS404"})
    assert response.status_code == 404 and "TS404" in response.content.decode()


def test_customer_panel_flags_history_and_contacts(world):
    first = world.new_ticket(title="第一次来电")
    second = world.new_ticket(title="第二次来电")
    customer = Customer.objects.get(phone="13800001111")
    CustomerListEntry.objects.create(customer=customer, kind=ListKind.KEY_RISK, reason="多次投诉")
    body = client_for(world.handler_nj).get(page_url(second)).content.decode()
    panel = body.split('id="customer-panel"')[1].split("</section>")[0]
    assert "重点风险客户" in panel
    assert first.number in panel and second.number not in panel
    assert "接触记录" in panel


def test_unmask_is_audited_for_pii_roles(world):
    ticket = world.new_ticket()
    client = client_for(world.supervisor_nj)
    assert "显示完整号码" in client.get(page_url(ticket)).content.decode()
    response = client.post(
        reverse("web:ticket_unmask", args=[ticket.number]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "13800001111" in response.content.decode()
    log = AuditLog.objects.get(action="pii.unmask")
    assert log.actor == world.supervisor_nj and log.object_id == str(ticket.customer_id)


def test_unmask_is_refused_for_agents(world):
    ticket = world.new_ticket()
    client = client_for(world.agent_nj)
    assert "显示完整号码" not in client.get(page_url(ticket)).content.decode()
    response = client.post(reverse("web:ticket_unmask", args=[ticket.number]))
    assert response.status_code == 403
    assert "13800001111" not in response.content.decode()
    assert not AuditLog.objects.filter(action="pii.unmask").exists()


def _page_queries(client, ticket) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page_url(ticket))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["handler_nj", "quality"])
def test_ticket_page_query_count_does_not_grow_with_events(world, persona):
    # given two tickets in the same state, one with 2 events and one with 30 and children
    small = world.new_ticket()
    big = world.new_ticket()
    services.accept(small.number, actor=world.handler_nj)
    services.accept(big.number, actor=world.handler_nj)
    for i in range(13):
        services.comment(big.number, actor=world.handler_nj, comment=f"跟进 {i}")
        services.urge(big.number, actor=world.quality, comment=f"催 {i}")
    for i in range(3):
        child = world.new_ticket(title=f"子 {i}")
        services.set_parent(child.number, actor=world.agent_nj, target=big.number)
    client = client_for(getattr(world, persona))
    client.get(page_url(small))  # warm the session
    few = _page_queries(client, small)
    many = _page_queries(client, big)
    assert big.events.count() > 25
    assert few == many
    # incl. the partner snapshot taken at intake, and the current step's allowed
    # operations when the viewer could transfer, return, suspend or ask for assistance
    assert many <= 18
