"""Every configuration change (indicators, routing, processes, calendar, permissions)
lands in the append-only audit log with who and before/after (R33), and the auditor
reads it on /audit/ and GET /api/v1/audit; nobody else does."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from complaintloop.core.models import AuditLog, WorkCalendarDay
from complaintloop.org.models import Role
from complaintloop.quality import services as quality
from complaintloop.quality.models import Indicator

from .factories import StaffFactory
from .test_api import bearer


@pytest.fixture
def root(world):
    return StaffFactory(
        username="root", role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True,
        unit=world.province, scope_unit=world.province,
    )  # fmt: skip


@pytest.fixture
def admin(root):
    client = Client()
    client.force_login(root)
    return client


def _last(action: str, obj) -> AuditLog:
    return AuditLog.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).latest("id")


def test_routing_table_publication_is_audited_with_actor_and_version(world, root):
    from complaintloop.routing import services as routing

    xml = routing.selectors.version_row("routing", 1).dmn_xml.replace("兜底→客服", "兜底→客服中心")
    draft = routing.save_draft("routing", xml, actor=root)
    routing.publish_version("routing", draft.version, actor=root)
    entry = _last("decision.published", draft)
    assert entry.actor_id == root.pk
    assert entry.detail["label"] == f"routing v{draft.version}"
    assert entry.detail["rules"] == 3
    # the version row itself is watched configuration as well
    assert AuditLog.objects.filter(
        action="config.created", object_type="routing.decisiontable", object_id=str(draft.pk)
    ).exists()


def test_calendar_day_added_is_audited(world, admin, root):
    response = admin.post(
        reverse("admin:core_workcalendarday_add"),
        {"date": "2027-02-08", "is_workday": "", "note": "2027 春节", "source": "manual"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    day = WorkCalendarDay.objects.get(date=datetime.date(2027, 2, 8))
    entry = _last("config.created", day)
    assert entry.actor_id == root.pk
    assert entry.detail["changes"]["note"] == [None, "2027 春节"]


def test_indicator_tuning_is_audited_with_its_actor(world):
    indicator = Indicator.objects.get(code="redispatch_rate")  # a built-in
    quality.update(indicator.code, {"target": "0.2"}, actor=world.quality)
    entry = _last("config.changed", indicator)
    assert entry.actor_id == world.quality.pk
    before, after = entry.detail["changes"]["target"]
    assert (float(before), float(after)) == (0.35, 0.2)


def test_role_scope_and_permission_changes_are_audited_without_secrets(world):
    staff = world.handler_sz
    staff.role = Role.SUPERVISOR
    staff.scope_unit = world.province
    staff.set_password("a-new-secret-1")
    staff.save()
    entry = _last("config.changed", staff)
    changes = entry.detail["changes"]
    assert changes["role"] == [Role.HANDLER, Role.SUPERVISOR]
    assert changes["scope_unit_id"] == [world.suzhou.pk, world.province.pk]
    assert changes["password"] == ["***", "***"]
    assert "a-new-secret-1" not in str(entry.detail)
    # a login (last_login only) is not a configuration change
    count = AuditLog.objects.count()
    staff.last_login = staff.date_joined
    staff.save(update_fields=["last_login"])
    assert AuditLog.objects.count() == count
    # permissions through groups
    group = Group.objects.create(name="质检")
    group.permissions.add(Permission.objects.get(codename="view_ticket"))
    staff.groups.add(group)
    assert _last("config.permissions", group).detail["items"]
    assert _last("config.permissions", staff).detail["relation"].endswith("groups")


def test_process_definition_change_is_audited_with_the_bpmn_by_digest(world):
    from complaintloop.processes.models import ProcessDefinition

    definition = ProcessDefinition.objects.filter(is_active=True).first()
    definition.name = f"{definition.name}(改)"
    definition.save()
    entry = _last("config.changed", definition)
    assert entry.detail["changes"]["name"][1].endswith("(改)")
    # the document itself is not copied into the log, only its length and digest
    assert all(len(str(v)) < 200 for pair in entry.detail["changes"].values() for v in pair)


def test_auditor_reads_the_log_and_others_do_not(world, admin):
    WorkCalendarDay.objects.create(date=datetime.date(2027, 10, 8), is_workday=False, note="x")
    WorkCalendarDay.objects.filter(date=datetime.date(2027, 10, 8)).first().delete()
    # the auditor
    client = Client()
    client.force_login(world.auditor)
    page = client.get("/audit/", {"family": "config"})
    assert page.status_code == 200
    assert "config.deleted" in page.content.decode()
    api = client.get("/api/v1/audit?family=config", **bearer(world.auditor))
    assert api.status_code == 200
    assert any(row["action"] == "config.deleted" for row in api.json()["items"])
    # a CSV export of the log is itself audited
    export = client.get("/audit/", {"family": "config", "format": "csv"})
    assert export.status_code == 200 and "config.deleted" in export.content.decode("utf-8-sig")
    assert AuditLog.objects.filter(action="export.audit_log", actor=world.auditor).exists()
    # an agent, a supervisor and a quality manager do not read it
    for persona in (world.agent_nj, world.supervisor_nj, world.quality):
        other = Client()
        other.force_login(persona)
        assert other.get("/audit/").status_code == 403
        assert Client().get("/api/v1/audit", **bearer(persona)).status_code == 403


def test_exports_are_audited(world):
    client = Client()
    client.force_login(world.quality)
    response = client.get("/insights/pivot/", {"rows": "region", "cols": "category_l1",
                                               "format": "csv"})  # fmt: skip
    assert response.status_code == 200
    entry = AuditLog.objects.filter(action="export.pivot").latest("id")
    assert entry.actor_id == world.quality.pk
    assert entry.detail["rows"] == "region"
