"""The English UI: with the language switched to English, the pages show English labels.

Only interface strings are translated; data (unit and category names, ticket titles,
order types, customer names) stays as entered, so the checks strip the data first and
then expect no Chinese left on the page.
"""

import re

import pytest
from django.test import Client

from complaintloop.customers.models import Customer
from complaintloop.org.models import Staff, Unit
from complaintloop.taxonomy.models import Category, OrderType, Product, ServiceProvider
from complaintloop.tickets.models import Ticket
from tests.test_api import bearer

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Kept on purpose: the switch back to Chinese is labelled in Chinese, and the category
# search example is a (Chinese) category name.
ALLOWED = ("中文", "宽带")


def _english(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _visible_text(html: str) -> str:
    """Text nodes plus the attributes a user reads (placeholder, title, aria-label, …)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    attrs = re.findall(
        r'\b(?:placeholder|title|aria-label|alt|data-sla-[a-z]+|data-u-[a-z])="([^"]*)"', html
    )
    text = re.sub(r"<[^>]+>", "\n", html)
    return "\n".join([text, *attrs])


def _data_strings() -> list[str]:
    """Everything users typed or loaded as reference data; longest first so a full
    category path is removed before its parts."""
    values: set[str] = set()
    values.update(Unit.objects.values_list("name", flat=True))
    values.update(Category.objects.values_list("name", flat=True))
    values.update(Category.objects.values_list("full_name", flat=True))
    values.update(OrderType.objects.values_list("name", flat=True))
    values.update(Product.objects.values_list("name", flat=True))
    values.update(ServiceProvider.objects.values_list("name", flat=True))
    values.update(Customer.objects.values_list("name", flat=True))
    values.update(Staff.objects.values_list("display_name", flat=True))
    for title, description in Ticket.objects.values_list("title", "description"):
        values.update((title, description))
    return sorted((v for v in values if v), key=len, reverse=True)


def _leftover_chinese(html: str) -> list[str]:
    text = _visible_text(html)
    for value in _data_strings():
        text = text.replace(value, " ")
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    return [line.strip() for line in text.splitlines() if HAN.search(line)]


def _nav(html: str) -> str:
    match = re.search(r"<nav>(.*?)</nav>", html, flags=re.S)
    assert match, "page has no navigation"
    return match.group(1)


@pytest.fixture
def ticket(world):
    return world.new_ticket()


def test_home_in_english(world, ticket):
    page = _english(world.handler_nj).get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="en"' in html
    nav = _nav(html)
    for label in ("Home", "Intake", "Queues"):
        assert f">{label}</a>" in nav
    assert not HAN.search(nav)
    assert "Log out" in html and "退出" not in html
    assert "My tasks" in html and "我的待办" not in html
    assert _leftover_chinese(html) == []


def test_queues_in_english(world, ticket):
    page = _english(world.handler_nj).get("/queues/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not HAN.search(_nav(html))
    assert "Work queues" in html and "工作队列" not in html
    assert "Accept selected" in html and "批量签收" not in html
    # the SLA countdown labels handed to the ticker script
    assert 'data-sla-left="Due in"' in html and 'data-sla-over="Overdue"' in html
    assert _leftover_chinese(html) == []


def test_intake_in_english(world):
    page = _english(world.agent_nj).get("/intake/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not HAN.search(_nav(html))
    assert "Caller number" in html and "来电号码" not in html
    assert "Resolved at first contact" in html and "首问解决" not in html
    assert "Pre-handling" in html and "预处理" not in html
    assert _leftover_chinese(html) == []


def test_console_in_english(world, ticket):
    page = _english(world.supervisor_nj).get("/console/")
    assert page.status_code == 200
    html = page.content.decode()
    nav = _nav(html)
    assert ">Console</a>" in nav and not HAN.search(nav)
    assert "Data scope" in html and "数据范围" not in html
    assert "Open tasks" in html and "在途待办" not in html
    assert "Pending acceptance" in html and "待签收" not in html
    assert _leftover_chinese(html) == []


def test_console_forbidden_page_in_english(world):
    page = _english(world.agent_nj).get("/console/")
    assert page.status_code == 403
    html = page.content.decode()
    assert "Access denied" in html and "无权访问" not in html
    assert _leftover_chinese(html) == []


def test_login_page_and_error_in_english(world):
    client = _english()
    page = client.get("/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="en"' in html
    for label in ("Log in", "Username", "Password"):
        assert label in html
    assert _leftover_chinese(html) == []
    bad = client.post("/login/", {"username": "agent_nj", "password": "wrong"})
    assert bad.status_code == 400
    assert "Incorrect username or password" in bad.content.decode()
    assert _leftover_chinese(bad.content.decode()) == []


def test_cookie_alone_selects_english(world):
    client = Client()
    client.force_login(world.agent_nj)
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html and ">Home</a>" in html


def test_api_error_message_follows_accept_language(world):
    auth = bearer(world.agent_nj)
    english = Client().get("/api/v1/tickets/TS000", HTTP_ACCEPT_LANGUAGE="en", **auth)
    assert english.status_code == 404
    body = english.json()
    assert body["code"] == "ticket.not_found"
    assert body["message"] == "Ticket TS000 does not exist"
    chinese = Client().get("/api/v1/tickets/TS000", **auth)
    assert chinese.status_code == 404
    assert chinese.json()["message"] == "工单 TS000 不存在"


def test_api_field_errors_in_english(world):
    auth = bearer(world.agent_nj)
    response = Client().post(
        "/api/v1/tickets",
        {"order_type": "complaint", "channel": "phone", "customer_phone": "13800001111"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **auth,
    )
    assert response.status_code == 422
    messages = [m for ms in response.json()["fields"].values() for m in ms]
    assert messages and not any(HAN.search(m) for m in messages), messages
