"""Process versions over the API (issue 13's contract): list, read, save a draft that is
validated by the BPMN parser and our lint rules (422 naming the element ids, nothing
stored), publish (later tickets use it, open ones stay on theirs). Only the process
administrator writes; the admin shows versions read-only."""

import pytest
from django.test import Client

from complaintloop.core.models import AuditLog
from complaintloop.org.models import Role
from complaintloop.processes import services
from complaintloop.processes.models import ProcessDefinition
from complaintloop.tickets.models import TicketProcess

from ..factories import StaffFactory
from ..test_api import bearer

pytestmark = pytest.mark.django_db


def general_xml() -> str:
    return services.BUILTIN["general_complaint"].read_text(encoding="utf-8")


@pytest.fixture
def admin(world):
    return StaffFactory(username="process_admin_t", role=Role.PROCESS_ADMIN, unit=world.province)


def post(actor, path, body=None):
    return Client().post(
        f"/api/v1{path}", body or {}, content_type="application/json", **bearer(actor)
    )


def test_list_and_read_versions(world):
    items = Client().get("/api/v1/processes", **bearer(world.agent_nj)).json()["items"]
    general = next(i for i in items if i["key"] == "general_complaint")
    assert general["published_version"] == 1 and general["name"] == "一般投诉流程"
    response = Client().get(
        "/api/v1/processes/general_complaint/versions/1", **bearer(world.agent_nj)
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["key"], body["version"], body["status"]) == ("general_complaint", 1, "published")
    assert body["bpmn_xml"].startswith("<?xml")
    missing = Client().get(
        "/api/v1/processes/general_complaint/versions/99", **bearer(world.agent_nj)
    )
    assert missing.status_code == 404


def test_a_draft_is_saved_then_published_and_only_new_tickets_use_it(world, admin):
    old_ticket = world.new_ticket()
    xml = general_xml().replace('name="处理"', 'name="处理(新版)"')
    response = post(admin, "/processes/general_complaint/versions", {"bpmn_xml": xml})
    assert response.status_code == 201
    assert response.json() == {"key": "general_complaint", "version": 2, "status": "draft"}
    # a draft changes nothing yet
    assert world.new_ticket().process.definition.version == 1
    response = post(admin, "/processes/general_complaint/versions/2/publish")
    assert response.status_code == 200 and response.json()["status"] == "published"
    new_ticket = world.new_ticket()
    assert new_ticket.process.definition.version == 2
    assert TicketProcess.objects.get(ticket=old_ticket).definition.version == 1
    assert post(admin, "/processes/general_complaint/versions/2/publish").status_code == 409
    assert AuditLog.objects.filter(action="process.published").exists()


@pytest.mark.parametrize(
    ("change", "element", "rule_words"),
    [
        # a task without owner
        ('<spiffworkflow:property name="assignee" value="accepting" />', "callback", "处理人"),
        # no time limit declared
        ('<spiffworkflow:property name="timeLimitMinutes" value="540" />', "callback", "时限"),
    ],
)
def test_lint_names_the_element_at_fault_and_stores_nothing(
    world, admin, change, element, rule_words
):
    xml = general_xml().replace(change, "")
    response = post(admin, "/processes/general_complaint/versions", {"bpmn_xml": xml})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "process.lint_failed"
    assert element in body["fields"] and rule_words in body["fields"][element][0]
    assert ProcessDefinition.objects.filter(key="general_complaint").count() == 1


def test_unreachable_step_and_gateway_without_default(world, admin):
    xml = (
        general_xml()
        .replace(' default="flow_unsatisfied"', "")
        .replace(
            '<bpmn:sequenceFlow id="flow_unsatisfied" name="不满意，二次处理" sourceRef="satisfied_gateway" targetRef="handle" />',
            '<bpmn:sequenceFlow id="flow_unsatisfied" name="不满意，二次处理" sourceRef="satisfied_gateway" targetRef="handle">'
            '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">satisfied == False</bpmn:conditionExpression>'
            "</bpmn:sequenceFlow>",
        )
        .replace(
            "</bpmn:process>",
            '<bpmn:userTask id="orphan" name="孤立环节"><bpmn:outgoing>flow_orphan</bpmn:outgoing></bpmn:userTask>'
            '<bpmn:sequenceFlow id="flow_orphan" sourceRef="orphan" targetRef="end" /></bpmn:process>',
        )
    )
    response = post(admin, "/processes/general_complaint/versions", {"bpmn_xml": xml})
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "satisfied_gateway" in fields and "orphan" in fields
    assert any("无法到达" in m for m in fields["orphan"])


def test_xml_that_is_not_bpmn_is_refused(world, admin):
    for xml in ("<not-bpmn/>", "no xml at all", ""):
        response = post(admin, "/processes/general_complaint/versions", {"bpmn_xml": xml})
        assert response.status_code == 422, xml
    assert ProcessDefinition.objects.filter(key="general_complaint").count() == 1
    # intake still works: the bad XML never became a version
    assert world.new_ticket().process.definition.version == 1


def test_only_the_process_administrator_writes(world):
    for actor in (world.agent_nj, world.supervisor_nj, world.quality):
        response = post(actor, "/processes/general_complaint/versions", {"bpmn_xml": general_xml()})
        assert response.status_code == 403
    assert ProcessDefinition.objects.filter(key="general_complaint").count() == 1


def test_the_admin_shows_versions_read_only(world, admin_client):
    definition = ProcessDefinition.objects.get(key="general_complaint", version=1)
    page = admin_client.get(f"/admin/processes/processdefinition/{definition.pk}/change/")
    assert page.status_code == 200
    assert admin_client.get("/admin/processes/processdefinition/add/").status_code == 403
    admin_client.post(
        f"/admin/processes/processdefinition/{definition.pk}/change/",
        {"key": "general_complaint", "bpmn_xml": "<not-bpmn/>", "version": 1},
    )
    definition.refresh_from_db()
    assert definition.bpmn_xml.startswith("<?xml")
