"""决策表 pages of 流程配置: per role, the draft form's 422 listing the cells at fault
and keeping the edit, saving and publishing through the form."""

import pytest
from django.test import Client

from complaintloop.org.models import Role
from complaintloop.routing import selectors
from complaintloop.routing.models import DecisionTable

from ..factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    client = Client()
    client.force_login(
        StaffFactory(username="process_admin_r", role=Role.PROCESS_ADMIN, unit=world.province)
    )
    return client


def test_pages_answer_per_role(world, admin):
    listing = admin.get("/processes/decisions/")
    assert listing.status_code == 200
    assert "派单规则" in listing.content.decode() and "紧急程度时限" in listing.content.decode()
    page = admin.get("/processes/decisions/routing/")
    assert page.status_code == 200
    assert "vendor/dmn-js/dmn-modeler.production.min.js" in page.content.decode()
    assert admin.get("/processes/decisions/time_limits/").status_code == 200
    assert admin.get("/processes/decisions/nope/").status_code == 404
    for persona in (world.agent_nj, world.supervisor_nj, world.quality, world.auditor):
        client = Client()
        client.force_login(persona)
        assert client.get("/processes/decisions/").status_code == 403
        assert client.get("/processes/decisions/routing/").status_code == 403


def test_a_refused_draft_lists_the_cells_and_keeps_the_edit(world, admin):
    version = selectors.published_version("routing")
    xml = selectors.version_row("routing", version).dmn_xml.replace(
        '<text>"WG"</text>', '<text>"ZZ"</text>', 1
    )
    response = admin.post(
        "/processes/decisions/routing/drafts/", {"dmn_xml": xml, "based_on": version}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'data-element="net_out_2"' in body and "ZZ" in body
    assert DecisionTable.objects.filter(key="routing").count() == version


def test_save_and_publish_through_the_form(world, admin):
    version = selectors.published_version("routing")
    xml = selectors.version_row("routing", version).dmn_xml
    response = admin.post(
        "/processes/decisions/routing/drafts/", {"dmn_xml": xml, "comment": "同上"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?v={version + 1}")
    response = admin.post(f"/processes/decisions/routing/{version + 1}/publish/", follow=True)
    assert "已发布" in response.content.decode()
    assert selectors.published_version("routing") == version + 1
