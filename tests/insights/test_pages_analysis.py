"""Hotspot, pivot and drill-down pages: the right numbers, inside the data scope."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from complaintloop.insights.models import Problem
from complaintloop.tickets.models import Ticket

from .helpers import at, clone, move
from .pages import client_for, suzhou_supervisor


def _data(world):
    today = timezone.localdate()
    nj = world.new_ticket(description="宽带掉线")
    sz = world.new_ticket(actor=world.agent_sz, customer_phone="13900002222", description="掉线")
    for template in (nj, sz):
        move(template, at(today - timedelta(days=3 * 365)))
    clone(nj, at(today - timedelta(days=1)), 5)
    clone(sz, at(today - timedelta(days=1)), 3, satisfaction="dissatisfied")
    clone(nj, at(today - timedelta(days=8)), 2)
    return today


def test_hotspots_page_shows_counts_changes_and_drills_down(world):
    _data(world)
    client = client_for(world.quality)
    # when the quality manager looks at regions over the last 7 days
    page = client.get("/insights/hotspots/", {"dimension": "region", "days": "7"})
    assert page.status_code == 200
    rows = {r["key"]: r for r in page.context["rows"]}
    # then Nanjing has 5 (2 the week before: +150 %), Suzhou 3, with a sparkline each
    assert rows["NJ"]["count"] == 5 and rows["NJ"]["previous"] == 2
    assert rows["NJ"]["pop"] == {"pct": 150.0, "dir": "up"}
    assert rows["SZ"]["count"] == 3 and rows["SZ"]["spark"]
    html = page.content.decode()
    assert "▲ 150.0%" in html and "chart-hotspots" in html
    # and the Nanjing row drills down to exactly its five tickets
    drill = client.get(
        "/insights/tickets/", {"d1": "region", "k1": "NJ", "days": "7", "l1": "南京分公司"}
    )
    numbers = {t.number for t in drill.context["page"]}
    expected = set(
        Ticket.objects.filter(
            region__code="NJ", created_at__gte=timezone.now() - timedelta(days=6)
        ).values_list("number", flat=True)
    )
    assert len(numbers) == 5 and numbers == expected


def test_hotspots_and_drill_down_stay_inside_the_users_city(world):
    _data(world)
    client = client_for(suzhou_supervisor(world))
    page = client.get("/insights/hotspots/", {"dimension": "region", "days": "7"})
    assert [r["key"] for r in page.context["rows"]] == ["SZ"]
    drill = client.get("/insights/tickets/", {"d1": "region", "k1": "NJ", "days": "7"})
    assert drill.status_code == 200 and drill.context["page"].paginator.count == 0


def test_pivot_page_heat_measure_and_csv(world):
    _data(world)
    client = client_for(world.quality)
    page = client.get("/insights/pivot/", {"rows": "region", "cols": "category_l1", "days": "7"})
    assert page.status_code == 200
    result = page.context["result"]
    assert [r["key"] for r in result["rows"]] == ["NJ", "SZ"] and result["total"] == 8
    assert "background: rgba(11, 92, 173, 0.90)" in page.content.decode()  # the largest cell
    dissatisfied = client.get(
        "/insights/pivot/",
        {"rows": "region", "cols": "channel", "measure": "dissatisfied", "days": "7"},
    )
    assert dissatisfied.context["result"]["total"] == 3
    export = client.get(
        "/insights/pivot/", {"rows": "region", "cols": "category_l1", "days": "7", "format": "csv"}
    )
    assert export["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert lines[0][0] == "地市 \\ 分类(一级)" and lines[-1][-1] == "8"
    assert {line[0]: line[-1] for line in lines[1:-1]} == {"南京分公司": "5", "苏州分公司": "3"}


def test_bad_input_is_a_form_error_not_a_500(world):
    client = client_for(world.quality)
    page = client.get("/insights/pivot/", {"rows": "nope", "start": "2026-13-01"})
    assert page.status_code == 422 and "日期格式" in page.content.decode()
    page = client.get("/insights/hotspots/", {"dimension": "password"})
    assert page.status_code == 422 and "不支持的维度" in page.content.decode()
    page = client.get("/insights/pivot/", {"measure": "x"})
    assert page.status_code == 422


def test_quality_pages_are_closed_to_handlers(world):
    client = client_for(world.handler_nj)
    for url in ("/insights/hotspots/", "/insights/pivot/", "/insights/warnings/",
                "/insights/problems/", "/insights/dictionary/", "/insights/tickets/"):  # fmt: skip
        assert client.get(url).status_code == 403, url


def test_drill_down_selection_links_tickets_to_a_problem(world):
    _data(world)
    problem = Problem.objects.create(
        title="光猫批次问题",
        owner=world.quality,
        unit=world.province,
        created_by=world.quality,
        created_at=timezone.now(),
    )
    picked = list(Ticket.objects.filter(region__code="NJ").values_list("number", flat=True)[:2])
    client = client_for(world.quality)
    res = client.post(
        "/insights/tickets/link/", {"problem": problem.pk, "ticket": picked, "next": "/x"}
    )
    assert res.status_code == 302 and res["Location"] == f"/insights/problems/{problem.pk}/"
    assert set(problem.links.values_list("ticket__number", flat=True)) == set(picked)
