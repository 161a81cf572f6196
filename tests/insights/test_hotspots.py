from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from complaintloop.core import outbox
from complaintloop.core.errors import Invalid
from complaintloop.insights import selectors
from complaintloop.org.models import ApiToken

from .helpers import at, clone, move


@pytest.fixture
def data(world):
    """Hand-made counts. This week (the 7 days to today): NJ 0101 ×6, NJ 0201 ×2,
    SZ 0101 ×3. The week before: NJ 0101 ×3, NJ 0201 ×4. A year ago: NJ 0101 ×2."""
    today = timezone.localdate()
    nj = world.new_ticket(description="宽带掉线")
    sz = world.new_ticket(
        actor=world.agent_sz, customer_phone="13900002222", description="宽带掉线"
    )
    from complaintloop.taxonomy.models import Category

    bill = Category.objects.get(code="0201")
    for template in (nj, sz):  # out of every compared period
        move(template, at(today - timedelta(days=3 * 365)))
    this_week, last_week = today - timedelta(days=2), today - timedelta(days=9)
    clone(nj, at(this_week), 6)
    clone(nj, at(this_week), 2, category_id=bill.pk, category_path=bill.path)
    clone(sz, at(today), 3)
    clone(nj, at(last_week), 3)
    clone(nj, at(last_week), 4, category_id=bill.pk, category_path=bill.path)
    clone(nj, at(this_week.replace(year=this_week.year - 1)), 2)
    return today


def _item(result, key):
    return next(i for i in result["items"] if i["key"] == key)


def test_category_hotspots_with_period_over_period_and_year_over_year(world, data):
    result = selectors.hotspots(world.quality, dimension="category")
    assert result["total"] == 11
    broadband = _item(result, "0101")
    assert (broadband["count"], broadband["previous"], broadband["last_year"]) == (9, 3, 2)
    assert broadband["pop_change"] == 2.0  # 9 against 3: +200%
    assert broadband["yoy_change"] == 3.5
    bill = _item(result, "0201")
    assert (bill["count"], bill["previous"], bill["pop_change"]) == (2, 4, -0.5)
    assert bill["yoy_change"] is None  # nothing a year ago: no ratio
    assert [i["key"] for i in result["items"]] == ["0101", "0201"]


def test_region_hotspots_are_scoped(world, data):
    everyone = selectors.hotspots(world.quality, dimension="region")
    assert {i["key"]: i["count"] for i in everyone["items"]} == {"NJ": 8, "SZ": 3}
    suzhou = selectors.hotspots(world.handler_sz, dimension="region")
    assert {i["key"]: i["count"] for i in suzhou["items"]} == {"SZ": 3}
    assert selectors.hotspots(world.outsider, dimension="region")["items"] == []


def test_level_one_rollup_and_custom_period(world, data):
    start = data - timedelta(days=13)
    result = selectors.hotspots(world.quality, dimension="category_l1", start=start, end=data)
    counts = {i["key"]: (i["count"], i["previous"]) for i in result["items"]}
    assert counts == {"01": (12, 0), "02": (6, 0)}


def test_pivot_region_by_category(world, data):
    result = selectors.pivot(world.quality, rows="region", cols="category")
    assert [r["key"] for r in result["rows"]] == ["NJ", "SZ"]
    assert [c["key"] for c in result["cols"]] == ["0101", "0201"]
    assert result["matrix"] == [[6, 2], [3, 0]]
    assert result["row_totals"] == [8, 3] and result["col_totals"] == [9, 2]
    assert result["total"] == 11


def test_unknown_dimension_is_refused(world):
    with pytest.raises(Invalid):
        selectors.pivot(world.quality, rows="region", cols="customer__phone")
    with pytest.raises(Invalid):
        selectors.hotspots(world.quality, dimension="password")


def test_keyword_hotspots(world):
    world.new_ticket(description="光猫坏了,宽带掉线")
    world.new_ticket(description="晚上宽带掉线严重")
    outbox.drain()
    result = selectors.hotspots(world.quality, dimension="keyword")
    counts = {i["key"]: i["count"] for i in result["items"]}
    assert counts["掉线"] == 2 and counts["光猫"] == 1


def test_api_hotspots_pivot_and_errors(world, data):
    _, key = ApiToken.issue(world.quality)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = Client()
    res = client.get("/api/v1/insights/hotspots", {"dimension": "category"}, **auth)
    assert res.status_code == 200
    assert res.json()["items"][0]["key"] == "0101"
    res = client.get("/api/v1/insights/pivot", {"rows": "region", "cols": "channel"}, **auth)
    assert res.status_code == 200 and res.json()["total"] == 11
    bad = client.get("/api/v1/insights/pivot", {"rows": "nope"}, **auth)
    assert bad.status_code == 422 and bad.json()["code"] == "insights.dimension"
    bad = client.get(
        "/api/v1/insights/hotspots", {"start": "2026-02-01", "end": "2026-01-01"}, **auth
    )
    assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"}
    bad = client.get("/api/v1/insights/hotspots", {"start": "not-a-date"}, **auth)
    assert bad.status_code == 422
    assert client.get("/api/v1/insights/hotspots").status_code == 401
    assert isinstance(date.fromisoformat(res.json()["start"]), date)
