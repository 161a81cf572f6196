"""Retention (R33): per data class, after N of closure: files erased with a trace,
customers pseudonymised with every figure kept; dry runs change nothing; every run and
policy change is audited; system administrators run it, auditors read it."""

import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from complaintloop.attachments import services as attachments
from complaintloop.attachments.models import Attachment
from complaintloop.core.errors import Forbidden, Invalid
from complaintloop.core.models import AuditLog
from complaintloop.customers.models import Customer
from complaintloop.org.models import Role
from complaintloop.retention import redact, services
from complaintloop.retention.models import ErasedFile, PseudonymisedCustomer, RetentionRun
from complaintloop.tickets.models import Status, Ticket

from .factories import StaffFactory

SH = ZoneInfo("Asia/Shanghai")
LONG_AGO = datetime(2022, 3, 1, 10, 0, tzinfo=SH)  # more than 3 years before today


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def sysadmin(world):
    return StaffFactory(username="sysadmin_r", role=Role.SYSTEM_ADMIN, unit=world.province)


def closed_ticket(world, *, phone, at, description, name="王先生"):
    with time_machine.travel(at, tick=False):
        ticket = world.new_ticket(
            customer_phone=phone,
            customer_name=name,
            description=description,
            resolve_now=True,
            resolution=f"已回复 {phone},客户认可",
        )
        attachments.attach(
            ticket,
            [
                SimpleUploadedFile("发票.pdf", b"%PDF-1.4 invoice"),
                SimpleUploadedFile("通话录音.mp3", b"ID3\x03\x00\x00\x00 audio"),
            ],
            actor=world.agent_nj,
        )
    assert ticket.status == Status.CLOSED
    return Ticket.objects.get(pk=ticket.pk)


def test_a_dry_run_counts_what_is_due_and_changes_nothing(world, sysadmin):
    old = closed_ticket(world, phone="13912340001", at=LONG_AGO, description="宽带掉线")
    closed_ticket(
        world, phone="13912340002", at=datetime.now(SH) - timedelta(days=3), description="x"
    )
    run = services.apply(dry_run=True, actor=sysadmin)
    assert run.report["customer_pii"]["count"] == 1
    assert run.report["attachments"]["count"] == 1  # the PDF of the old ticket
    assert run.report["recordings"]["count"] == 1  # 180 days: the old one only
    assert Customer.objects.filter(phone="13912340001").exists()
    assert Attachment.objects.filter(ticket=old).count() == 2
    assert not PseudonymisedCustomer.objects.exists() and not ErasedFile.objects.exists()
    entry = AuditLog.objects.get(action="retention.dry_run")
    assert entry.actor == sysadmin and entry.detail["counts"]["customer_pii"] == 1


def test_a_real_run_pseudonymises_and_keeps_the_figures(world, sysadmin):
    old = closed_ticket(
        world,
        phone="13912340001",
        at=LONG_AGO,
        description="王先生称宽带掉线,联系电话 13912340001,邮箱 wang@example.com",
    )
    recent = closed_ticket(
        world, phone="13912340002", at=datetime.now(SH) - timedelta(days=3), description="近期"
    )
    stored = [a.file.name for a in Attachment.objects.filter(ticket=old)]
    run = services.apply(dry_run=False, actor=sysadmin)
    assert run.status == "done"
    customer = Customer.objects.get(pk=old.customer_id)
    assert customer.name == redact.ANONYMOUS_NAME and redact.is_pseudonym(customer.phone)
    assert customer.region_id == old.region_id and customer.level == old.customer.level
    old.refresh_from_db()
    assert "13912340001" not in old.description + old.resolution
    assert "wang@example.com" not in old.description and "王先生" not in old.description
    # what figures are computed from stays
    assert (old.status, old.category_id, old.closed_at, old.is_fcr) == (
        Status.CLOSED,
        old.category_id,
        old.closed_at,
        True,
    )
    assert not Attachment.objects.filter(ticket=old).exists()
    assert ErasedFile.objects.filter(ticket=old).count() == 2
    assert all(not default_storage.exists(name) for name in stored)
    assert all(e.file_deleted_at for e in ErasedFile.objects.all())
    # the recent customer and files are untouched
    assert Customer.objects.get(pk=recent.customer_id).phone == "13912340002"
    assert Attachment.objects.filter(ticket=recent).count() == 2
    entry = AuditLog.objects.get(action="retention.apply")
    assert entry.detail["counts"]["customer_pii"] == 1
    # a second run finds nothing left
    again = services.apply(dry_run=False, actor=sysadmin)
    assert again.report["customer_pii"]["count"] == 0


def test_a_customer_with_a_recent_ticket_is_kept(world, sysadmin):
    closed_ticket(world, phone="13912340001", at=LONG_AGO, description="旧")
    world.new_ticket(customer_phone="13912340001", description="又来投诉")  # still open
    services.apply(dry_run=False, actor=sysadmin)
    assert Customer.objects.filter(phone="13912340001").exists()
    assert not PseudonymisedCustomer.objects.exists()


def test_policies_are_validated_and_changes_audited(world, sysadmin):
    with pytest.raises(Invalid) as caught:
        services.update_policy("customer_pii", actor=sysadmin, keep=1, unit="days", is_active=True)
    assert "keep" in caught.value.fields
    services.update_policy("customer_pii", actor=sysadmin, keep=5, unit="years", is_active=True)
    entry = AuditLog.objects.filter(
        action="config.changed", object_type__icontains="retention"
    ).get()
    assert entry.detail["changes"]["keep"] == [3, 5]
    with pytest.raises(Forbidden):
        services.update_policy(
            "customer_pii", actor=world.supervisor_nj, keep=9, unit="years", is_active=True
        )


def test_the_page_for_sysadmin_and_auditor_only(world, sysadmin):
    auditor, admin, supervisor = Client(), Client(), Client()
    auditor.force_login(world.auditor)
    admin.force_login(sysadmin)
    supervisor.force_login(world.supervisor_nj)
    page = auditor.get("/retention/")
    assert page.status_code == 200 and "客户个人信息" in page.content.decode()
    assert auditor.post("/retention/run/", {"mode": "dry"}).status_code == 403
    assert supervisor.get("/retention/").status_code == 403
    response = admin.post(
        "/retention/policies/attachments/", {"keep": "2", "unit": "years", "is_active": "on"}
    )
    assert response.status_code == 302
    bad = admin.post("/retention/policies/attachments/", {"keep": "x", "unit": "years"})
    assert bad.status_code == 422 and "请填写整数" in bad.content.decode()
    # a dry run from the page is queued and done by the worker (eager in tests)
    assert admin.post("/retention/run/", {"mode": "dry"}).status_code == 302
    assert RetentionRun.objects.filter(trigger="page", dry_run=True).exists()


def test_the_command_prints_one_json_line_per_class(world):
    closed_ticket(world, phone="13912340001", at=LONG_AGO, description="旧")
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {line["class"] for line in lines} == {"attachments", "recordings", "customer_pii"}
    pii = next(line for line in lines if line["class"] == "customer_pii")
    assert pii["would_affect"] == 1 and pii["dry_run"] is True
    assert Customer.objects.filter(phone="13912340001").exists()
