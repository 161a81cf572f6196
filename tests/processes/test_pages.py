"""流程配置 pages: per role, and the draft form's 422 with the problems listed."""

import pytest
from django.test import Client

from complaintloop.org.models import Role
from complaintloop.processes import services
from complaintloop.processes.models import ProcessDefinition

from ..factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    client = Client()
    client.force_login(
        StaffFactory(username="process_admin_p", role=Role.PROCESS_ADMIN, unit=world.province)
    )
    return client


def test_pages_answer_per_role(world, admin):
    assert admin.get("/processes/").status_code == 200
    assert "一般投诉流程" in admin.get("/processes/").content.decode()
    assert admin.get("/processes/general_complaint/").status_code == 200
    assert admin.get("/processes/nope/").status_code == 404
    for persona in (world.agent_nj, world.handler_nj, world.supervisor_nj, world.quality):
        client = Client()
        client.force_login(persona)
        assert client.get("/processes/").status_code == 403
        assert "流程配置" not in client.get("/").content.decode()
    assert "流程配置" in admin.get("/").content.decode()


def test_a_refused_draft_lists_its_problems_and_keeps_the_edit(world, admin):
    xml = (
        services.BUILTIN["general_complaint"]
        .read_text(encoding="utf-8")
        .replace('<spiffworkflow:property name="assignee" value="accepting" />', "")
    )
    response = admin.post(
        "/processes/general_complaint/drafts/", {"bpmn_xml": xml, "based_on": "1"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-element="callback"' in html and "未指定处理人" in html
    assert ProcessDefinition.objects.filter(key="general_complaint").count() == 1
    ok = admin.post(
        "/processes/general_complaint/drafts/",
        {"bpmn_xml": services.BUILTIN["general_complaint"].read_text(encoding="utf-8")},
    )
    assert ok.status_code == 302 and ok["Location"].endswith("?v=2")
    assert admin.post("/processes/general_complaint/2/publish/").status_code == 302
    assert ProcessDefinition.objects.get(key="general_complaint", version=2).is_active
