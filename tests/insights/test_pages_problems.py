"""Problem pages (R23) and the keyword dictionary page: actions go through the
services, errors are shown on the form, data scope holds."""

from datetime import timedelta

from django.utils import timezone

from complaintloop.core import outbox
from complaintloop.core.models import Outbox
from complaintloop.insights import keywords
from complaintloop.insights.models import DomainTerm, Problem, ProblemStatus, StopWord

from .pages import client_for, suzhou_supervisor


def test_problem_from_page_to_effect(world):
    tickets = [world.new_ticket() for _ in range(3)]
    client = client_for(world.supervisor_nj)
    # given a problem registered on the page with two ticket numbers pasted
    res = client.post(
        "/insights/problems/",
        {
            "title": "江宁片区光猫批次故障",
            "category": "0101",
            "owner": "handler_nj",
            "tickets": f"{tickets[0].number}, {tickets[1].number}",
        },
    )
    problem = Problem.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/insights/problems/{problem.pk}/"
    assert problem.owner == world.handler_nj and problem.unit == world.nj_kf
    assert problem.links.count() == 2
    # when a third ticket is linked, the analysis recorded and an action added and done
    url = f"/insights/problems/{problem.pk}/"
    client.post(url + "link/", {"tickets": tickets[2].number})
    client.post(url + "advance/", {"to": "analyze"})
    res = client.post(url + "advance/", {"to": "improve"})
    assert res.status_code == 422 and "请先填写根因" in res.content.decode()
    client.post(url + "edit/", {"title": problem.title, "owner": "handler_nj",
                                "category": "0101", "root_cause": "光猫固件缺陷",
                                "evaluation": ""})  # fmt: skip
    client.post(url + "advance/", {"to": "improve"})
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    res = client.post(url + "add_action/", {"description": "升级固件", "due_at": ""})
    assert res.status_code == 422 and "请填写完成时限" in res.content.decode()
    client.post(url + "add_action/", {"description": "升级固件", "due_at": due})
    action = problem.actions.get()
    # the owner (a handler without the quality role) may not open the page, but the
    # supervisor completes the action for them
    client.post(url + "done/", {"action_id": action.pk})
    page = client.get(url)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.IMPROVE and problem.root_cause == "光猫固件缺陷"
    assert page.context["n_links"] == 3
    assert page.context["effect"]["ready"] is True
    assert page.context["series"]["counts"][-1] == 3  # today's three broadband tickets
    assert {m["kind"] for m in page.context["series"]["marks"]} == {"created", "done"}
    html = page.content.decode()
    assert 'id="chart-effect"' in html and 'id="effect-before"' in html
    # unknown tickets are named in the error
    res = client.post(url + "link/", {"tickets": "TS999999999999"})
    assert res.status_code == 404 and "TS999999999999" in res.content.decode()
    client.post(url + "unlink/", {"ticket": tickets[2].number})
    assert problem.links.count() == 2


def test_a_suzhou_user_cannot_see_a_nanjing_problem(world):
    client_for(world.supervisor_nj).post("/insights/problems/", {"title": "南京营业厅排队"})
    problem = Problem.objects.get()
    sz = client_for(suzhou_supervisor(world))
    assert sz.get("/insights/problems/").context["rows"] == []
    assert sz.get(f"/insights/problems/{problem.pk}/").status_code == 404
    assert (
        sz.post(f"/insights/problems/{problem.pk}/advance/", {"to": "analyze"}).status_code == 404
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.DISCOVER


def test_problem_form_errors_show_on_the_page(world):
    client = client_for(world.quality)
    res = client.post("/insights/problems/", {"title": "", "category": ""})
    assert res.status_code == 422 and "请填写必填项" in res.content.decode()
    res = client.post("/insights/problems/", {"title": "x", "tickets": "TS20260000000001"})
    assert res.status_code == 404 and Problem.objects.count() == 0


def test_dictionary_edits_go_through_the_outbox(world):
    client = client_for(world.quality)
    text = "家里光猫一直闪红灯"
    before = dict(keywords.extract(text))
    assert "闪红灯" not in before and "家里" in before
    res = client.post("/insights/dictionary/term/", {"word": "闪红灯", "weight": "3"})
    assert res.status_code == 302 and DomainTerm.objects.get(word="闪红灯").weight == 3.0
    client.post("/insights/dictionary/stop/", {"word": "家里"})
    assert StopWord.objects.filter(word="家里").exists()
    rows = Outbox.objects.filter(topic="insights.dictionary")
    assert [r.payload["action"] for r in rows.order_by("id")] == ["term_added", "stop_added"]
    outbox.drain()
    words = dict(keywords.extract(text))
    assert "闪红灯" in words and "家里" not in words
    # bad input is shown on the page; a second identical stop word conflicts
    res = client.post("/insights/dictionary/term/", {"word": "两个 词", "weight": "1"})
    assert res.status_code == 422 and "不含空格" in res.content.decode()
    res = client.post("/insights/dictionary/stop/", {"word": "家里"})
    assert res.status_code == 409
    # supervisors read the dictionary but may not edit it
    sup = client_for(world.supervisor_nj)
    assert sup.get("/insights/dictionary/").status_code == 200
    res = sup.post("/insights/dictionary/term/", {"word": "测速", "weight": "2"})
    assert res.status_code == 403 and not DomainTerm.objects.filter(word="测速").exists()


def test_reextraction_recomputes_recent_keywords(world):
    ticket = world.new_ticket(description="光猫闪红灯无法上网")
    client = client_for(world.quality)
    client.post("/insights/dictionary/term/", {"word": "闪红灯", "weight": "3"})
    client.post("/insights/dictionary/reextract/", {"days": "7"})
    outbox.drain()
    assert ticket.keywords.filter(word="闪红灯").exists()
    res = client.post("/insights/dictionary/reextract/", {"days": "400"})
    assert res.status_code == 422


def test_garbage_in_forms_is_a_4xx(world):
    client = client_for(world.quality)
    client.post("/insights/problems/", {"title": "x"})
    problem = Problem.objects.get()
    url = f"/insights/problems/{problem.pk}/"
    assert client.post(url + "done/", {"action_id": "abc"}).status_code == 422
    assert client.post(url + "done/", {"action_id": "12345"}).status_code == 404
    assert client.post(url + "advance/", {"to": "closed!"}).status_code == 409
    assert client.post(url + "nope/").status_code == 404
    assert client.post(url + "edit/", {"title": "x", "owner": "ghost"}).status_code == 422
    assert client.get("/insights/tickets/", {"d1": "password", "k1": "x"}).status_code == 422
    assert (
        client.post("/insights/dictionary/term/", {"word": "ab", "weight": "nan"}).status_code
        == 422
    )
    assert (
        client.post("/insights/tickets/link/", {"problem": "x", "ticket": ["a"]}).status_code == 302
    )
