"""Staff read their in-app notifications over the API and mark them read."""

from django.test import Client

from complaintloop.core import outbox

from ..test_api import bearer


def test_handler_lists_and_marks_read_only_their_own(world):
    ticket = world.new_ticket()
    outbox.drain()
    client = Client()
    auth = bearer(world.handler_nj)
    notes = client.get("/api/v1/notifications?unread=true", **auth).json()
    assert [n["title"] for n in notes] == [f"新工单待签收:{ticket.number}"]
    assert notes[0]["ticket_number"] == ticket.number and notes[0]["read_at"] is None
    # someone else's notifications are not theirs to see or mark
    assert client.get("/api/v1/notifications", **bearer(world.handler_sz)).json() == []
    other = client.post(
        "/api/v1/notifications/read",
        {"ids": [notes[0]["id"]]},
        content_type="application/json",
        **bearer(world.handler_sz),
    )
    assert other.json() == {"marked": 0}
    marked = client.post("/api/v1/notifications/read", {}, content_type="application/json", **auth)
    assert marked.json() == {"marked": 1}
    assert client.get("/api/v1/notifications?unread=true", **auth).json() == []
    assert client.get("/api/v1/notifications", **auth).json()[0]["read_at"] is not None
