"""Incidents (issue 14's contract, first slice): declare with a checked scope, attach
matching complaints at intake and by hand, answer them all once, scope by region."""

import pytest
from django.test import Client

from complaintloop.incidents.models import AttachedTicket
from complaintloop.tickets.models import EventKind, Status, TicketEvent

from ..test_api import bearer

pytestmark = pytest.mark.django_db

OUTAGE = {
    "title": "南京鼓楼区宽带大面积中断",
    "description": "光缆被挖断",
    "category": "01",
    "regions": ["NJ"],
    "keywords": ["断网", "上不了网"],
}


def api(actor, method, path, body=None):
    client = Client()
    call = getattr(client, method)
    if method == "get":
        return call(f"/api/v1{path}", **bearer(actor))
    return call(f"/api/v1{path}", body or {}, content_type="application/json", **bearer(actor))


def declare(world) -> dict:
    response = api(world.supervisor_nj, "post", "/incidents", OUTAGE)
    assert response.status_code == 201, response.json()
    return response.json()


def create(world, description):
    response = api(
        world.agent_nj,
        "post",
        "/tickets",
        {"order_type": "complaint", "channel": "phone", "customer_phone": "13800001111",
         "category": "0101", "description": description},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    return response.json()["number"]


def test_declare_and_a_bad_scope(world):
    created = declare(world)
    assert created["number"].startswith("INC")
    bad = api(
        world.supervisor_nj, "post", "/incidents", {**OUTAGE, "regions": ["XX"], "category": "99"}
    )
    assert bad.status_code == 422 and {"regions", "category"} <= set(bad.json()["fields"])
    assert api(world.agent_nj, "post", "/incidents", OUTAGE).status_code == 403


def test_matching_complaints_attach_at_intake(world):
    incident = declare(world)
    hit = create(world, "家里断网一上午了")
    miss = create(world, "宽带速度慢")  # no keyword
    assert api(world.agent_nj, "get", f"/tickets/{hit}").json()["incident"] == incident["number"]
    assert api(world.agent_nj, "get", f"/tickets/{miss}").json()["incident"] is None
    body = api(world.agent_nj, "get", f"/incidents/{incident['id']}").json()
    assert body["ticket_count"] == 1 and body["status"] == "open"
    listed = api(world.agent_nj, "get", f"/incidents/{incident['id']}/tickets").json()["items"]
    assert [(i["number"], i["how"]) for i in listed] == [(hit, "auto")]
    # an agent attaches the other caller by hand
    attached = api(
        world.agent_nj, "post", f"/incidents/{incident['id']}/tickets", {"numbers": [miss, "NOPE"]}
    )
    assert attached.json()["attached"] == [miss]
    assert attached.json()["skipped"][0]["number"] == "NOPE"


def test_resolve_answers_every_attached_ticket_once(world):
    incident = declare(world)
    numbers = [create(world, f"断网第{i}天") for i in range(3)]
    response = api(world.supervisor_nj, "post", f"/incidents/{incident['id']}/actions/resolve",
                   {"reply": "光缆已抢通,网络恢复"})  # fmt: skip
    assert response.status_code == 200 and response.json() == {"status": "resolved", "answered": 3}
    for number in numbers:
        ticket = api(world.agent_nj, "get", f"/tickets/{number}").json()
        assert ticket["status"] == Status.REPLIED and ticket["resolution"] == "光缆已抢通,网络恢复"
        replied = TicketEvent.objects.filter(ticket__number=number, kind=EventKind.REPLIED)
        assert replied.count() == 1 and replied.get().payload["incident"] == incident["number"]
    again = api(
        world.supervisor_nj, "post", f"/incidents/{incident['id']}/actions/resolve", {"reply": "x"}
    )
    assert again.json() == {"status": "resolved", "answered": 0}
    assert TicketEvent.objects.filter(kind=EventKind.REPLIED).count() == 3
    assert not AttachedTicket.objects.filter(answered_at__isnull=True).exists()
    # a resolved incident attaches nothing new
    assert (
        api(world.agent_nj, "get", f"/tickets/{create(world, '又断网了')}").json()["incident"]
        is None
    )


def test_out_of_region_is_404(world):
    incident = declare(world)
    assert api(world.handler_sz, "get", f"/incidents/{incident['id']}").status_code == 404
    assert api(world.quality, "get", f"/incidents/{incident['id']}").status_code == 200  # province


def test_ids_out_of_range_are_404(world):
    assert api(world.supervisor_nj, "get", f"/incidents/{2**70}").status_code == 404
    assert api(world.supervisor_nj, "get", "/incidents/0").status_code == 404


def test_the_pages_declare_list_and_answer(world):
    client = Client()
    client.force_login(world.supervisor_nj)
    created = client.post(
        "/incidents/",
        {"title": "南京宽带中断", "regions": "NJ", "category": "01", "keywords": "断网"},
        follow=True,
    )
    body = created.content.decode()
    assert "已申报" in body and "南京宽带中断" in body
    number = create(world, "小区断网")
    from complaintloop.incidents.models import Incident

    incident = Incident.objects.get(title="南京宽带中断")
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert number in page and 'id="resolve-form"' in page
    done = client.post(f"/incidents/{incident.pk}/resolve/", {"reply": "已恢复"}, follow=True)
    assert "已统一答复 1 张工单" in done.content.decode()
    assert "重大故障" in client.get("/").content.decode()  # in the supervisor's menu
    agent = Client()
    agent.force_login(world.agent_nj)
    assert agent.get("/incidents/").status_code == 403
    assert "/incidents/" not in agent.get("/").content.decode()


def test_the_intake_panel_tells_the_agent_about_an_incident_in_the_callers_region(world):
    declare(world)
    client = Client()
    client.force_login(world.agent_nj)
    panel = client.get("/intake/customer/", {"customer_phone": "13800001111"}).content.decode()
    assert "incident-banner" in panel and "南京鼓楼区宽带大面积中断" in panel
    assert "断网、上不了网" in panel
    other = Client()
    other.force_login(world.agent_sz)
    panel = other.get("/intake/customer/", {"customer_phone": "13900002222"}).content.decode()
    assert "incident-banner" not in panel  # a Suzhou caller
