"""数据保留 in a real browser: the system administrator previews what the policies would
do, and the run shows per class what is due."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from complaintloop.org.models import Role
from complaintloop.retention import services
from complaintloop.retention.models import RetentionRun
from tests.factories import StaffFactory

from .conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_sysadmin_previews_the_policies(page, world):
    StaffFactory(username="sysadmin_b", role=Role.SYSTEM_ADMIN, unit=world.province)
    with time_machine.travel(
        datetime(2022, 3, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        world.new_ticket(resolve_now=True, resolution="已解释,客户认可")
    sign_in(page, "sysadmin_b")
    page.goto(f"{page.base_url}/retention/")
    assert "客户个人信息" in page.inner_text("main")
    page.click("#retention-dry-run")
    page.wait_for_selector("text=已提交预演")
    # queued for the worker, which runs it
    run = RetentionRun.objects.get()
    assert run.dry_run and run.status == "queued"
    services.execute(run.pk)
    page.reload()
    page.wait_for_selector("text=将处理 1 项")
    assert RetentionRun.objects.get().status == "done"
    screenshot(page, "retention")
