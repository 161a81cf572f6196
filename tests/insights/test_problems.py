from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.insights import selectors, services
from complaintloop.insights.models import ProblemStatus
from complaintloop.org.models import ApiToken

from .helpers import at, clone, move


def test_problem_loop_and_effect_before_and_after(world):
    # given 30 days with 3 broadband complaints a day, then an improvement action
    now = timezone.now()
    today = timezone.localdate()
    template = world.new_ticket()
    move(template, at(today - timedelta(days=400)))
    for i in range(1, 31):
        clone(template, at(today - timedelta(days=40 + i)), 3)
    with time_machine.travel(now - timedelta(days=40), tick=False):
        problem = services.open_problem(
            actor=world.quality,
            title="小区光猫批次质量问题",
            category="0101",
            tickets=[template.number],
        )
        services.advance(problem.pk, actor=world.quality, to=ProblemStatus.ANALYZE)
        with pytest.raises(Invalid):  # no improvement without a root cause
            services.advance(problem.pk, actor=world.quality, to=ProblemStatus.IMPROVE)
        services.advance(
            problem.pk, actor=world.quality, to=ProblemStatus.IMPROVE, root_cause="光猫固件缺陷"
        )
        action = services.add_action(
            problem.pk,
            actor=world.quality,
            description="批量升级光猫固件",
            owner="handler_nj",
            due_at=now - timedelta(days=35),
        )
    assert selectors.effect(problem)["ready"] is False  # the action is not done yet
    with time_machine.travel(now - timedelta(days=20), tick=False):
        services.complete_action(problem.pk, action.pk, actor=world.handler_nj)
    # and afterwards 1 a day for the 20 days since
    for i in range(0, 20):
        clone(template, at(today - timedelta(days=i + 1), hour=23), 1)
    services.advance(problem.pk, actor=world.quality, to=ProblemStatus.EVALUATE)
    # when the effect is measured
    result = selectors.effect(problem)
    # then complaints per day fell from 3 to about 1
    assert result["ready"] is True
    assert result["before_per_day"] == pytest.approx(3.0, abs=0.11)
    assert result["after_per_day"] == pytest.approx(1.0, abs=0.11)
    assert result["change"] == pytest.approx(-0.667, abs=0.05)
    closed = services.advance(problem.pk, actor=world.quality, to=ProblemStatus.CLOSED)
    assert closed.closed_at is not None
    with pytest.raises(Conflict):
        services.advance(problem.pk, actor=world.quality, to=ProblemStatus.ANALYZE)


def test_problem_rules_and_scope(world):
    with pytest.raises(Forbidden):
        services.open_problem(actor=world.handler_nj, title="x")
    problem = services.open_problem(actor=world.supervisor_nj, title="营业厅排队", owner="agent_nj")
    with pytest.raises(Conflict):
        services.advance(problem.pk, actor=world.supervisor_nj, to=ProblemStatus.EVALUATE)
    with pytest.raises(NotFound):
        selectors.problem(problem.pk, world.handler_sz)
    suzhou = world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")
    with pytest.raises(NotFound):  # a ticket out of the supervisor's scope
        services.link_tickets(problem.pk, actor=world.supervisor_nj, tickets=[suzhou.number])


def test_problems_api(world):
    _, key = ApiToken.issue(world.quality)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = Client()
    ticket = world.new_ticket()
    res = client.post(
        "/api/v1/insights/problems",
        {"title": "宽带掉线集中", "category": "0101", "tickets": [ticket.number]},
        content_type="application/json",
        **auth,
    )
    assert res.status_code == 201, res.json()
    pid = res.json()["id"]
    assert res.json()["tickets"] == [ticket.number]
    res = client.post(
        f"/api/v1/insights/problems/{pid}/actions/advance",
        {"to": "closed_wrong"},
        content_type="application/json",
        **auth,
    )
    assert res.status_code == 409
    res = client.post(
        f"/api/v1/insights/problems/{pid}/improvements",
        {"description": "更换设备", "due_at": "2999-01-01T00:00:00+08:00"},
        content_type="application/json",
        **auth,
    )
    assert res.status_code == 422 and res.json()["fields"] == {"due_at": ["无效"]}
    res = client.post(
        f"/api/v1/insights/problems/{pid}/improvements",
        {"description": "更换设备", "due_at": (timezone.now() + timedelta(days=3)).isoformat()},
        content_type="application/json",
        **auth,
    )
    assert res.status_code == 201
    action_id = res.json()["actions"][0]["id"]
    res = client.post(f"/api/v1/insights/problems/{pid}/improvements/{action_id}/done", **auth)
    assert res.status_code == 200 and res.json()["actions"][0]["done_at"]
    assert client.get(f"/api/v1/insights/problems/{pid}/effect", **auth).json()["ready"]
    assert [p["id"] for p in client.get("/api/v1/insights/problems", **auth).json()] == [pid]
