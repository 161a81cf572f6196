"""The notification and webhook admin pages speak English when English is chosen
(template texts and names stay as entered; only the page's own words are checked)."""

import re

import pytest
from django.test import Client

from complaintloop.notify.models import NotificationTemplate
from complaintloop.webhooks.models import Delivery, Subscription

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _content(html: str) -> str:
    """The main column only: the sidebar lists every app, which is not ours to check."""
    main = html.split('<div id="content"', 1)[1].split('<div id="footer"', 1)[0]
    main = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", main, flags=re.S | re.I)
    main = re.sub(r'<option value="zh-hans"[^>]*>[^<]*</option>', " ", main)
    return re.sub(r"<[^>]+>", "\n", main)


@pytest.fixture
def english_admin(admin_client: Client) -> Client:
    admin_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return admin_client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/notify/notificationtemplate/?language__exact=en",
        "/admin/notify/smsmessage/",
        "/admin/notify/emailmessage/",
        "/admin/notify/customerpreference/",
        "/admin/notify/staffalertsetting/",
        "/admin/webhooks/subscription/",
        "/admin/webhooks/delivery/",
        "/admin/webhooks/deadletter/",
        "/admin/webhooks/subscription/add/",
    ],
)
def test_pages_have_no_chinese_ui_text(db, english_admin, url):
    sub = Subscription.objects.create(name="CRM", url="http://crm.example/hook", event_types=["*"])
    Delivery.objects.create(
        subscription=sub,
        outbox_id=1,
        event_type="ticket.created",
        body="{}",
        status="dead",
        attempts=8,
        last_error="HTTP 500",
        created_at="2025-09-24T10:00:00+08:00",
    )
    response = english_admin.get(url)
    assert response.status_code == 200
    leftovers = HAN.findall(_content(response.content.decode()))
    assert not leftovers, "".join(leftovers)


def test_template_form_in_english(db, english_admin):
    row = NotificationTemplate.objects.get(
        event="customer.accepted", channel="email", language="en"
    )
    response = english_admin.get(f"/admin/notify/notificationtemplate/{row.pk}/change/")
    text = _content(response.content.decode())
    assert "Available variables" in text
    assert "{{ customer.name }}" in text, text[-3000:]
    assert not HAN.findall(text), "".join(HAN.findall(text))
