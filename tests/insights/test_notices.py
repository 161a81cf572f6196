from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from complaintloop.core.errors import Conflict, Forbidden, NotFound
from complaintloop.core.models import Outbox
from complaintloop.insights import detection, services
from complaintloop.insights.models import AlertStatus, NoticeStatus, WarningNoticeEvent
from complaintloop.org.models import ApiToken

from .helpers import at, clone, move


@pytest.fixture
def alert(world):
    """An alert on Nanjing/0101 eight days ago: 2 a day before, 14 that day."""
    today = timezone.localdate()
    spike_day = today - timedelta(days=8)
    template = world.new_ticket()
    move(template, at(today - timedelta(days=400)))
    for i in range(1, 57):
        clone(template, at(spike_day - timedelta(days=i)), 2)
    clone(template, at(spike_day), 14)
    (raised,) = detection.run(spike_day)
    return raised, template


def _api(staff):
    _, key = ApiToken.issue(staff)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_notice_lifecycle_with_trace_and_remonitoring(world, alert):
    raised, template = alert
    # given a notice issued from the alert to the Nanjing network centre
    notice = services.issue_notice(
        services.NoticeIn(alert_id=raised.pk, responsible_unit="NJ-WG"), actor=world.quality
    )
    assert notice.number.startswith("WN") and notice.status == NoticeStatus.ISSUED
    assert "南京" in notice.title and notice.due_at > notice.issued_at
    raised.refresh_from_db()
    assert raised.status == AlertStatus.ACKNOWLEDGED
    # when the unit answers and the issuer closes it, the week after being quiet
    services.respond(notice.pk, actor=world.handler_nj, response="已扩容基站,恢复正常")
    today = timezone.localdate()
    for i in range(1, 8):
        clone(template, at(today - timedelta(days=i)), 2)
    closed = services.close_notice(notice.pk, actor=world.quality, comment="复监测正常")
    # then re-monitoring found the series back under the limit, and the alert closed
    result = closed.remonitor_result
    assert result["back_under"] is True
    assert result["counts"] == [2] * 7 and result["upper_limit"] == raised.upper_limit
    raised.refresh_from_db()
    assert raised.status == AlertStatus.CLOSED
    trace = list(WarningNoticeEvent.objects.filter(notice=notice).order_by("id"))
    assert [(e.kind, e.from_status, e.to_status, e.actor.username) for e in trace] == [
        ("issued", "", "issued", "quality"),
        ("responded", "issued", "responded", "handler_nj"),
        ("closed", "responded", "closed", "quality"),
    ]
    assert Outbox.objects.filter(topic="insights.notice").count() == 3
    with pytest.raises(PermissionError):
        trace[0].delete()


def test_remonitoring_records_a_series_still_above_the_limit(world, alert):
    raised, template = alert
    notice = services.issue_notice(
        services.NoticeIn(alert_id=raised.pk, responsible_unit="NJ-WG"), actor=world.quality
    )
    services.respond(notice.pk, actor=world.handler_nj, response="处理中")
    clone(template, at(timezone.localdate() - timedelta(days=2)), 20)
    closed = services.close_notice(notice.pk, actor=world.quality)
    assert closed.remonitor_result["back_under"] is False
    assert closed.remonitor_result["max"] >= 20
    raised.refresh_from_db()
    assert raised.status == AlertStatus.ACKNOWLEDGED  # still watched


def test_only_the_responsible_unit_may_respond(world):
    notice = services.issue_notice(
        services.NoticeIn(responsible_unit="NJ-WG", title="营业厅等待时长过长", body="请整改"),
        actor=world.quality,
    )
    # another Nanjing unit sees it (same city scope) but may not answer
    with pytest.raises(Forbidden):
        services.respond(notice.pk, actor=world.handler_nj_yz, response="不是我们")
    # Suzhou does not even see it
    with pytest.raises(NotFound):
        services.respond(notice.pk, actor=world.handler_sz, response="?")
    # only issuers issue
    with pytest.raises(Forbidden):
        services.issue_notice(
            services.NoticeIn(responsible_unit="NJ-WG", title="t", body="b"),
            actor=world.handler_nj,
        )


def test_illegal_transitions_conflict_over_the_api(world):
    client = Client()
    res = client.post(
        "/api/v1/insights/notices",
        {"responsible_unit": "NJ-WG", "title": "业扩时限过长", "body": "请整改"},
        content_type="application/json",
        **_api(world.quality),
    )
    assert res.status_code == 201
    notice_id = res.json()["id"]
    # closing before the unit responded: 409
    res = client.post(
        f"/api/v1/insights/notices/{notice_id}/actions/close",
        {},
        content_type="application/json",
        **_api(world.quality),
    )
    assert res.status_code == 409 and res.json()["code"] == "notice.illegal_transition"
    # another unit: 403; another city: 404
    for staff, status in ((world.handler_nj_yz, 403), (world.handler_sz, 404)):
        res = client.post(
            f"/api/v1/insights/notices/{notice_id}/actions/respond",
            {"response": "x"},
            content_type="application/json",
            **_api(staff),
        )
        assert res.status_code == status
    res = client.post(
        f"/api/v1/insights/notices/{notice_id}/actions/respond",
        {"response": "已整改"},
        content_type="application/json",
        **_api(world.handler_nj),
    )
    assert res.status_code == 200 and res.json()["status"] == "responded"
    # responding twice: 409
    with pytest.raises(Conflict):
        services.respond(notice_id, actor=world.handler_nj, response="again")
    res = client.post(
        f"/api/v1/insights/notices/{notice_id}/actions/close",
        {"comment": "ok"},
        content_type="application/json",
        **_api(world.quality),
    )
    body = res.json()
    assert res.status_code == 200 and body["status"] == "closed"
    assert [e["kind"] for e in body["events"]] == ["issued", "responded", "closed"]
    assert body["remonitor_result"] == {}
    listed = client.get("/api/v1/insights/notices", **_api(world.handler_sz)).json()
    assert listed == []


def test_alerts_api_is_scoped_and_issues_notices(world, alert):
    raised, _ = alert
    client = Client()
    mine = client.get("/api/v1/insights/alerts", **_api(world.supervisor_nj)).json()
    assert [a["id"] for a in mine] == [raised.pk]
    assert mine[0]["evidence"]["counts"][-1] == 14
    assert client.get("/api/v1/insights/alerts", **_api(world.handler_sz)).json() == []
    res = client.post(
        f"/api/v1/insights/alerts/{raised.pk}/notice",
        {"responsible_unit": "NJ-WG"},
        content_type="application/json",
        **_api(world.supervisor_nj),
    )
    assert res.status_code == 201 and res.json()["alert"] == raised.pk
    res = client.post(
        f"/api/v1/insights/alerts/{raised.pk}/notice",
        {"responsible_unit": "NJ-WG"},
        content_type="application/json",
        **_api(world.handler_nj),
    )
    assert res.status_code == 403
    res = client.post(
        "/api/v1/insights/alerts/999999/notice",
        {"responsible_unit": "NJ-WG"},
        content_type="application/json",
        **_api(world.quality),
    )
    assert res.status_code == 404
