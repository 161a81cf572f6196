import pytest
from django.test import Client

from complaintloop.org.models import ApiToken
from complaintloop.tickets.models import Ticket


def bearer(staff):
    _, key = ApiToken.issue(staff)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


BODY = {
    "order_type": "complaint",
    "channel": "phone",
    "customer_phone": "13800001111",
    "category": "0101",
    "description": "宽带无法上网",
}


@pytest.fixture
def client():
    return Client()


def test_create_is_idempotent(world, client):
    auth = bearer(world.agent_nj)
    first = client.post(
        "/api/v1/tickets", BODY, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **auth
    )
    assert first.status_code == 201, first.content
    again = client.post(
        "/api/v1/tickets", BODY, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1", **auth
    )
    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    other = client.post(
        "/api/v1/tickets",
        {**BODY, "description": "别的"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
        **auth,
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency.key_reused"
    assert Ticket.objects.count() == 1


def test_errors_are_json(world, client):
    auth = bearer(world.agent_nj)
    assert client.get("/api/v1/tickets").status_code == 401
    bad = client.post(
        "/api/v1/tickets", {**BODY, "order_type": "nope"}, content_type="application/json", **auth
    )
    assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"}
    assert "order_type" in bad.json()["fields"]
    missing = client.post(
        "/api/v1/tickets", {"channel": "phone"}, content_type="application/json", **auth
    )
    assert missing.status_code == 422 and "description" in missing.json()["fields"]
    assert client.get("/api/v1/tickets/TS0000", **auth).status_code == 404


def test_lifecycle_over_api(world, client):
    agent, handler = bearer(world.agent_nj), bearer(world.handler_nj)
    number = client.post("/api/v1/tickets", BODY, content_type="application/json", **agent).json()[
        "number"
    ]
    detail = client.get(f"/api/v1/tickets/{number}", **handler).json()
    assert "accept" in detail["actions"] and "reply" not in detail["actions"]
    assert detail["customer"]["phone"] == "138****1111"
    r = client.post(
        f"/api/v1/tickets/{number}/actions/accept", {}, content_type="application/json", **handler
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    again = client.post(
        f"/api/v1/tickets/{number}/actions/accept", {}, content_type="application/json", **handler
    )
    assert again.status_code == 409
    r = client.post(
        f"/api/v1/tickets/{number}/actions/reply",
        {"comment": "已修复"},
        content_type="application/json",
        **handler,
    )
    assert r.json()["status"] == "replied"
    r = client.post(
        f"/api/v1/tickets/{number}/actions/callback",
        {"result": "satisfied"},
        content_type="application/json",
        **agent,
    )
    assert r.json()["status"] == "closed"
    events = client.get(f"/api/v1/tickets/{number}/events", **agent).json()
    assert [e["kind"] for e in events] == ["created", "accepted", "replied", "called_back"]
    page = client.get("/api/v1/tickets", {"status": "closed"}, **agent).json()
    assert [t["number"] for t in page["items"]] == [number]


def test_cursor_pagination(world, client):
    auth = bearer(world.agent_nj)
    numbers = [world.new_ticket().number for _ in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/tickets", params, **auth).json()
        seen += [t["number"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(numbers))
    assert client.get("/api/v1/tickets", {"cursor": "garbage!"}, **auth).status_code == 422


def test_bulk_accept_reports_each_ticket(world, client):
    handler = bearer(world.handler_nj)
    a, b = world.new_ticket(), world.new_ticket()
    other_city = world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")
    r = client.post(
        "/api/v1/tickets/bulk/accept",
        {"numbers": [a.number, b.number, other_city.number]},
        content_type="application/json",
        **handler,
    )
    assert r.status_code == 200
    body = r.json()
    assert body["succeeded"] == 2 and body["failed"] == 1
    assert body["results"][2] == {
        "number": other_city.number,
        "ok": False,
        "status": None,
        "code": "ticket.not_found",
        "message": body["results"][2]["message"],
    }
    a.refresh_from_db()
    assert a.status == "in_progress"


def test_agent_sees_a_ticket_taken_for_another_citys_customer(world, client):
    # given a 南京 agent takes a call from a 苏州 customer
    auth = bearer(world.agent_nj)
    created = client.post(
        "/api/v1/tickets",
        {**BODY, "customer_phone": "13900002222"},
        content_type="application/json",
        **auth,
    )
    # then the ticket belongs to 苏州, and 南京 (which took it) and 苏州 can both read it
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert created.json()["region"] == "SZ"
    assert client.get(f"/api/v1/tickets/{number}", **auth).status_code == 200
    assert client.get(f"/api/v1/tickets/{number}", **bearer(world.handler_sz)).status_code == 200
    assert client.get(f"/api/v1/tickets/{number}", **bearer(world.outsider)).status_code == 404
