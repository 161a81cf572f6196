"""Every role's menu leads only to pages it may open (no 403 behind a visible link),
and 管理 (the Django admin) is offered only to roles with admin work, with the
permissions that work needs."""

import re

import pytest
from django.test import Client

from complaintloop.org.models import Role

from ..factories import StaffFactory

pytestmark = pytest.mark.django_db

NAV = re.compile(r"<nav>(.*?)</nav>", re.S)
HREF = re.compile(r'href="([^"]+)"')


def menu(client) -> list[str]:
    page = client.get("/").content.decode()
    return HREF.findall(NAV.search(page).group(1))


@pytest.fixture
def people(world):
    return {
        "agent": world.agent_nj,
        "handler": world.handler_nj,
        "supervisor": world.supervisor_nj,
        "quality": world.quality,
        "auditor": world.auditor,
        "process_admin": StaffFactory(
            username="process_admin_m", role=Role.PROCESS_ADMIN, unit=world.province
        ),
        "sysadmin": StaffFactory(
            username="root_m", role=Role.SYSTEM_ADMIN, is_superuser=True, unit=world.province
        ),
    }


@pytest.mark.parametrize(
    "who", ["agent", "handler", "supervisor", "quality", "auditor", "process_admin", "sysadmin"]
)
def test_every_menu_link_opens(people, who):
    client = Client()
    client.force_login(people[who])
    links = menu(client)
    assert links, who
    for href in links:
        response = client.get(href)
        assert response.status_code == 200, (who, href, response.status_code)


def test_who_sees_what(people):
    def links(who):
        client = Client()
        client.force_login(people[who])
        return set(menu(client))

    assert "/admin/" in links("process_admin") and "/admin/" in links("sysadmin")
    for who in ("agent", "handler", "supervisor", "quality", "auditor"):
        assert "/admin/" not in links(who), who
    for who in ("quality", "auditor", "process_admin"):
        assert "/intake/" not in links(who), who
    assert "/intake/" in links("agent")
    assert "/processes/" in links("process_admin") and "/processes/" not in links("supervisor")


def test_admin_follows_the_role(people, world):
    admin = Client()
    admin.force_login(people["process_admin"])
    index = admin.get("/admin/")
    assert index.status_code == 200
    body = index.content.decode()
    assert "/admin/taxonomy/category/" in body and "/admin/core/workcalendarday/" in body
    assert "/admin/org/staff/" not in body  # people and permissions stay with sysadmin
    assert admin.get("/admin/taxonomy/category/add/").status_code == 200
    assert admin.get("/admin/org/staff/").status_code == 403
    assert admin.get("/admin/routing/decisiontable/").status_code == 200
    for who in ("supervisor", "quality", "agent"):
        client = Client()
        client.force_login(people[who])
        assert client.get("/admin/").status_code == 302, who  # to the admin login
