"""Early-warning and warning-notice pages: evidence, actions through the services,
the notice loop with its trace and SLA, and data scope (404 across cities)."""

from datetime import timedelta

from django.utils import timezone

from complaintloop.core import outbox
from complaintloop.core.models import Outbox
from complaintloop.insights.models import Alert, AlertStatus, NoticeStatus, WarningNotice
from complaintloop.notify.models import Notification

from .pages import client_for, nanjing_spike, suzhou_supervisor


def test_warnings_page_lists_the_alert_with_its_evidence(world):
    alert, _ = nanjing_spike(world)
    client = client_for(world.supervisor_nj)
    page = client.get("/insights/warnings/")
    assert [row["a"].pk for row in page.context["rows"]] == [alert.pk]
    assert page.context["schedule"] == "01:45"  # declared in CELERY_BEAT_SCHEDULE
    detail = client.get(f"/insights/warnings/{alert.pk}/")
    chart = detail.context["chart"]
    # the evidence: 56 days of history and the spike, the limit for every day, and
    # the spike day as the one point that broke it; then the days after it
    spike = chart["days"].index(alert.day.isoformat())
    assert spike == 56 and chart["counts"][spike] == 14
    assert chart["upper"][spike] == round(alert.upper_limit, 2)
    assert chart["breaks"] == [{"day": alert.day.isoformat(), "value": 14}]
    assert len(chart["days"]) == 56 + 1 + 7 and chart["after"][-1] == 0
    assert 'id="chart-evidence"' in detail.content.decode()


def test_a_suzhou_user_sees_no_nanjing_alert(world):
    alert, _ = nanjing_spike(world)
    client = client_for(suzhou_supervisor(world))
    assert client.get("/insights/warnings/", {"tab": "all"}).context["rows"] == []
    assert client.get(f"/insights/warnings/{alert.pk}/").status_code == 404
    res = client.post(f"/insights/warnings/{alert.pk}/acknowledge/")
    assert res.status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_acknowledge_and_dismiss_need_the_right_input(world):
    alert, _ = nanjing_spike(world)
    client = client_for(world.quality)
    res = client.post(f"/insights/warnings/{alert.pk}/acknowledge/", {"comment": "跟进中"})
    assert res.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.handled_by == world.quality
    # dismissing without a reason is a form error on the page
    res = client.post(f"/insights/warnings/{alert.pk}/dismiss/", {"reason": " "})
    assert res.status_code == 422 and "请填写必填项" in res.content.decode()
    res = client.post(f"/insights/warnings/{alert.pk}/dismiss/", {"reason": "营销活动带来的咨询"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.note == "营销活动带来的咨询"
    assert Outbox.objects.filter(topic="insights.alert").count() == 2
    # handlers may not act at all
    res = client_for(world.handler_nj).post(f"/insights/warnings/{alert.pk}/acknowledge/")
    assert res.status_code == 403


def test_notice_loop_through_the_pages(world):
    alert, template = nanjing_spike(world)
    quality = client_for(world.quality)
    # given a notice issued from the alert's page to the Nanjing network centre
    res = quality.post(
        f"/insights/warnings/{alert.pk}/notice/",
        {"responsible_unit": "NJ-WG", "title": "", "body": "", "due_workdays": "2"},
    )
    notice = WarningNotice.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/insights/notices/{notice.pk}/"
    # the unit is told in-app
    outbox.drain()
    assert Notification.objects.filter(
        recipient=world.handler_nj, ticket_number=notice.number
    ).exists()
    # when the unit's handler (no quality role) opens it, the SLA countdown shows
    handler = client_for(world.handler_nj)
    listed = handler.get("/insights/notices/")
    assert [row["n"].pk for row in listed.context["rows"]] == [notice.pk]
    page = handler.get(f"/insights/notices/{notice.pk}/")
    assert page.context["can_respond"] and page.context["sla"]["cls"] in ("ok", "near")
    assert 'id="respond-form"' in page.content.decode()
    # an empty answer is refused on the page
    res = handler.post(f"/insights/notices/{notice.pk}/respond/", {"response": ""})
    assert res.status_code == 422 and "请填写必填项" in res.content.decode()
    handler.post(f"/insights/notices/{notice.pk}/respond/", {"response": "已扩容基站"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RESPONDED
    # then the issuer closes it after re-monitoring, and the trace has three steps
    res = quality.post(f"/insights/notices/{notice.pk}/close/", {"comment": "复监测正常"})
    assert res.status_code == 302
    page = quality.get(f"/insights/notices/{notice.pk}/")
    assert [row["e"].kind for row in page.context["events"]] == ["issued", "responded", "closed"]
    assert page.context["remonitor"]["back_under"] is True
    assert page.context["chart"]["upper"] == alert.upper_limit
    assert "已扩容基站" in page.content.decode()


def test_notice_by_hand_validates_and_stays_in_scope(world):
    quality = client_for(world.quality)
    res = quality.post("/insights/notices/new/", {"responsible_unit": "", "title": "t"})
    assert res.status_code == 422 and "责任单位不存在" in res.content.decode()
    res = quality.post(
        "/insights/notices/new/",
        {
            "responsible_unit": "NJ-YZ",
            "title": "业扩时限过长",
            "body": "请整改",
            "due_workdays": "99",
        },
    )
    assert res.status_code == 422 and "反馈时限无效" in res.content.decode()
    res = quality.post(
        "/insights/notices/new/",
        {
            "responsible_unit": "NJ-YZ",
            "title": "业扩时限过长",
            "body": "请整改",
            "due_workdays": "3",
        },
    )
    notice = WarningNotice.objects.get()
    assert res.status_code == 302 and notice.due_at > timezone.now() + timedelta(hours=1)
    # Suzhou sees neither the list entry nor the page
    sz = client_for(suzhou_supervisor(world))
    assert sz.get("/insights/notices/", {"tab": "all"}).context["rows"] == []
    assert sz.get(f"/insights/notices/{notice.pk}/").status_code == 404
    # another Nanjing unit's handler sees nothing addressed to NJ-YZ
    assert client_for(world.handler_nj).get(f"/insights/notices/{notice.pk}/").status_code == 404
    # handlers may not issue
    assert client_for(world.handler_nj).get("/insights/notices/new/").status_code == 403


def test_admins_run_detection_from_the_page(world):
    alert, _ = nanjing_spike(world)
    Alert.objects.all().delete()
    client = client_for(world.quality)
    res = client.post("/insights/warnings/run/", {"day": alert.day.isoformat()}, follow=True)
    assert Alert.objects.filter(day=alert.day, region=world.nanjing).count() == 1
    assert "新增预警 1 条" in res.content.decode()
    res = client_for(world.supervisor_nj).post(
        "/insights/warnings/run/", {"day": alert.day.isoformat()}, follow=True
    )
    assert "仅质量经理或系统管理员" in res.content.decode()


def test_alert_api_shows_evidence_and_takes_actions(world):
    from complaintloop.org.models import ApiToken

    alert, _ = nanjing_spike(world)
    _, key = ApiToken.issue(world.quality)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = client_for(world.quality)
    body = client.get(f"/api/v1/insights/alerts/{alert.pk}", **auth).json()
    assert body["chart"]["breaks"] == [{"day": alert.day.isoformat(), "value": 14}]
    res = client.post(f"/api/v1/insights/alerts/{alert.pk}/actions/dismiss", {"reason": ""},
                      content_type="application/json", **auth)  # fmt: skip
    assert res.status_code == 422 and res.json()["fields"] == {"reason": ["必填"]}
    res = client.post(f"/api/v1/insights/alerts/{alert.pk}/actions/acknowledge", {},
                      content_type="application/json", **auth)  # fmt: skip
    assert res.status_code == 200 and res.json()["status"] == "acknowledged"
    _, sz = ApiToken.issue(suzhou_supervisor(world))
    res = client.get(f"/api/v1/insights/alerts/{alert.pk}", HTTP_AUTHORIZATION=f"Bearer {sz}")
    assert res.status_code == 404
