"""版本对比 (issue 13, item 2): elements added, removed and changed between two versions,
with what changed, on a page that draws both diagrams."""

import pytest
from django.test import Client

from complaintloop.org.models import Role
from complaintloop.processes import diff
from complaintloop.processes import services as processes

from ..factories import StaffFactory

pytestmark = pytest.mark.django_db


def general_xml() -> str:
    return processes.BUILTIN["general_complaint"].read_text(encoding="utf-8")


def test_changes_are_listed_element_by_element():
    new = (
        general_xml()
        .replace('name="回访"', 'name="电话回访"')
        .replace('<spiffworkflow:property name="timeLimitMinutes" value="540" />',
                 '<spiffworkflow:property name="timeLimitMinutes" value="480" />')
    )  # fmt: skip
    changes = {c.element_id: c for c in diff.compare(general_xml(), new)}
    assert set(changes) == {"callback"}
    assert changes["callback"].kind == "changed"
    assert "name: 回访 → 电话回访" in changes["callback"].details
    assert "timeLimitMinutes: 540 → 480" in changes["callback"].details
    removed = diff.compare(general_xml(), general_xml().replace('name="满意" ', ""))
    assert [c.element_id for c in removed] == ["flow_satisfied"]


def test_the_page_compares_two_versions(world):
    admin = StaffFactory(username="process_admin_d", role=Role.PROCESS_ADMIN, unit=world.province)
    processes.save_draft(
        "general_complaint", general_xml().replace('name="处理"', 'name="核实处理"'), actor=admin
    )
    client = Client()
    client.force_login(admin)
    page = client.get("/processes/general_complaint/diff/?a=1&b=2")
    body = page.content.decode()
    assert page.status_code == 200
    assert "name: 处理 → 核实处理" in body and '"kind": "changed"' in body
    assert Client().get("/processes/general_complaint/diff/").status_code == 302  # login
