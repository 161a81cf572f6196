"""分类 on 流程配置: the tree with each node's default process, unit, limit and basis,
edited by the process admin (validated, audited), inherited by new tickets."""

import pytest
from django.test import Client

from complaintloop.core.errors import Forbidden, Invalid
from complaintloop.core.models import AuditLog
from complaintloop.org.models import Role
from complaintloop.taxonomy import services
from complaintloop.taxonomy.models import Category

from ..factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return StaffFactory(username="process_admin_t2", role=Role.PROCESS_ADMIN, unit=world.province)


def test_defaults_are_set_and_inherited_by_new_tickets(world, admin):
    services.update_category(
        "02",
        actor=admin,
        name="计费争议",
        default_process_key="sp_complaint",
        time_limit_minutes=720,
    )
    ticket = world.new_ticket(category="0201")
    assert ticket.process.definition.key == "sp_complaint"
    assert ticket.time_limit_minutes == 720
    assert AuditLog.objects.filter(
        action="config.changed", object_type="taxonomy.category"
    ).exists()


def test_bad_values_are_refused_with_their_fields(world, admin):
    with pytest.raises(Invalid) as caught:
        services.update_category(
            "02", actor=admin, name="", default_unit="NOPE", default_process_key="nope",
            time_limit_minutes=0,
        )  # fmt: skip
    assert set(caught.value.fields) == {
        "name",
        "default_unit",
        "default_process_key",
        "time_limit_minutes",
    }
    with pytest.raises(Forbidden):
        services.update_category("02", actor=world.supervisor_nj, name="x")


def test_a_renamed_parent_renames_its_childrens_full_names(world, admin):
    services.update_category("01", actor=admin, name="网络与信号")
    assert Category.objects.get(code="0101").full_name == "网络与信号/宽带故障"


def test_the_page_lists_edits_and_adds(world, admin):
    client = Client()
    client.force_login(admin)
    page = client.get("/processes/categories/")
    assert page.status_code == 200 and 'id="cat-0101"' in page.content.decode()
    client.post("/processes/categories/", {"code": "0101", "name": "宽带故障", "default_unit": "NJ-YZ",
                                           "time_basis": "natural", "is_active": "on"})  # fmt: skip
    node = Category.objects.get(code="0101")
    assert node.default_unit.code == "NJ-YZ" and node.time_basis == "natural"
    client.post(
        "/processes/categories/",
        {"action": "add", "parent": "0101", "code": "010101", "name": "光猫故障"},
    )
    assert Category.objects.get(code="010101").level == 3
    other = Client()
    other.force_login(world.agent_nj)
    assert other.get("/processes/categories/").status_code == 403
