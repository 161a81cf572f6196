"""The shipped processes run end to end through the ticket lifecycle (issue 13, item
3): the SP complaint's reply step goes to business support before the callback, an
on-site visit is booked before it is handled, an inquiry ends with its answer; the
process data (customer level, city, channel...) reaches gateways; conditions that are
anything but comparisons of process data are refused."""

import pytest

from complaintloop.processes import engine, lint
from complaintloop.processes import services as processes
from complaintloop.taxonomy.models import Category, OrderType
from complaintloop.tickets import services
from complaintloop.tickets.models import EventKind, Status, TicketEvent, WorkItemKind

pytestmark = pytest.mark.django_db


def main_item(ticket):
    return ticket.work_items.get(kind=WorkItemKind.MAIN, status="open")


def test_every_builtin_process_is_published_and_passes_lint(world):
    for key in ("sp_complaint", "onsite_visit", "inquiry", "suggestion", "new_problem"):
        assert processes.selectors.active_definition(key) is not None, key
        processes.validate(key, processes.BUILTIN[key].read_text(encoding="utf-8"))


def test_an_sp_complaint_goes_to_the_sp_reply_step_then_to_callback(world):
    Category.objects.filter(code="02").update(default_process_key="sp_complaint")
    ticket = world.new_ticket(category="0201")
    assert ticket.process.definition.key == "sp_complaint"
    assert main_item(ticket).step == "handle" and ticket.owner_unit == world.nj_yz
    services.accept(ticket.number, actor=world.handler_nj_yz)
    ticket = services.reply(ticket.number, actor=world.handler_nj_yz, comment="已核实,转 SP 答复")
    assert ticket.status == Status.PENDING  # not replied yet: the SP's step comes first
    item = main_item(ticket)
    assert (item.step, item.unit) == ("sp_reply", world.nj_yz)
    event = TicketEvent.objects.filter(ticket=ticket).latest("seq")
    assert event.kind == EventKind.STEP_COMPLETED
    assert event.payload == {"step": "handle", "next_step": "sp_reply", "to_unit": "NJ-YZ"}
    services.accept(ticket.number, actor=world.handler_nj_yz)
    ticket = services.reply(ticket.number, actor=world.handler_nj_yz, comment="SP 已退费")
    assert ticket.status == Status.REPLIED
    assert ticket.work_items.get(kind=WorkItemKind.CALLBACK, status="open").step == "callback"
    # dissatisfied: second handling back at the last handling unit, the loop of the BPMN
    ticket = services.callback(ticket.number, actor=world.agent_nj, result="dissatisfied")
    assert ticket.status == Status.PENDING and main_item(ticket).step == "handle"


def test_an_inquiry_ends_with_its_answer(world):
    OrderType.objects.filter(code="inquiry").update(default_process_key="inquiry")
    ticket = world.new_ticket(order_type="inquiry", category="0101")
    assert ticket.process.definition.key == "inquiry"
    services.accept(ticket.number, actor=world.handler_nj)
    ticket = services.reply(ticket.number, actor=world.handler_nj, comment="已告知办理方式")
    assert ticket.status == Status.CLOSED
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.REPLIED, EventKind.CLOSED]
    assert not ticket.work_items.filter(status="open").exists()


def test_an_onsite_visit_is_booked_then_handled(world):
    OrderType.objects.filter(code="complaint").update(default_process_key="onsite_visit")
    ticket = world.new_ticket()
    assert main_item(ticket).step == "appointment"
    assert main_item(ticket).due_at <= ticket.due_at
    services.accept(ticket.number, actor=world.handler_nj)
    ticket = services.reply(ticket.number, actor=world.handler_nj, comment="约定明天上午上门")
    assert main_item(ticket).step == "visit" and ticket.status == Status.PENDING


VIP_GATEWAY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="x">
  <bpmn:process id="vip_split" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="level" default="f_other"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f_vip</bpmn:outgoing><bpmn:outgoing>f_other</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="vip_handle" name="VIP 专席"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="assignee" value="routed" /><spiffworkflow:property name="timeLimitMinutes" value="120" />
      </spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f_vip</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="handle" name="处理"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="assignee" value="routed" /><spiffworkflow:property name="timeLimitMinutes" value="" />
      </spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>f_other</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="level" />
    <bpmn:sequenceFlow id="f_vip" sourceRef="level" targetRef="vip_handle">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">CONDITION</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_other" sourceRef="level" targetRef="handle" />
    <bpmn:sequenceFlow id="f1" sourceRef="vip_handle" targetRef="end" />
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""


def test_gateways_branch_on_the_tickets_data(world):
    xml = VIP_GATEWAY.replace("CONDITION", 'customer_level == "vip" and city in ("NJ", "SZ")')
    processes.publish("vip_split", xml)
    OrderType.objects.filter(code="complaint").update(default_process_key="vip_split")
    vip = world.new_ticket(customer_phone="13900002222")  # 李女士 is VIP
    normal = world.new_ticket()
    assert main_item(vip).step == "vip_handle"
    assert main_item(normal).step == "handle"


@pytest.mark.parametrize(
    "condition",
    [
        "__import__('os').system('id')",
        "().__class__.__bases__[0].__subclasses__()",
        "salary > 3",
        "len(channel) > 2",
        "[x for x in range(9)]",
        "lambda: 1",
    ],
)
def test_conditions_other_than_comparisons_of_process_data_are_refused(condition):
    assert lint.condition_problem(condition) is not None
    from complaintloop.core.errors import Invalid

    with pytest.raises(Invalid) as caught:
        processes.validate(
            "vip_split", VIP_GATEWAY.replace("CONDITION", condition.replace("<", "&lt;"))
        )
    assert "f_vip" in caught.value.fields


@pytest.mark.parametrize(
    "condition",
    [
        "satisfied == True",
        'channel in ("phone", "app") or not is_enterprise',
        'urgency != "normal"',
    ],
)
def test_plain_comparisons_pass(condition):
    assert lint.condition_problem(condition) is None


def test_a_started_instance_carries_the_data():
    definition = processes.selectors.active_definition("general_complaint")
    instance = engine.start(definition_id=definition.pk, data={"customer_level": "vip"})
    assert '"customer_level": "vip"' in instance.state


def test_a_new_problem_goes_to_root_cause_analysis_at_quality_management(world):
    OrderType.objects.filter(code="complaint").update(default_process_key="new_problem")
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    ticket = services.reply(
        ticket.number, actor=world.handler_nj, comment="已临时处理,提交根因分析"
    )
    item = main_item(ticket)
    assert (item.step, item.unit.code) == ("root_cause", "JS-ZL")  # the province's department


def test_a_step_can_switch_operations_off(world):
    from django.test import Client

    from complaintloop.core.errors import Conflict

    xml = (
        processes.BUILTIN["general_complaint"]
        .read_text(encoding="utf-8")
        .replace(
            '<spiffworkflow:property name="timeLimitMinutes" value="" />',
            '<spiffworkflow:property name="timeLimitMinutes" value="" />'
            '<spiffworkflow:property name="operations" value="return,request_assistance" />',
        )
    )
    processes.publish("general_complaint", xml)
    ticket = world.new_ticket()
    services.accept(ticket.number, actor=world.handler_nj)
    with pytest.raises(Conflict) as caught:
        services.transfer(ticket.number, actor=world.handler_nj, to_unit="NJ-YZ")
    assert caught.value.code == "step.operation_not_allowed"
    with pytest.raises(Conflict):
        services.suspend(ticket.number, actor=world.handler_nj, comment="等待")
    client = Client()
    client.force_login(world.handler_nj)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'data-action="return"' in page and 'data-action="transfer"' not in page
    services.return_(ticket.number, actor=world.handler_nj, comment="非本单位职责")


def test_unknown_operations_are_a_lint_problem(world):
    from complaintloop.core.errors import Invalid

    xml = (
        processes.BUILTIN["general_complaint"]
        .read_text(encoding="utf-8")
        .replace(
            '<spiffworkflow:property name="timeLimitMinutes" value="" />',
            '<spiffworkflow:property name="timeLimitMinutes" value="" />'
            '<spiffworkflow:property name="operations" value="return,explode" />',
        )
    )
    with pytest.raises(Invalid) as caught:
        processes.validate("general_complaint", xml)
    assert "handle" in caught.value.fields and "explode" in caught.value.fields["handle"][0]
