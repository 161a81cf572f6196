"""内部评价 (R15): the handling unit rates the dispatched order, the accepting unit
rates the handling once done; once per side; others are refused with a 4xx."""

import pytest
from django.test import Client

from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.quality import services
from complaintloop.quality.models import Evaluation
from complaintloop.tickets.models import EventKind

from .test_api import bearer


def test_each_side_rates_the_other_once(dataset, world):
    t1 = dataset.t1  # 南京: taken by 客服 (NJ-KF), handled by 网管 (NJ-WG), replied
    # when the handling unit rates the order it was dispatched
    dispatch = services.evaluate(
        t1.number,
        actor=world.handler_nj,
        side="dispatch",
        score=4,
        complete=True,
        correctly_classified=False,
        comment="分类应为家宽",
    )
    # and the accepting unit rates the handling
    handling = services.evaluate(t1.number, actor=world.agent_nj, side="handling", score="5")
    # then each names the unit on the other side
    assert (dispatch.rated_unit, dispatch.rater_unit) == (world.nj_kf, world.nj_wg)
    assert dispatch.rated_staff == world.agent_nj  # who took the call
    assert (handling.rated_unit, handling.rated_staff) == (world.nj_wg, world.handler_nj)
    # and the ticket's trace shows both
    events = t1.events.filter(kind=EventKind.COMMENTED, payload__evaluation__isnull=False)
    assert sorted(e.payload["evaluation"] for e in events) == ["dispatch", "handling"]
    # a second rating of a side is refused and changes nothing
    with pytest.raises(Conflict):
        services.evaluate(t1.number, actor=world.agent_nj, side="handling", score=1)
    assert Evaluation.objects.get(ticket=t1, side="handling").score == 5


def test_only_the_right_unit_may_rate(dataset, world):
    t1 = dataset.t1
    # 业务支撑 did not handle T1: it may not rate the dispatch
    with pytest.raises(Forbidden):
        services.evaluate(
            t1.number,
            actor=world.handler_nj_yz,
            side="dispatch",
            score=3,
            complete=True,
            correctly_classified=True,
        )
    # the handler may not rate its own handling
    with pytest.raises(Forbidden):
        services.evaluate(t1.number, actor=world.handler_nj, side="handling", score=5)
    # 苏州 does not even see the ticket
    with pytest.raises(NotFound):
        services.evaluate(t1.number, actor=world.agent_sz, side="handling", score=5)
    # the accepting unit waits until the handling is done (T5 is still open)
    with pytest.raises(Conflict):
        services.evaluate(dataset.t5.number, actor=world.agent_nj, side="handling", score=5)
    # scores are 1–5, and the dispatch side must say complete / classified
    with pytest.raises(Invalid):
        services.evaluate(t1.number, actor=world.agent_nj, side="handling", score=6)
    with pytest.raises(Invalid):
        services.evaluate(t1.number, actor=world.handler_nj, side="dispatch", score=3)
    assert not Evaluation.objects.exists()


def test_api_errors_are_4xx_json(dataset, world):
    client = Client()
    url = f"/api/v1/tickets/{dataset.t1.number}/evaluations"

    def post(staff, body):
        return client.post(url, body, content_type="application/json", **bearer(staff))

    ok = post(world.agent_nj, {"side": "handling", "score": 4, "comment": "处理及时"})
    assert ok.status_code == 201
    assert ok.json()["rated_unit"] == "NJ-WG"
    assert post(world.agent_nj, {"side": "handling", "score": 4}).status_code == 409
    forbidden = post(world.handler_nj_yz, {"side": "dispatch", "score": 4, "complete": True,
                                           "correctly_classified": True})  # fmt: skip
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "evaluation.forbidden"
    bad = post(world.handler_nj, {"side": "dispatch", "score": 0, "complete": True,
                                  "correctly_classified": True})  # fmt: skip
    assert bad.status_code == 422 and "score" in bad.json()["fields"]
    assert post(world.agent_sz, {"side": "handling", "score": 4}).status_code == 404
    listed = client.get(url, **bearer(world.supervisor_nj)).json()
    assert [(e["side"], e["score"]) for e in listed] == [("handling", 4)]
    assert client.get(url, **bearer(world.agent_sz)).status_code == 404
