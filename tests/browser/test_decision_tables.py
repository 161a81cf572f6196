"""决策表 in a real browser: the process administrator tries a VIP broadband fault in
the test panel, changes the rule's department in the dmn-js table, sees a bad value
refused and marked on its cell, fixes it, saves and publishes; the next VIP broadband
fault goes to the new unit while an earlier ticket keeps its own."""

import pytest

from complaintloop.org.models import Role
from complaintloop.routing.models import DecisionTable
from tests.factories import StaffFactory, publish_routing_table

from .conftest import screenshot, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

READY = "document.getElementById('decision-editor').dataset.ready === '1'"


def set_cell(page, element_id: str, text: str) -> None:
    cell = page.locator(f'[data-element-id="{element_id}"]').first
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Escape")


def run_sample(page) -> None:
    page.fill("#sample-form input[name=category]", "0101")
    page.fill("#sample-form input[name=customer_level]", "vip")
    page.click("#run-sample")
    page.wait_for_selector("#sample-matches li")


def test_process_admin_changes_a_row_and_vip_broadband_faults_go_elsewhere(page, world):
    StaffFactory(username="process_admin_d", role=Role.PROCESS_ADMIN, unit=world.province)
    table = publish_routing_table(
        [
            {"id": "vip_net", "name": "VIP宽带故障", "category": "0101", "customer_level": "vip",
             "department": "WG"},
            {"id": "net", "name": "网络类→网管", "category": "01", "department": "WG"},
            {"id": "fallback", "name": "兜底→客服", "department": "KF"},
        ]
    )  # fmt: skip
    earlier = world.new_ticket(customer_phone="13900002222")  # 李女士, VIP, Suzhou
    assert earlier.owner_unit == world.sz_wg

    sign_in(page, "process_admin_d")
    page.click("nav >> text=流程配置")
    page.click(".config-tabs >> text=决策表")
    page.click("#table-list >> text=派单规则")
    wait_until(page, READY)

    run_sample(page)
    assert page.locator("#sample-matches li").first.inner_text().startswith("#1 VIP宽带故障")
    assert "department = WG" in page.inner_text(".sample-outputs")
    assert page.locator('#dmn-canvas [data-row-id="vip_net"].rule-hit').count() > 0

    # a department no city has: refused on save, the cell marked, nothing stored
    set_cell(page, "vip_net_out_2", '"NOPE"')
    page.click("#save-draft")
    page.wait_for_selector("#lint-problems li[data-element=vip_net_out_2]")
    wait_until(page, READY)
    assert page.locator('#dmn-canvas [data-element-id="vip_net_out_2"].lint-error').count() == 1
    assert DecisionTable.objects.filter(key="routing").count() == table.version

    set_cell(page, "vip_net_out_2", '"KF"')
    run_sample(page)  # the unsaved edit is what the panel runs
    assert "department = KF" in page.inner_text(".sample-outputs")
    page.fill("#draft-form input[name=comment]", "VIP 宽带故障改由客服中心先处理")
    page.click("#save-draft")
    draft_version = table.version + 1
    page.wait_for_selector(f".notice >> text=已保存为草稿 v{draft_version}")
    assert world.new_ticket(customer_phone="13900002222").owner_unit == world.sz_wg

    page.click(f"#publish-{draft_version}")
    page.wait_for_selector(f".notice >> text=v{draft_version} 已发布")
    screenshot(page, "decision-table")
    later = world.new_ticket(customer_phone="13900002222")
    assert later.owner_unit == world.sz_kf
    routing = later.events.get(seq=1).payload["routing"]
    assert routing["rule"] == "vip_net"
    assert routing["tables"][0]["version"] == draft_version
    earlier.refresh_from_db()
    assert earlier.owner_unit == world.sz_wg
