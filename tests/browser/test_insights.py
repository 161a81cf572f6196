from datetime import timedelta

import pytest
from django.utils import timezone

from complaintloop.insights import detection
from complaintloop.insights.models import NoticeStatus, WarningNotice
from complaintloop.org.models import Role, UnitKind
from tests.factories import StaffFactory, UnitFactory
from tests.insights.helpers import at, clone, move

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def xuzhou(world):
    """徐州: broadband complaints at 2 a day for eight weeks, then 18 in one day."""
    xz = UnitFactory(code="XZ", name="徐州分公司", kind=UnitKind.CITY, parent=world.province)
    xz_wg = UnitFactory(code="XZ-WG", name="徐州网管中心", kind=UnitKind.DEPARTMENT, parent=xz)
    StaffFactory(username="handler_xz", role=Role.HANDLER, unit=xz_wg, scope_unit=xz)
    today = timezone.localdate()
    spike_day = today - timedelta(days=5)
    template = world.new_ticket()
    move(template, at(today - timedelta(days=400)))
    where = {"region_id": xz.pk, "region_path": xz.path}
    for i in range(1, 57):
        clone(template, at(spike_day - timedelta(days=i)), 2, **where)
    clone(template, at(spike_day), 18, **where)
    detection.run(spike_day)
    return xz


def test_quality_issues_a_notice_from_the_xuzhou_alert_and_the_unit_responds(page, world, xuzhou):
    # given the quality manager on the warnings page
    sign_in(page, "quality")
    page.goto(f"{page.base_url}/insights/warnings/")
    row = page.locator("tr[data-region='XZ']")
    assert row.count() == 1 and "18" in row.inner_text()
    # when they open the 徐州 alert's evidence chart
    row.locator("a.evidence").click()
    page.wait_for_selector("body[data-charts-ready='1']", state="attached")
    assert page.locator("#chart-evidence canvas").count() >= 1
    page.wait_for_timeout(1500)  # let the chart animation settle for the screenshot
    screenshot(page, "insights_warning")
    # and issue a warning notice to the 徐州 network centre
    page.select_option("#f-unit", "XZ-WG")
    page.fill("#f-due", "2")
    page.click("#notice-form button[type=submit]")
    page.wait_for_url("**/insights/notices/*/")
    notice = WarningNotice.objects.get()
    assert notice.responsible_unit.code == "XZ-WG" and "徐州" in notice.title
    assert page.locator("#notice-sla").count() == 1
    # then the unit's handler finds it, answers, and the trace shows both steps
    other = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 1440, "height": 900}
    )
    unit = other.new_page()
    unit.set_default_timeout(15000)
    unit.base_url = page.base_url
    sign_in(unit, "handler_xz")
    unit.goto(f"{page.base_url}/insights/notices/")
    unit.click(f"tr[data-notice='{notice.number}'] a")
    unit.fill("#f-response", "已排查:基站传输故障,已抢修恢复")
    unit.click("#respond-form button[type=submit]")
    unit.wait_for_selector("#notice-response")
    assert "已反馈" in unit.inner_text("#notice-status")
    assert unit.locator("#timeline li").count() == 2
    unit.wait_for_timeout(1500)  # the re-monitoring line animates in
    screenshot(unit, "insights_notice")
    other.close()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RESPONDED and notice.responded_by.username == "handler_xz"
