"""流程配置 in a real browser: the process administrator edits a user task in the
designer, sees the lint problem for a task without owner marked on the diagram, fixes
it with a time limit, saves a draft and publishes it; a new ticket starts on the new
version while an older one stays on its own."""

import pytest

from complaintloop.org.models import Role
from complaintloop.processes.models import ProcessDefinition
from complaintloop.tickets.models import TicketProcess
from tests.factories import StaffFactory

from .conftest import screenshot, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def open_designer(page):
    page.goto(f"{page.base_url}/processes/general_complaint/")
    wait_until(page, "document.getElementById('designer').dataset.ready === '1'")


def test_process_admin_edits_lints_saves_and_publishes(page, world):
    StaffFactory(username="process_admin_b", role=Role.PROCESS_ADMIN, unit=world.province)
    older = world.new_ticket()
    sign_in(page, "process_admin_b")
    page.click("nav >> text=流程配置")
    page.click("#process-list >> text=一般投诉流程")
    wait_until(page, "document.getElementById('designer').dataset.ready === '1'")

    # the callback step loses its owner: saving is refused and the step is marked
    page.click('[data-element-id="callback"]')
    page.wait_for_selector("#element-form:not([hidden])")
    assert page.input_value("#prop-assignee-kind") == "accepting"
    page.select_option("#prop-assignee-kind", "")
    page.click("#save-draft")
    page.wait_for_selector("#lint-problems li[data-element=callback]")
    wait_until(page, "document.getElementById('designer').dataset.ready === '1'")
    assert page.locator('[data-element-id="callback"].lint-error').count() == 1
    assert ProcessDefinition.objects.filter(key="general_complaint").count() == 1
    screenshot(page, "process-designer-lint")

    # fixed, with a 10-hour limit on handling, and saved as a draft
    page.click('[data-element-id="callback"]')
    page.select_option("#prop-assignee-kind", "accepting")
    page.click('[data-element-id="handle"]')
    page.fill("#prop-limit", "600")
    page.press("#prop-limit", "Tab")
    page.uncheck("#prop-operations input[value=suspend]")  # no suspending while handling
    page.fill("input[name=comment]", "处理环节 10 小时时限")
    page.click("#save-draft")
    page.wait_for_selector(".notice >> text=已保存为草稿 v2")
    draft = ProcessDefinition.objects.get(key="general_complaint", version=2)
    assert draft.status == "draft" and 'name="timeLimitMinutes" value="600"' in draft.bpmn_xml
    assert 'name="operations" value="transfer,return,request_assistance"' in draft.bpmn_xml
    assert world.new_ticket().process.definition.version == 1  # a draft changes nothing

    # simulated on the recent tickets before publishing: the older ticket is counted
    page.click("#simulate")
    page.wait_for_selector("#simulate-summary")
    assert page.locator("#simulate-steps tr").count() == 2
    assert page.locator(".sim-badge").count() > 0

    page.click("#publish-2")
    page.wait_for_selector(".notice >> text=v2 已发布")
    screenshot(page, "process-designer")
    newer = world.new_ticket()
    assert newer.process.definition.version == 2
    assert newer.work_items.get().due_at is not None
    assert TicketProcess.objects.get(ticket=older).definition.version == 1

    # the two versions side by side, the changed step marked on both
    page.click("text=对比上一版")
    wait_until(page, "document.getElementById('diff').dataset.ready === '1'")
    assert page.locator('#diff-new [data-element-id="handle"].diff-changed').count() == 1
    assert "timeLimitMinutes" in page.inner_text("#diff-changes")
    screenshot(page, "process-diff")


def test_other_roles_get_no_designer(page, world):
    sign_in(page, "agent_nj")
    assert page.locator("nav >> text=流程配置").count() == 0
    response = page.goto(f"{page.base_url}/processes/")
    assert response.status == 403


def test_a_gateway_condition_is_picked_not_typed(page, world):
    StaffFactory(username="process_admin_g", role=Role.PROCESS_ADMIN, unit=world.province)
    sign_in(page, "process_admin_g")
    open_designer(page)
    # a straight connection has no height for a pointer click; select it as a click would
    page.evaluate(
        "(() => { const m = window.complaintloopDesigner;"
        " m.get('selection').select(m.get('elementRegistry').get('flow_satisfied')); })()"
    )
    page.wait_for_selector("#flow-form:not([hidden])")
    assert page.inner_text("#cond-current") == "satisfied == True"
    assert page.is_checked("#flow-default") is False
    page.select_option("#cond-field", "customer_level")
    page.select_option("#cond-op", "in")
    page.fill("#cond-value", "vip, gold")
    page.click("#cond-apply")
    assert page.inner_text("#cond-current") == 'customer_level in ("vip", "gold")'
    page.click("#save-draft")
    page.wait_for_selector(".notice >> text=已保存为草稿 v2")
    draft = ProcessDefinition.objects.get(key="general_complaint", version=2)
    assert 'customer_level in ("vip", "gold")' in draft.bpmn_xml.replace("&#34;", '"').replace(
        "&quot;", '"'
    )
