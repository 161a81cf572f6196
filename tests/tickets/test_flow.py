import pytest

from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.tickets import services
from complaintloop.tickets.models import EventKind, Status, WorkItemKind, WorkItemStatus


def test_full_lifecycle_with_assistance_and_second_handling(world):
    # given a complaint routed by category to 南京网管中心
    ticket = world.new_ticket()
    assert ticket.status == Status.PENDING
    assert ticket.owner_unit == world.nj_wg
    assert ticket.events.get(seq=1).payload["routing"]["reasons"][0]["rule"] == "网络类→网管"
    # when the handler accepts, asks 业务支撑 for help, and replies
    services.accept(ticket.number, actor=world.handler_nj)
    services.request_assistance(
        ticket.number, actor=world.handler_nj, units=["NJ-YZ"], comment="请核查计费"
    )
    with pytest.raises(Conflict):
        services.reply(ticket.number, actor=world.handler_nj, comment="已修复")
    services.complete_assistance(ticket.number, actor=world.handler_nj_yz, comment="计费正常")
    ticket = services.reply(ticket.number, actor=world.handler_nj, comment="已更换光猫,恢复正常")
    assert ticket.status == Status.REPLIED
    assert ticket.owner_unit == world.nj_kf
    # the customer is not satisfied: second handling goes back to 网管
    ticket = services.callback(
        ticket.number, actor=world.agent_nj, result="dissatisfied", comment="仍掉线"
    )
    assert ticket.status == Status.PENDING and ticket.second_handling
    assert ticket.owner_unit == world.nj_wg
    services.accept(ticket.number, actor=world.handler_nj)
    services.reply(ticket.number, actor=world.handler_nj, comment="更换入户线")
    ticket = services.callback(ticket.number, actor=world.agent_nj, result="satisfied")
    # then
    assert ticket.status == Status.CLOSED
    assert not ticket.work_items.filter(status=WorkItemStatus.OPEN).exists()
    events = list(ticket.events.order_by("seq"))
    assert (
        [e.seq for e in events]
        == list(range(1, len(events) + 1))
        == list(range(1, ticket.version + 1))
    )
    assert events[-1].to_status == Status.CLOSED
    assert ticket.process.finished


def test_second_accept_conflicts(world):
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    with pytest.raises(Conflict):
        services.accept(ticket.number, actor=world.handler_nj)
    assert ticket.events.filter(kind=EventKind.ACCEPTED).count() == 1


def test_out_of_scope_is_not_found(world):
    ticket = world.new_ticket()
    with pytest.raises(NotFound):
        services.accept(ticket.number, actor=world.handler_sz)
    with pytest.raises(NotFound):
        services.urge(ticket.number, actor=world.outsider)


def test_other_unit_cannot_accept(world):
    ticket = world.new_ticket()
    with pytest.raises(Forbidden):
        services.accept(ticket.number, actor=world.handler_nj_yz)


def test_return_to_intake_then_dispatch(world):
    ticket = world.new_ticket()
    with pytest.raises(Invalid):
        services.return_(ticket.number, actor=world.handler_nj, comment="")
    ticket = services.return_(ticket.number, actor=world.handler_nj, comment="分类错误,应为计费")
    assert ticket.status == Status.NEW and ticket.owner_unit == world.nj_kf
    ticket = services.dispatch(ticket.number, actor=world.agent_nj, to_unit="NJ-YZ")
    assert ticket.status == Status.PENDING and ticket.owner_unit == world.nj_yz
    assert ticket.return_count == 1


def test_fcr_and_pre_handling(world):
    fcr = world.new_ticket(resolve_now=True, resolution="已解释资费")
    assert fcr.status == Status.CLOSED and fcr.is_fcr
    held = world.new_ticket(dispatch=False, pre_handling="已远程重启端口")
    assert held.status == Status.NEW and held.is_pre_handled
    assert held.work_items.get(status=WorkItemStatus.OPEN).kind == WorkItemKind.MAIN


def test_merge_link_parent_reopen(world):
    a, b, c = world.new_ticket(), world.new_ticket(), world.new_ticket()
    services.link(a.number, actor=world.agent_nj, target=b.number)
    services.set_parent(c.number, actor=world.agent_nj, target=a.number)
    with pytest.raises(Conflict):
        services.set_parent(a.number, actor=world.agent_nj, target=c.number)
    merged = services.merge(b.number, actor=world.agent_nj, target=a.number)
    assert merged.status == Status.CLOSED and merged.merged_into == a
    with pytest.raises(Conflict):
        services.reopen(b.number, actor=world.supervisor_nj, comment="x")
    services.accept(a.number, actor=world.handler_nj)
    services.reply(a.number, actor=world.handler_nj, comment="ok")
    services.callback(a.number, actor=world.agent_nj, result="satisfied")
    reopened = services.reopen(a.number, actor=world.supervisor_nj, comment="客户再次来电")
    assert reopened.status == Status.PENDING and reopened.reopen_count == 1


def test_quality_manager_oversees_but_does_not_handle(world):
    ticket = world.new_ticket()
    with pytest.raises(Forbidden):
        services.accept(ticket.number, actor=world.quality)
    services.urge(ticket.number, actor=world.quality, comment="请尽快处理")
    services.supervise(ticket.number, actor=world.quality)
    with pytest.raises(Forbidden):
        services.urge(ticket.number, actor=world.auditor)


def test_first_response_clock_breaches_once(world):
    from datetime import timedelta

    ticket = world.new_ticket()
    later = ticket.first_response_due_at + timedelta(minutes=1)
    first = services.sla_sweep(later)
    again = services.sla_sweep(later)
    ticket.refresh_from_db()
    assert first["first_response"] == 1 and again["first_response"] == 0
    assert ticket.first_response_breached
    assert ticket.events.filter(kind=EventKind.FIRST_RESPONSE_BREACHED).count() == 1
    # an accepted ticket has answered: its first-response clock stops
    other = world.new_ticket()
    services.accept(other.number, actor=world.handler_nj)
    assert (
        services.sla_sweep(other.first_response_due_at + timedelta(minutes=1))["first_response"]
        == 0
    )
