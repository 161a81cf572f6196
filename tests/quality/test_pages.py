"""The quality pages: dashboard, trend, ranking, drill-down, registry editing and
scorecards with their exports; everything within the reader's data scope."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from complaintloop.quality import rollup, services
from complaintloop.quality.models import Indicator, ScorecardItem

from .conftest import END, START, at, travel

OCT = "period=month&date=2025-10-09"


def login(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def rolled(dataset):
    rollup.rebuild(START, END)
    return dataset


def test_dashboard_colours_and_links_to_the_tickets(rolled, world):
    client = login(world.quality)
    page = client.get(f"/quality/?{OCT}")
    assert page.status_code == 200
    html = page.content.decode()
    # 南京 and 苏州 columns, the timely rate of 南京 (3 of 4 on time in October) in alarm
    assert "南京分公司" in html and "苏州分公司" in html
    assert "cell st-alarm" in html
    assert (
        "/quality/tickets/?indicator=timely_handling_rate&amp;start=2025-10-01&amp;end=2025-10-31"
        "&amp;group_by=region&amp;key=NJ" in html
    )
    # ticket-table indicators are loaded after the page
    assert 'hx-get="/quality/rows/avg_handling_hours/' in html
    row = client.get(f"/quality/rows/avg_handling_hours/?{OCT}&by=region")
    assert row.status_code == 200 and "st-" in row.content.decode()


def test_suzhou_supervisor_never_sees_nanjing_figures(rolled, world):
    from complaintloop.org.models import Role
    from tests.factories import StaffFactory

    sz_sup = StaffFactory(
        username="supervisor_sz", role=Role.SUPERVISOR, unit=world.sz_kf, scope_unit=world.suzhou
    )
    client = login(sz_sup)
    html = client.get(f"/quality/?{OCT}").content.decode()
    assert "苏州分公司" in html and "南京分公司" not in html
    ranking = client.get(f"/quality/ranking/?indicator=complaint_count&{OCT}").content.decode()
    assert "南京" not in ranking
    # asking for 南京 explicitly is refused, and the drill-down shows no 南京 ticket
    assert client.get(f"/quality/?{OCT}&region=NJ").status_code == 404
    drill = client.get(
        "/quality/tickets/?indicator=complaint_count&start=2025-09-29&end=2025-10-15"
        "&group_by=region&key=NJ"
    ).content.decode()
    for t in (rolled.t1, rolled.t2, rolled.t3):
        assert t.number not in drill
    own = client.get(
        "/quality/tickets/?indicator=complaint_count&start=2025-09-29&end=2025-10-15"
    ).content.decode()
    assert rolled.t6.number in own and rolled.t1.number not in own
    # scorecards and their exports hold the scope too
    for url in (
        "/quality/scorecards/?month=2025-10",
        "/quality/scorecards/?month=2025-10&format=csv",
    ):
        body = client.get(url).content.decode("utf-8-sig")
        assert "南京" not in body, url


def test_drill_down_lists_exactly_the_tickets_behind_the_figure(rolled, world):
    client = login(world.quality)
    base = "/quality/tickets/?indicator=timely_handling_rate&start=2025-09-29&end=2025-10-15"
    numerator = client.get(base).content.decode()
    # on time: T1, T3, T4 (南京) and T6 (苏州); T2 was late
    for t in (rolled.t1, rolled.t3, rolled.t4, rolled.t6):
        assert t.number in numerator
    assert rolled.t2.number not in numerator
    denominator = client.get(base + "&part=denominator").content.decode()
    assert rolled.t2.number in denominator
    assert client.get(base + "&group_by=nope").status_code == 422
    assert client.get("/quality/tickets/?indicator=nope").status_code == 404


def test_trend_and_ranking_pages(rolled, world):
    client = login(world.quality)
    trend = client.get(f"/quality/indicators/timely_handling_rate/?{OCT}")
    assert trend.status_code == 200
    html = trend.content.decode()
    assert 'id="trend-data"' in html and "2025-10" in html
    ranking = client.get(f"/quality/ranking/?indicator=timely_handling_rate&{OCT}").content.decode()
    ranking = ranking[ranking.index('id="rank-cities"') :]
    # 苏州 (100%) ranks above 南京 (2 of 3 on time in October)
    assert ranking.index("苏州分公司") < ranking.index("南京分公司")
    assert (
        client.get("/quality/ranking/?indicator=timely_handling_rate&period=year").status_code
        == 422
    )


def test_pages_need_quality_access(rolled, world):
    assert login(world.agent_nj).get("/quality/").status_code == 403
    assert Client().get("/quality/").status_code == 302


def test_quality_manager_defines_an_indicator_with_form_errors(indicators, world):
    client = login(world.quality)
    assert client.get("/quality/registry/new/").status_code == 200
    bad = client.post(
        "/quality/registry/new/",
        {
            "code": "Bad Code",
            "name_zh": "",
            "phase": "during",
            "kind": "rate",
            "unit": "%",
            "direction": "lower_better",
            "target": "abc",
            "num_yes": ["overdue"],
            "den_channel": ["sms"],
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "lowercase slug" in html and "must be a number" in html
    assert not Indicator.objects.filter(name_zh="").exists()
    good = client.post(
        "/quality/registry/new/",
        {
            "code": "sms_overdue_rate",
            "name_zh": "短信渠道超时率",
            "phase": "during",
            "kind": "rate",
            "unit": "%",
            "direction": "lower_better",
            "target": "5",
            "warning": "10",
            "num_yes": ["overdue"],
            "den_order_type": ["complaint"],
            "den_channel": ["sms"],
            "den_category": "01",
            "is_active_present": "1",
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    made = Indicator.objects.get(code="sms_overdue_rate")
    assert made.numerator == {"overdue": True}
    assert made.denominator == {"order_type": "complaint", "channel": "sms", "category": "01"}
    # a built-in keeps its formula; its target can be tuned
    edit = client.post(
        "/quality/registry/timely_handling_rate/edit/",
        {
            "target": "98",
            "warning": "80",
            "period": "week",
            "is_active_present": "1",
            "is_active": "on",
        },
    )
    assert edit.status_code == 302
    timely = Indicator.objects.get(code="timely_handling_rate")
    assert (float(timely.target), timely.period) == (98.0, "week")
    assert timely.numerator == {"replied_on_time": True}
    # others may read the registry but not edit it
    assert login(world.supervisor_nj).get("/quality/registry/new/").status_code == 403


def test_scorecards_rank_and_export(rolled, world):
    # 网管 handled T1 and is rated in October; 业务支撑 and 苏州网管 handled October tickets
    with travel(at(2025, 10, 12, 9, 0)):
        services.evaluate(rolled.t1.number, actor=world.agent_nj, side="handling", score=5)
    client = login(world.quality)
    page = client.get("/quality/scorecards/?month=2025-10")
    assert page.status_code == 200
    html = page.content.decode()
    assert "南京网管中心" in html and "苏州网管中心" in html and "南京业务支撑中心" in html
    xlsx = client.get("/quality/scorecards/?month=2025-10&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=3)]
    assert "苏州网管中心" in names and "南京网管中心" in names
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/quality/scorecards/?month=2025-10&format=csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert rows[0][:4] == ["排名", "名称", "单位", "总分"]
    assert {r[1] for r in rows[1:]} >= {"苏州网管中心", "南京网管中心"}
    staff = client.get("/quality/scorecards/?month=2025-10&subject=staff").content.decode()
    assert world.handler_nj.username in staff or str(world.handler_nj) in staff
    # weights are data: a manager sets them, a supervisor may not
    item = ScorecardItem.objects.filter(subject="department").first()
    client.post("/quality/scorecards/weights/", {f"weight_{item.pk}": "42"})
    item.refresh_from_db()
    assert float(item.weight) == 42
    login(world.supervisor_nj).post("/quality/scorecards/weights/", {f"weight_{item.pk}": "1"})
    item.refresh_from_db()
    assert float(item.weight) == 42


def test_evaluation_form_on_the_ticket_page(dataset, world):
    client = login(world.agent_nj)
    ticket_page = client.get(f"/tickets/{dataset.t1.number}/").content.decode()
    assert f'hx-get="/quality/evaluations/{dataset.t1.number}/"' in ticket_page
    panel = client.get(f"/quality/evaluations/{dataset.t1.number}/").content.decode()
    assert 'id="eval-handling"' in panel and 'id="eval-dispatch"' not in panel
    bad = client.post(f"/quality/evaluations/{dataset.t1.number}/", {"side": "handling"})
    assert bad.status_code == 422
    ok = client.post(
        f"/quality/evaluations/{dataset.t1.number}/",
        {"side": "handling", "score": "4", "comment": "回复清楚"},
    )
    assert ok.status_code == 200 and "回复清楚" in ok.content.decode()
    assert 'id="eval-handling"' not in ok.content.decode()
    assert (
        login(world.agent_sz).get(f"/quality/evaluations/{dataset.t1.number}/").status_code == 404
    )
