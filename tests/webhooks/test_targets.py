"""Webhook receivers must be public addresses: the server will not POST into its own
network (loopback, private ranges, cloud metadata), whether the URL names the address,
a name resolving to it, or a name re-pointed to it after the subscription was saved."""

import ipaddress
import socket

import pytest
from django.test import Client

from complaintloop.core import outbox
from complaintloop.org.models import Role
from complaintloop.webhooks import services as webhooks
from complaintloop.webhooks import targets
from complaintloop.webhooks.models import Delivery, Subscription

from ..factories import StaffFactory
from .receiver import Receiver
from .test_webhooks import bearer_for


@pytest.fixture(autouse=True)
def _guard_on(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fd12::1",
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",
        "224.0.0.1",
    ],
)
def test_internal_addresses_are_refused(address):
    assert targets.refusal(ipaddress.ip_address(address)) is not None


def test_public_addresses_pass():
    for address in ("1.1.1.1", "114.114.114.114", "2400:3200::1"):
        assert targets.refusal(ipaddress.ip_address(address)) is None


def test_api_refuses_an_internal_receiver_naming_the_field(world):
    admin = StaffFactory(username="sysadmin_t", role=Role.SYSTEM_ADMIN, unit=world.province)
    for url in (
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://localhost/hook",
    ):
        response = Client().post(
            "/api/v1/webhooks/subscriptions",
            {"name": "x", "url": url, "event_types": ["ticket.closed"]},
            content_type="application/json",
            **bearer_for(admin),
        )
        assert response.status_code == 422, url
        assert "url" in response.json()["fields"]
    assert not Subscription.objects.exists()


def test_a_name_repointed_inside_is_not_delivered_to(world, monkeypatch):
    with Receiver() as receiver:
        # saved while its name resolved to a public address...
        sub = Subscription.objects.create(
            name="CRM",
            url=receiver.url.replace("127.0.0.1", "crm.example.com") + "/hook",
            event_types=["*"],
        )
        # ...then DNS points it at this machine (rebinding)
        real = socket.getaddrinfo

        def rebound(host, port, *args, **kwargs):
            if host == "crm.example.com":
                return real("127.0.0.1", port, *args, **kwargs)
            return real(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebound)
        world.new_ticket()
        outbox.drain()
        delivery = Delivery.objects.get(subscription=sub)
        assert delivery.status == "pending"
        assert "127.0.0.1" in delivery.last_error
        assert receiver.requests == []


def test_the_connection_is_checked_at_connect_time(monkeypatch):
    # the check before the POST saw a public address; the connection resolves again
    monkeypatch.setattr(targets, "check_url", lambda url, unresolvable_ok: None)
    monkeypatch.setattr(targets, "_resolve", lambda host, port: [ipaddress.ip_address("127.0.0.1")])
    with pytest.raises(targets.Blocked):
        webhooks._client().post("http://crm.example.com/hook", content=b"{}")
