"""Data scope on every ticket endpoint, and masked customer numbers."""

import pytest
from django.test import Client

from complaintloop.core.errors import NotFound
from complaintloop.core.models import AuditLog
from complaintloop.tickets import services
from complaintloop.tickets.api import ACTION_NAMES
from complaintloop.tickets.models import Ticket, TicketEvent, WorkItemStatus

from .test_api import bearer


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def nanjing_ticket(world):
    """A 南京 complaint, routed to 南京网管中心."""
    return world.new_ticket()


@pytest.fixture
def suzhou_ticket(world):
    """A 苏州 ticket handler_sz can see, as the target of merge/link/parent."""
    return world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")


def action_body(name: str, target: str) -> dict:
    """A body that passes validation, so only the data scope can refuse it."""
    bodies = {
        "dispatch": {"to_unit": "SZ-WG"},
        "transfer": {"to_unit": "SZ-WG"},
        "request_assistance": {"units": ["SZ-WG"], "comment": "请协助"},
        "callback": {"result": "satisfied"},
        "merge": {"target": target},
        "link": {"target": target},
        "set_parent": {"target": target},
    }
    return {"comment": "越权尝试", **bodies.get(name, {})}


def snapshot(ticket: Ticket) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.owner_unit_id,
        TicketEvent.objects.filter(ticket=fresh).count(),
        list(fresh.work_items.values_list("id", "status", "unit_id").order_by("id")),
    )


def test_other_city_handler_cannot_list_or_read(world, client, nanjing_ticket, suzhou_ticket):
    # given handler_sz in 苏州 and a 南京 ticket
    auth = bearer(world.handler_sz)
    # when / then
    listed = client.get("/api/v1/tickets", **auth)
    assert listed.status_code == 200
    numbers = [t["number"] for t in listed.json()["items"]]
    assert suzhou_ticket.number in numbers
    assert nanjing_ticket.number not in numbers
    for path in (
        f"/api/v1/tickets/{nanjing_ticket.number}",
        f"/api/v1/tickets/{nanjing_ticket.number}/events",
    ):
        r = client.get(path, **auth)
        assert r.status_code == 404, path
        assert r.json()["code"] == "ticket.not_found"


def test_every_action_is_not_found_out_of_scope(world, client, nanjing_ticket, suzhou_ticket):
    # given
    auth = bearer(world.handler_sz)
    before, target_before = snapshot(nanjing_ticket), snapshot(suzhou_ticket)
    assert len(ACTION_NAMES) >= 19
    # when every action is attempted by handler_sz
    for name in ACTION_NAMES:
        r = client.post(
            f"/api/v1/tickets/{nanjing_ticket.number}/actions/{name}",
            action_body(name, suzhou_ticket.number),
            content_type="application/json",
            **auth,
        )
        # then each answers as if the ticket did not exist, and nothing changed
        assert r.status_code == 404, (name, r.content)
        assert r.json()["code"] == "ticket.not_found", name
        assert snapshot(nanjing_ticket) == before, name
    assert snapshot(suzhou_ticket) == target_before


def test_services_refuse_out_of_scope(world, nanjing_ticket, suzhou_ticket):
    n, sz, other = nanjing_ticket.number, world.handler_sz, suzhou_ticket.number
    calls = {
        "dispatch": lambda: services.dispatch(n, actor=sz, to_unit="SZ-WG"),
        "accept": lambda: services.accept(n, actor=sz),
        "transfer": lambda: services.transfer(n, actor=sz, to_unit="SZ-WG"),
        "return": lambda: services.return_(n, actor=sz, comment="x"),
        "request_assistance": lambda: services.request_assistance(
            n, actor=sz, units=["SZ-WG"], comment="x"
        ),
        "complete_assistance": lambda: services.complete_assistance(n, actor=sz, comment="x"),
        "suspend": lambda: services.suspend(n, actor=sz, comment="x"),
        "resume": lambda: services.resume(n, actor=sz),
        "urge": lambda: services.urge(n, actor=sz),
        "supervise": lambda: services.supervise(n, actor=sz),
        "escalate": lambda: services.escalate(n, actor=sz),
        "reply": lambda: services.reply(n, actor=sz, comment="x"),
        "callback": lambda: services.callback(n, actor=sz, result="satisfied"),
        "close": lambda: services.close(n, actor=sz, comment="x"),
        "reopen": lambda: services.reopen(n, actor=sz, comment="x"),
        "merge": lambda: services.merge(n, actor=sz, target=other),
        "link": lambda: services.link(n, actor=sz, target=other),
        "set_parent": lambda: services.set_parent(n, actor=sz, target=other),
        "comment": lambda: services.comment(n, actor=sz, comment="x"),
        "assign": lambda: services.assign(n, actor=sz, to_staff=None),
    }
    assert set(calls) == set(ACTION_NAMES)
    before = snapshot(nanjing_ticket)
    for name, call in calls.items():
        with pytest.raises(NotFound):
            call()
        assert snapshot(nanjing_ticket) == before, name
    # merging the other way round needs the 南京 ticket as target: still not found
    with pytest.raises(NotFound):
        services.merge(other, actor=sz, target=n)
    assert snapshot(nanjing_ticket) == before


def test_province_quality_manager_sees_it(world, client, nanjing_ticket, suzhou_ticket):
    auth = bearer(world.quality)
    numbers = [t["number"] for t in client.get("/api/v1/tickets", **auth).json()["items"]]
    assert {nanjing_ticket.number, suzhou_ticket.number} <= set(numbers)
    assert client.get(f"/api/v1/tickets/{nanjing_ticket.number}", **auth).status_code == 200
    events = client.get(f"/api/v1/tickets/{nanjing_ticket.number}/events", **auth)
    assert [e["kind"] for e in events.json()] == ["created"]


def test_outsider_without_unit_sees_nothing(world, client, nanjing_ticket, suzhou_ticket):
    auth = bearer(world.outsider)
    assert client.get("/api/v1/tickets", **auth).json()["items"] == []
    for number in (nanjing_ticket.number, suzhou_ticket.number):
        assert client.get(f"/api/v1/tickets/{number}", **auth).status_code == 404
        assert client.get(f"/api/v1/tickets/{number}/events", **auth).status_code == 404
    with pytest.raises(NotFound):
        services.comment(nanjing_ticket.number, actor=world.outsider, comment="x")


def test_transfer_to_another_city_makes_it_visible_there(world, client, nanjing_ticket):
    # given handler_sz cannot see the 南京 ticket yet
    auth = bearer(world.handler_sz)
    detail = f"/api/v1/tickets/{nanjing_ticket.number}"
    assert client.get(detail, **auth).status_code == 404
    # when 南京网管 transfers it to 苏州网管
    services.accept(nanjing_ticket.number, actor=world.handler_nj)
    services.transfer(nanjing_ticket.number, actor=world.handler_nj, to_unit="SZ-WG")
    # then a work item in their unit makes it visible, listed and operable
    r = client.get(detail, **auth)
    assert r.status_code == 200
    assert [w["unit"] for w in r.json()["work_items"]] == ["SZ-WG"]
    numbers = [t["number"] for t in client.get("/api/v1/tickets", **auth).json()["items"]]
    assert nanjing_ticket.number in numbers
    accepted = services.accept(nanjing_ticket.number, actor=world.handler_sz)
    assert accepted.owner_staff == world.handler_sz
    assert accepted.work_items.get(status=WorkItemStatus.OPEN).unit == world.sz_wg


def test_customer_phone_is_masked_and_unmasking_is_audited(world, client, nanjing_ticket):
    # given
    customer_id = nanjing_ticket.customer_id
    url = f"/api/v1/customers/{customer_id}"
    # when an agent reads the customer
    masked = client.get(url, **bearer(world.agent_nj))
    # then the number is masked and unmasking is refused
    assert masked.status_code == 200
    assert masked.json()["phone"] == "138****1111"
    refused = client.get(url, {"unmask": "true"}, **bearer(world.agent_nj))
    assert refused.status_code == 403
    assert not AuditLog.objects.filter(action="pii.unmask").exists()
    # when the auditor unmasks
    shown = client.get(url, {"unmask": "true"}, **bearer(world.auditor))
    # then the full number is shown and the view is audited
    assert shown.status_code == 200
    assert shown.json()["phone"] == "13800001111"
    log = AuditLog.objects.get(action="pii.unmask")
    assert log.actor == world.auditor
    assert log.object_id == str(customer_id)
