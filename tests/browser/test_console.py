from datetime import timedelta

import pytest

from complaintloop.core import clock
from complaintloop.tickets.models import Ticket, WorkItem

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_supervisor_sees_charts_and_urges_an_overdue_ticket(page, world):
    # given an overdue Nanjing ticket, one near breach and a VIP one
    overdue = world.new_ticket()
    past = clock.now() - timedelta(hours=3)
    Ticket.objects.filter(pk=overdue.pk).update(due_at=past)
    WorkItem.objects.filter(ticket=overdue).update(due_at=past, warn_at=past)
    near = world.new_ticket(category="0201", description="本月话费比上月多扣了 58 元")
    WorkItem.objects.filter(ticket=near).update(warn_at=past)
    world.new_ticket(customer_phone="13900002222", region="NJ", description="VIP 客户专线中断")
    # when the Nanjing supervisor opens the console
    sign_in(page, "supervisor_nj")
    page.goto(f"{page.base_url}/console/")
    page.wait_for_selector("body[data-charts-ready='1']", state="attached")
    for chart in ("#chart-load", "#chart-intake", "#chart-backlog"):
        assert page.locator(f"{chart} canvas").count() >= 1
    assert page.locator("tr[data-unit='NJ-WG']").count() == 1
    page.wait_for_timeout(500)  # let the chart animations settle for the screenshot
    screenshot(page, "console")
    # and clicks 催办 on the overdue ticket
    page.click(f"#acts-{overdue.number} button[data-action='urge']")
    # then the result shows inline and the service ran
    page.wait_for_selector(f"#acts-{overdue.number} .result.ok")
    assert "已催办" in page.inner_text(f"#acts-{overdue.number}")
    assert Ticket.objects.get(pk=overdue.pk).urge_count == 1
