"""The in-app notifications page: each person sees and clears only their own."""

import pytest
from django.test import Client

from complaintloop.core import clock
from complaintloop.notify.models import Notification
from tests.web.test_english import HAN, _english, _leftover_chinese, _nav


def _notify(recipient, title, *, outbox_id, number="", read=False):
    return Notification.objects.create(
        outbox_id=outbox_id,
        recipient=recipient,
        ticket_number=number,
        title=title,
        body="请尽快处理",
        created_at=clock.now(),
        read_at=clock.now() if read else None,
    )


@pytest.fixture
def inbox(world):
    ticket = world.new_ticket()
    return {
        "new": _notify(world.handler_nj, "新工单待签收", outbox_id=1, number=ticket.number),
        "old": _notify(world.handler_nj, "工单已催办", outbox_id=2, read=True),
        "other": _notify(world.handler_sz, "苏州的通知", outbox_id=3),
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_lists_only_own_notifications_unread_first_marked(world, inbox):
    html = _client(world.handler_nj).get("/notifications/").content.decode()
    assert "新工单待签收" in html and "工单已催办" in html
    assert "苏州的通知" not in html
    assert f'id="notification-{inbox["new"].pk}"' in html
    assert 'class="unread"' in html and html.count('class="unread"') == 1
    assert inbox["new"].ticket_number in html  # links to the ticket


def test_unread_filter_and_badge(world, inbox):
    client = _client(world.handler_nj)
    html = client.get("/notifications/?filter=unread").content.decode()
    assert "新工单待签收" in html and "工单已催办" not in html
    badge = client.get("/notifications/badge/").content.decode()
    assert ">1</span>" in badge
    assert client.get("/notifications/badge/").status_code == 200


def test_mark_one_read_then_badge_is_empty(world, inbox):
    client = _client(world.handler_nj)
    response = client.post("/notifications/read/", {"id": inbox["new"].pk})
    assert response.status_code == 302
    inbox["new"].refresh_from_db()
    assert inbox["new"].read_at is not None
    assert "nav-badge" not in client.get("/notifications/badge/").content.decode()


def test_mark_all_never_touches_someone_elses(world, inbox):
    _client(world.handler_nj).post("/notifications/read/", {"id": inbox["other"].pk})
    inbox["other"].refresh_from_db()
    assert inbox["other"].read_at is None  # another person's id is ignored
    _client(world.handler_nj).post("/notifications/read/")
    assert not Notification.objects.filter(recipient=world.handler_nj, read_at=None).exists()
    inbox["other"].refresh_from_db()
    assert inbox["other"].read_at is None


def test_redirect_target_stays_on_the_page(world, inbox):
    response = _client(world.handler_nj).post(
        "/notifications/read/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/notifications/"


def test_login_required(world):
    assert Client().get("/notifications/").status_code == 302


def test_in_english(world, inbox):
    page = _english(world.handler_nj).get("/notifications/")
    html = page.content.decode()
    assert not HAN.search(_nav(html))
    assert "Notifications" in html and "Mark all as read" in html
    # the notification titles and bodies are data, written in Chinese by the templates
    for value in ("新工单待签收", "工单已催办", "请尽快处理"):
        html = html.replace(value, " ")
    assert _leftover_chinese(html) == []
