"""Assignment inside a unit (issue 13, item 5): round robin, least loaded, skills first,
nobody absent or at their limit; the choice and its reason in the trace; a supervisor
pushes an item to a member or pulls it back; the 班组 page sets presence, limits, skills
and the unit's mode."""

import pytest
from django.test import Client

from complaintloop.org.models import AssignmentMode, Role, Staff
from complaintloop.tickets.models import EventKind, TicketEvent, WorkItemKind

from ..factories import StaffFactory
from ..test_api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    world.nj_wg.assignment_mode = AssignmentMode.ROUND_ROBIN
    world.nj_wg.save()
    second = StaffFactory(username="handler_nj_2", role=Role.HANDLER, unit=world.nj_wg)
    return [world.handler_nj, second]


def holder(ticket) -> Staff | None:
    return ticket.work_items.get(kind=WorkItemKind.MAIN, status="open").staff


def created_assignments(ticket) -> list[dict]:
    return TicketEvent.objects.get(ticket=ticket, seq=1).payload.get("assignments", [])


def test_round_robin_alternates_and_says_why(world, team):
    first, second, third = (world.new_ticket() for _ in range(3))
    assert [holder(t) for t in (first, second, third)] == [team[0], team[1], team[0]]
    reason = created_assignments(second)[0]
    assert reason["code"] == "assigned" and reason["mode"] == "round_robin"
    assert reason["staff"] == "handler_nj_2" and reason["unit"] == "NJ-WG"


def test_least_loaded_takes_the_member_with_fewest_open_items(world, team):
    world.nj_wg.assignment_mode = AssignmentMode.LEAST_LOADED
    world.nj_wg.save()
    busy = [world.new_ticket() for _ in range(2)]
    for ticket in busy:  # both land on team[0] by pushing
        item = ticket.work_items.get(kind=WorkItemKind.MAIN)
        item.staff = team[0]
        item.save()
    assert holder(world.new_ticket()) == team[1]
    assert created_assignments(world.new_ticket())[0]["load"] <= 1


def test_skills_first_and_nobody_absent_or_full(world, team):
    team[1].skills = ["0101"]
    team[1].save()
    assert holder(world.new_ticket()) == team[1]  # broadband fault: the skilled member
    assert holder(world.new_ticket()) == team[1]
    team[1].is_available = False
    team[1].save()
    assert holder(world.new_ticket()) == team[0]  # absent members get nothing
    team[0].max_open_items = 1
    team[0].save()
    ticket = world.new_ticket()
    assert holder(ticket) is None  # everyone present is at their limit
    assert created_assignments(ticket)[0]["code"] == "all_full"


def test_a_pool_unit_assigns_nobody(world):
    ticket = world.new_ticket()
    assert holder(ticket) is None and created_assignments(ticket) == []


def test_supervisor_pushes_and_pulls_back_over_the_api(world, team):
    ticket = world.new_ticket()
    assert holder(ticket) == team[0]

    def assign(actor, to_staff):
        return Client().post(
            f"/api/v1/tickets/{ticket.number}/actions/assign",
            {"to_staff": to_staff},
            content_type="application/json",
            **bearer(actor),
        )

    supervisor = StaffFactory(username="supervisor_nj_wg", role=Role.SUPERVISOR, unit=world.nj_wg)
    assert assign(supervisor, "handler_nj_2").status_code == 200
    assert holder(ticket) == team[1]
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED).latest("seq")
    assert event.payload["assigned"]["code"] == "pushed"
    assert event.payload["assigned"]["from_staff"] == "handler_nj"
    assert assign(supervisor, None).status_code == 200
    assert holder(ticket) is None
    assert assign(supervisor, "agent_nj").status_code == 404  # not in the unit
    assert assign(world.agent_nj, "handler_nj").status_code == 403
    assert assign(world.supervisor_nj, "handler_nj").status_code == 200  # city scope


def test_the_team_page_sets_presence_limit_skills_and_mode(world, team):
    client = Client()
    client.force_login(world.supervisor_nj)
    page = client.get("/console/team/?unit=NJ-WG")
    assert page.status_code == 200 and "handler_nj_2" in page.content.decode()
    client.post(
        "/console/team/",
        {"unit": "NJ-WG", "action": "member", "staff": team[1].pk, "max_open_items": "5",
         "skills": "0101, 宽带", "is_available": ""},
    )  # fmt: skip
    team[1].refresh_from_db()
    assert (team[1].is_available, team[1].max_open_items) == (False, 5)
    assert team[1].skills == ["0101", "宽带"]
    client.post("/console/team/", {"unit": "NJ-WG", "action": "mode", "mode": "least_loaded"})
    world.nj_wg.refresh_from_db()
    assert world.nj_wg.assignment_mode == "least_loaded"
    ticket = world.new_ticket()
    done = client.post(
        "/console/team/",
        {"unit": "NJ-WG", "action": "assign", "number": ticket.number, "to_staff": "handler_nj_2"},
        follow=True,
    )
    assert "已重新分配" in done.content.decode()
    assert holder(ticket) == team[1]
    quality = Client()
    quality.force_login(world.quality)
    assert quality.get("/console/team/").status_code == 403
