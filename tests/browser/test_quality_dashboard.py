import pytest

from complaintloop.quality import builtin, rollup

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_dashboard_drills_down_to_the_tickets(page, world):
    # given two 南京 complaints and one 苏州 complaint today, counted by the rollup
    builtin.load()
    nj = [world.new_ticket(), world.new_ticket(category="0201", description="话费多扣 58 元")]
    sz = world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")
    rollup.rebuild()
    # when the quality manager opens the dashboard
    sign_in(page, "quality")
    page.goto(f"{page.base_url}/quality/")
    page.wait_for_selector("#row-complaint_count")
    # ticket-table rows load after the page
    page.wait_for_selector("#row-avg_handling_hours td.total", timeout=30000)
    screenshot(page, "quality_dashboard")
    cells = page.locator("#row-complaint_count a.cell")
    assert cells.first.inner_text() == "3"
    # and clicks 南京's complaint count
    page.click("#row-complaint_count a.cell[href*='key=NJ']")
    page.wait_for_selector("#drill-table")
    # then exactly 南京's tickets are listed
    listed = page.locator("#drill-table td.mono").all_inner_texts()
    assert sorted(listed) == sorted(t.number for t in nj)
    assert sz.number not in listed
    screenshot(page, "quality_drilldown")
