"""Webhooks: signed POSTs to a real local receiver, backoff with jitter, dead letters,
manual redelivery, and the admin-only API."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from complaintloop.core import clock as cl
from complaintloop.core import outbox
from complaintloop.org.models import Role
from complaintloop.webhooks import services as webhooks
from complaintloop.webhooks.models import Delivery, Subscription

from ..factories import StaffFactory
from .receiver import Receiver

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 9, 24, 10, 0, tzinfo=SH)


def subscribe(url, event_types=("ticket.*",)) -> Subscription:
    return Subscription.objects.create(
        name="CRM", url=url, secret="s3cret", event_types=list(event_types)
    )


def test_event_is_posted_signed_with_its_event_id(world):
    with Receiver() as receiver:
        sub = subscribe(f"{receiver.url}/hook", ["ticket.created"])
        ticket = world.new_ticket()
        outbox.drain()
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    # the signature is an HMAC-SHA256 of the exact body with the subscription's secret
    assert webhooks.verify("s3cret", body, headers["X-ComplaintLoop-Signature"])
    assert not webhooks.verify("wrong", body, headers["X-ComplaintLoop-Signature"])
    payload = json.loads(body)
    assert payload["type"] == "ticket.created"
    assert payload["data"]["ticket"] == ticket.number
    assert headers["X-ComplaintLoop-Event-Id"] == str(payload["id"])
    assert headers["X-ComplaintLoop-Event"] == "ticket.created"
    assert abs(int(headers["X-ComplaintLoop-Timestamp"]) - datetime.now().timestamp()) < 60
    delivery = Delivery.objects.get(subscription=sub)
    assert delivery.status == "delivered" and delivery.last_status == 200


def test_only_matching_and_active_subscriptions_get_the_event(world):
    with Receiver() as receiver:
        subscribe(f"{receiver.url}/a", ["ticket.accepted"])
        subscribe(f"{receiver.url}/b", ["*"])
        Subscription.objects.create(
            name="off", url=f"{receiver.url}/c", event_types=["*"], is_active=False
        )
        world.new_ticket()
        outbox.drain()
    assert [r["path"] for r in receiver.requests] == ["/b"]


def test_failures_back_off_exponentially_then_dead_letter_then_redeliver(world, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    with Receiver(fail_first=4, status=500) as receiver:
        subscribe(f"{receiver.url}/hook")
        with time_machine.travel(START, tick=False) as clock:
            world.new_ticket()
            outbox.drain()
            delivery = Delivery.objects.get()
            delays = []
            for _ in range(3):
                # the receiver answered 500: retried later, not now
                assert delivery.status == "pending" and delivery.last_status == 500
                delay = delivery.next_attempt_at - cl.now()
                delays.append(delay.total_seconds())
                assert webhooks.send_due() == 0
                clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
                webhooks.send_due()
                delivery.refresh_from_db()
            # base·2^(n-1) with ±20 % jitter: about 10 s, 20 s, 40 s
            for expected, actual in zip([10, 20, 40], delays, strict=True):
                assert expected * 0.8 - 1 <= actual <= expected * 1.2 + 1, delays
            # after the fourth failure it is a dead letter: no further tries
            assert delivery.status == "dead" and delivery.attempts == 4
            assert delivery.next_attempt_at is None and "HTTP 500" in delivery.last_error
            clock.shift(timedelta(days=1))
            assert webhooks.send_due() == 0
            assert len(receiver.requests) == 4
            # when an administrator redelivers it by hand, the receiver (up now) gets it
            admin = StaffFactory(username="sysadmin_t", role=Role.SYSTEM_ADMIN, unit=world.province)
            webhooks.redeliver(delivery.pk, actor=admin)
            assert webhooks.send_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert len(receiver.requests) == 5
    # the same bytes, the same event id
    assert receiver.requests[4]["body"] == receiver.requests[0]["body"]
    assert len(receiver.processed) == 1


def test_unreachable_receiver_is_retried(world):
    with Receiver() as receiver:
        url = receiver.url
    subscribe(f"{url}/gone")  # nothing listens there any more
    world.new_ticket()
    outbox.drain()
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status is None and "Connect" in delivery.last_error


def test_redelivered_outbox_row_makes_no_second_delivery(world):
    with Receiver() as receiver:
        subscribe(f"{receiver.url}/hook")
        world.new_ticket()
        from complaintloop.core.models import Outbox

        row = Outbox.objects.get(topic="ticket.event")
        assert outbox.deliver(row.pk)
        Outbox.objects.filter(pk=row.pk).update(delivered_at=None, claimed_at=None)
        assert outbox.deliver(row.pk)
    assert Delivery.objects.count() == 1 and len(receiver.requests) == 1


def test_dead_letters_in_admin_and_redelivery_action(world, admin_client: Client):
    sub = subscribe("http://127.0.0.1:9/never")
    dead = Delivery.objects.create(
        subscription=sub,
        outbox_id=77,
        event_type="ticket.created",
        body="{}",
        status="dead",
        attempts=8,
        last_error="HTTP 500",
        created_at=START,
    )
    page = admin_client.get("/admin/webhooks/deadletter/")
    assert page.status_code == 200 and "HTTP 500" in page.content.decode()
    response = admin_client.post(
        "/admin/webhooks/deadletter/",
        {"action": "redeliver", "_selected_action": [dead.pk]},
        follow=True,
    )
    assert "1 条记录已重新排队" in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == "pending" and dead.attempts == 0


def bearer_for(staff) -> dict:
    from ..test_api import bearer

    return bearer(staff)


def test_api_manages_subscriptions_for_admins_only(world):
    admin = StaffFactory(username="sysadmin_t", role=Role.SYSTEM_ADMIN, unit=world.province)
    client = Client()
    body = {"name": "BOSS", "url": "http://boss.example/hook", "event_types": ["ticket.closed"]}
    # a supervisor may not
    response = client.post(
        "/api/v1/webhooks/subscriptions",
        body,
        content_type="application/json",
        **bearer_for(world.supervisor_nj),
    )
    assert response.status_code == 403 and response.json()["code"] == "webhooks.forbidden"
    # bad input is a 422 naming the field
    response = client.post(
        "/api/v1/webhooks/subscriptions",
        {**body, "event_types": ["orders.closed"]},
        content_type="application/json",
        **bearer_for(admin),
    )
    assert response.status_code == 422 and "event_types" in response.json()["fields"]
    response = client.post(
        "/api/v1/webhooks/subscriptions",
        {**body, "url": "ftp://x"},
        content_type="application/json",
        **bearer_for(admin),
    )
    assert response.status_code == 422 and "url" in response.json()["fields"]
    # the administrator creates one and sees its secret once
    response = client.post(
        "/api/v1/webhooks/subscriptions",
        body,
        content_type="application/json",
        **bearer_for(admin),
    )
    assert response.status_code == 201
    created = response.json()
    assert len(created["secret"]) == 64 and created["owner"] == "sysadmin_t"
    listed = client.get("/api/v1/webhooks/subscriptions", **bearer_for(admin)).json()
    assert [s["name"] for s in listed] == ["BOSS"] and "secret" not in listed[0]
    response = client.patch(
        f"/api/v1/webhooks/subscriptions/{created['id']}",
        {"is_active": False},
        content_type="application/json",
        **bearer_for(admin),
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = client.delete(f"/api/v1/webhooks/subscriptions/{created['id']}", **bearer_for(admin))
    assert response.status_code == 204 and not Subscription.objects.exists()


def test_api_lists_dead_letters_and_redelivers(world):
    admin = StaffFactory(username="sysadmin_t", role=Role.SYSTEM_ADMIN, unit=world.province)
    client = Client()
    with Receiver(fail_first=1) as receiver:
        sub = subscribe(f"{receiver.url}/hook")
        dead = Delivery.objects.create(
            subscription=sub,
            outbox_id=5,
            event_type="ticket.created",
            body='{"id":5}',
            status="dead",
            attempts=8,
            created_at=START,
        )
        listed = client.get("/api/v1/webhooks/deliveries?status=dead", **bearer_for(admin)).json()
        assert [d["id"] for d in listed] == [dead.pk]
        assert (
            client.post(
                f"/api/v1/webhooks/deliveries/{dead.pk}/redeliver", **bearer_for(world.handler_nj)
            ).status_code
            == 403
        )
        response = client.post(
            f"/api/v1/webhooks/deliveries/{dead.pk}/redeliver", **bearer_for(admin)
        )
        assert response.status_code == 200 and response.json()["status"] == "pending"
        assert (
            client.post(
                "/api/v1/webhooks/deliveries/999999/redeliver", **bearer_for(admin)
            ).status_code
            == 404
        )
        webhooks.send_due()  # 503 first (fail_first=1), retried later
        Delivery.objects.filter(pk=dead.pk).update(next_attempt_at=None)
        webhooks.send_due()
    dead.refresh_from_db()
    assert dead.status == "delivered"
    assert receiver.requests[-1]["headers"]["X-ComplaintLoop-Event-Id"] == "5"
