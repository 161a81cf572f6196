"""Login protection in a real browser: after a few wrong passwords the form asks for the
picture's characters; a locked pair shows on the system administrator's 登录安全 page,
which lifts it, and the agent signs in again."""

import pytest

from complaintloop.org.models import Role
from complaintloop.web.models import LoginThrottle
from complaintloop.web.security import throttle
from tests.factories import StaffFactory

from .conftest import screenshot, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wrong_password(page):
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", "agent_nj")
    page.fill("#id_password", "not-the-password")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notice.error")


def test_challenge_then_lock_then_sysadmin_unlocks(page, browser, world):
    StaffFactory(username="sysadmin_l", role=Role.SYSTEM_ADMIN, unit=world.province)
    for _ in range(3):
        wrong_password(page)
    # the next attempt carries a picture challenge, loaded from our own origin
    page.fill("#id_password", "still-wrong")
    page.keyboard.press("Enter")
    page.wait_for_selector("#captcha-image")
    wait_until(page, "document.getElementById('captcha-image').naturalWidth > 0", timeout=5)
    assert page.is_visible("#id_captcha")
    screenshot(page, "login-challenge")
    # the pair goes on failing until it is locked (as the service counts them)
    address = LoginThrottle.objects.get(username="agent_nj").address
    while not throttle.gate("agent_nj", address).locked_until:
        throttle.record_failure("agent_nj", address)

    admin = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    admin_page = admin.new_page()
    admin_page.base_url = page.base_url
    sign_in(admin_page, "sysadmin_l")  # another username from the same address is not locked
    admin_page.goto(f"{page.base_url}/security/admin/")
    row = admin_page.locator("#login-locks tr:has-text('agent_nj')")
    assert row.is_visible()
    screenshot(admin_page, "security-admin")
    row.locator("button:has-text('解锁')").click()
    admin_page.wait_for_selector("#login-locks tr:has-text('agent_nj')", state="detached")
    admin.close()

    sign_in(page, "agent_nj")
    assert not LoginThrottle.objects.filter(username="agent_nj").exists()
