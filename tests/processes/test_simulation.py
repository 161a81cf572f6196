"""仿真 (issue 13, item 2): a draft runs on the last 30 days of tickets routing sends to
its process: tickets per step and flow, the second-handling loop taken by dissatisfied
tickets, expected breaches against the draft's limits; conditions are interpreted, not
executed; the designer's endpoint answers the process admin only."""

import pytest
from django.test import Client

from complaintloop.org.models import Role
from complaintloop.processes import services as processes
from complaintloop.tickets import services, simulation

from ..factories import StaffFactory

pytestmark = pytest.mark.django_db


def general_xml() -> str:
    return processes.BUILTIN["general_complaint"].read_text(encoding="utf-8")


@pytest.fixture
def history(world):
    done = []
    for verdict in ("satisfied", "satisfied", "dissatisfied"):
        ticket = world.new_ticket()
        services.accept(ticket.number, actor=world.handler_nj)
        services.reply(ticket.number, actor=world.handler_nj, comment="已处理")
        services.callback(ticket.number, actor=world.agent_nj, result=verdict)
        done.append(ticket)
    world.new_ticket()  # still open
    return done


def test_paths_and_loop_counts(world, history):
    result = simulation.simulate("general_complaint", general_xml())
    assert result["tickets"] == 4
    assert result["nodes"]["start"] == 4
    assert result["flows"]["flow_unsatisfied"] == 1  # the dissatisfied one loops once
    assert result["nodes"]["handle"] == 5 and result["nodes"]["end"] == 4
    steps = {s["id"]: s for s in result["steps"]}
    assert steps["callback"]["limit_minutes"] == 540
    assert result["expected_breaches"] == 0  # handled within minutes


def test_a_tight_limit_shows_expected_breaches(world, history, settings):
    from datetime import timedelta

    from complaintloop.tickets.models import Ticket

    # the history took days to reply (10 calendar days cover working time even around a holiday)
    for ticket in history:
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=ticket.created_at - timedelta(days=10)
        )
    tight = general_xml().replace(
        '<spiffworkflow:property name="timeLimitMinutes" value="" />',
        '<spiffworkflow:property name="timeLimitMinutes" value="60" />',
    )
    result = simulation.simulate("general_complaint", tight)
    steps = {s["id"]: s for s in result["steps"]}
    assert steps["handle"]["limit_minutes"] == 60
    # the two replied ones took longer than 60 minutes; the one in second handling has
    # no reply yet, so nothing to compare
    assert steps["handle"]["expected_breaches"] == 2


def test_other_processes_tickets_are_left_out(world, history):
    result = simulation.simulate(
        "sp_complaint", processes.BUILTIN["sp_complaint"].read_text("utf-8")
    )
    assert result["tickets"] == 0


def test_conditions_are_interpreted():
    import ast

    tree = ast.parse('customer_level == "vip" and channel in ("phone", "app")', mode="eval").body
    assert simulation.evaluate(tree, {"customer_level": "vip", "channel": "app"}) is True
    assert simulation.evaluate(tree, {"customer_level": "vip", "channel": "sms"}) is False


def test_the_designer_endpoint(world, history):
    admin = Client()
    admin.force_login(
        StaffFactory(username="process_admin_s", role=Role.PROCESS_ADMIN, unit=world.province)
    )
    response = admin.post("/processes/general_complaint/simulate/", {"bpmn_xml": general_xml()})
    assert response.status_code == 200 and response.json()["tickets"] == 4
    bad = admin.post("/processes/general_complaint/simulate/", {"bpmn_xml": "<x/>"})
    assert bad.status_code == 422 and bad.json()["code"].startswith("process.")
    agent = Client()
    agent.force_login(world.agent_nj)
    assert (
        agent.post(
            "/processes/general_complaint/simulate/", {"bpmn_xml": general_xml()}
        ).status_code
        == 403
    )
