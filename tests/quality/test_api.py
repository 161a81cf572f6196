"""The indicator endpoints: list, scoped values, custom indicators, JSON errors."""

import pytest
from django.test import Client

from complaintloop.org.models import ApiToken
from complaintloop.quality.models import Indicator


def bearer(staff):
    _, key = ApiToken.issue(staff)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


CUSTOM = {
    "code": "nj_sms_overdue_rate",
    "name_zh": "短信渠道投诉超时率",
    "phase": "during",
    "kind": "rate",
    "numerator": {"overdue": True},
    "denominator": {"order_type": "complaint", "channel": "sms"},
    "unit": "%",
    "direction": "lower_better",
    "target": 5,
    "warning": 10,
    "owner_unit": "NJ-KF",
}
RANGE = "start=2025-09-29&end=2025-10-15"


@pytest.fixture
def client():
    return Client()


def test_list_indicators(indicators, world, client):
    response = client.get("/api/v1/indicators", **bearer(world.agent_nj))
    assert response.status_code == 200
    codes = {i["code"] for i in response.json()}
    assert {"satisfaction_rate", "redispatch_rate", "fcr_rate"} <= codes and len(codes) >= 30


def test_values_are_scoped_with_status(dataset, world, client):
    url = f"/api/v1/indicators/timely_handling_rate/values?{RANGE}"
    nj = client.get(url, **bearer(world.agent_nj)).json()
    assert nj["scope"] == "NJ"
    assert nj["total"] == {
        "value": 75.0,
        "numerator": 3,
        "denominator": 4,
        "status": "alarm",  # below the 78% warning line of seed 004
        "breaches_target": True,
        "breaches_warning": True,
    }
    grouped = client.get(f"{url}&group_by=region", **bearer(world.quality)).json()
    assert [(g["key"], g["value"]) for g in grouped["groups"]] == [("NJ", 75.0), ("SZ", 100.0)]
    assert grouped["total"] is None
    sz_for_nj = client.get(f"{url}&region=SZ", **bearer(world.agent_nj))
    assert sz_for_nj.status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("group_by=customer", "group_by"),
        ("start=2025-10-15&end=2025-10-01", "end"),
        ("start=yesterday", "start"),
    ],
)
def test_bad_queries_are_422(indicators, world, client, query, field):
    response = client.get(
        f"/api/v1/indicators/complaint_count/values?{query}", **bearer(world.quality)
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and field in body["fields"]


def test_unknown_indicator_is_404(indicators, world, client):
    response = client.get("/api/v1/indicators/nope/values", **bearer(world.quality))
    assert response.status_code == 404 and response.json()["code"] == "indicator.not_found"


def test_quality_manager_creates_a_custom_indicator(dataset, world, client):
    # when
    response = client.post(
        "/api/v1/indicators", CUSTOM, content_type="application/json", **bearer(world.quality)
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["owner_unit"] == "NJ-KF" and not response.json()["is_builtin"]
    values = client.get(
        f"/api/v1/indicators/nj_sms_overdue_rate/values?{RANGE}", **bearer(world.agent_nj)
    ).json()
    # T3 is the only SMS complaint, replied in time
    assert (values["total"]["value"], values["total"]["denominator"]) == (0.0, 1)
    again = client.post(
        "/api/v1/indicators", CUSTOM, content_type="application/json", **bearer(world.quality)
    )
    assert again.status_code == 409 and "code" in again.json()["fields"]


def test_only_managers_create_indicators(indicators, world, client):
    response = client.post(
        "/api/v1/indicators", CUSTOM, content_type="application/json", **bearer(world.agent_nj)
    )
    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "fields"}
    assert not Indicator.objects.filter(code=CUSTOM["code"]).exists()


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"denominator": None}, {"denominator"}),
        ({"numerator": {"eval": "__import__('os')"}}, {"numerator.eval"}),
        ({"numerator": {"channel": "pigeon"}}, {"numerator.channel"}),
        ({"numerator": {"overdue": "yes"}}, {"numerator.overdue"}),
        ({"numerator": {"category": "9999"}}, {"numerator.category"}),
        ({"denominator": {"region": "XX"}}, {"denominator.region"}),
        ({"unit": "小时"}, {"unit"}),
        ({"warning": 1}, {"warning"}),
        ({"code": "Bad Code!"}, {"code"}),
        ({"kind": "average_duration", "unit": "小时", "denominator": None}, {"duration"}),
        (
            {
                "kind": "percentile_duration",
                "unit": "小时",
                "denominator": None,
                "duration": {"from": "created_at", "to": "paid_at"},
            },
            {"duration.to", "percentile"},
        ),
    ],
)
def test_invalid_definitions_name_their_fields(indicators, world, client, change, fields):
    response = client.post(
        "/api/v1/indicators",
        {**CUSTOM, **change},
        content_type="application/json",
        **bearer(world.quality),
    )
    assert response.status_code == 422, response.content
    assert fields <= set(response.json()["fields"])
    assert not Indicator.objects.filter(code=CUSTOM["code"]).exists()


def test_without_dates_the_current_period_is_measured(dataset, world, client):
    from .conftest import at, travel

    # given Sat 2025-10-11 (a make-up working day) and month/week/day indicators
    Indicator.objects.filter(code="overdue_count").update(period="week")
    with travel(at(2025, 10, 11, 12, 0)):
        month = client.get(
            "/api/v1/indicators/complaint_count/values", **bearer(world.quality)
        ).json()
        week = client.get("/api/v1/indicators/overdue_count/values", **bearer(world.quality))
    # then the month so far holds T2–T6; the week starts Monday 10-06
    assert (month["start"], month["end"], month["total"]["value"]) == (
        "2025-10-01",
        "2025-10-11",
        5,
    )
    assert week.json()["start"] == "2025-10-06" and week.json()["total"]["value"] == 1


def test_admin_form_refuses_bad_formulas(world):
    from complaintloop.quality.admin import IndicatorForm

    form = IndicatorForm(
        data={
            **{k: v for k, v in CUSTOM.items() if k not in ("owner_unit",)},
            "numerator": '{"status": "lost"}',
            "denominator": "{}",
            "duration": "{}",
            "date_field": "created_at",
            "period": "month",
            "is_active": "on",
        }
    )
    assert not form.is_valid()
    assert "numerator" in form.errors and "denominator" in form.errors
