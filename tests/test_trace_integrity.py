"""Nobody can forge the trace (R9) or rewrite the audit log (R33): the admin cannot add,
change or delete events, lifecycle fields change only through services (and leave an
event), and the database refuses UPDATE, DELETE and TRUNCATE on both logs."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from complaintloop.core import audit
from complaintloop.core.models import AuditLog
from complaintloop.org.models import Role
from complaintloop.tickets.models import EventKind, Status, Ticket, TicketEvent

from .factories import StaffFactory
from .markers import postgres_only

# The inlines' management forms, as the admin's change form posts them.
INLINES = {
    f"{prefix}-{name}": "0"
    for prefix in ("work_items", "events")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.fixture
def root(world):
    return StaffFactory(
        username="root", role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True,
        unit=world.province,
    )  # fmt: skip


@pytest.fixture
def admin(root):
    client = Client()
    client.force_login(root)
    return client


def test_admin_cannot_add_an_event(world, admin):
    # the finding: a backdated "customer satisfied" callback credited to another user
    ticket = world.new_ticket()
    before = TicketEvent.objects.count()
    add = reverse("admin:tickets_ticketevent_add")
    assert admin.get(add).status_code == 403
    forged = admin.post(
        add,
        {
            "ticket": ticket.pk,
            "seq": 99,
            "kind": EventKind.CALLED_BACK,
            "actor": world.handler_nj.pk,
            "at_0": "2026-01-01",
            "at_1": "09:00:00",
            "to_status": Status.CLOSED,
            "payload": '{"result": "satisfied"}',
        },
    )
    assert forged.status_code == 403
    assert TicketEvent.objects.count() == before


def test_admin_cannot_change_or_delete_an_event(world, admin):
    event = world.new_ticket().events.first()
    change = reverse("admin:tickets_ticketevent_change", args=[event.pk])
    delete = reverse("admin:tickets_ticketevent_delete", args=[event.pk])
    # the change page only shows the row
    page = admin.get(change)
    assert page.status_code == 200
    assert 'name="seq"' not in page.content.decode()
    admin.post(change, {"seq": 7, "comment": "改写"})
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    fresh = TicketEvent.objects.get(pk=event.pk)
    assert (fresh.seq, fresh.comment) == (event.seq, event.comment)


def test_events_are_written_by_services_only(world):
    ticket = world.new_ticket()
    fields = {"ticket": ticket, "seq": 50, "kind": EventKind.COMMENTED, "to_status": "new"}
    with pytest.raises(PermissionError):
        TicketEvent.objects.create(at=ticket.created_at, **fields)
    with pytest.raises(PermissionError):
        TicketEvent(at=ticket.created_at, **fields).save()
    event = ticket.events.first()
    event.comment = "改写"
    with pytest.raises(PermissionError):
        event.save()


def test_admin_cannot_change_lifecycle_fields(world, admin):
    # the finding: status pending → closed in the admin wrote no event and rewrote
    # accepted_at
    ticket = world.new_ticket()
    assert ticket.status == Status.PENDING
    events = ticket.events.count()
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    page = admin.get(url).content.decode()
    assert 'name="status"' not in page
    assert 'name="due_at_0"' not in page
    admin.post(url, {"status": Status.CLOSED, "accepted_at_0": "2026-01-01", "title": ticket.title,
                     "description": ticket.description, "category": ticket.category_id, **INLINES})  # fmt: skip
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Status.PENDING
    assert fresh.closed_at is None
    assert fresh.events.count() == events  # nothing changed, nothing recorded


def test_admin_correction_goes_through_the_service_and_leaves_an_event(world, admin, root):
    ticket = world.new_ticket()
    bill = ticket.category.__class__.objects.get(code="0201")
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    response = admin.post(
        url,
        {"category": bill.pk, "title": "话费多扣", "description": ticket.description, **INLINES},
    )
    assert response.status_code == 302
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.category_id == bill.pk and fresh.title == "话费多扣"
    last = fresh.events.order_by("-seq").first()
    assert last.actor_id == root.pk
    assert last.payload["reclassified"]["category"] == "0201"
    assert last.seq == fresh.version


def test_admin_cannot_add_or_delete_tickets_or_work_items(world, admin):
    ticket = world.new_ticket()
    assert admin.get(reverse("admin:tickets_ticket_add")).status_code == 403
    delete = reverse("admin:tickets_ticket_delete", args=[ticket.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    item = ticket.work_items.first()
    change = reverse("admin:tickets_workitem_change", args=[item.pk])
    admin.post(change, {"status": "done", "unit": world.sz_wg.pk})
    item.refresh_from_db()
    assert item.status == "open" and item.unit_id == world.nj_wg.pk


def _refused(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError:
        return True
    return False


def test_database_refuses_rewriting_the_audit_log(world):
    entry = audit.record(world.supervisor_nj, "pii.unmask", world.nanjing, fields=["phone"])
    assert _refused(f"UPDATE core_auditlog SET action = 'x' WHERE id = {entry.pk}")
    assert _refused(f"DELETE FROM core_auditlog WHERE id = {entry.pk}")
    assert _refused("DELETE FROM core_auditlog")
    with pytest.raises(PermissionError):
        entry.delete()
    entry.action = "x"
    with pytest.raises(PermissionError):
        entry.save()
    assert AuditLog.objects.get(pk=entry.pk).action == "pii.unmask"


@postgres_only("TRUNCATE")
def test_postgres_refuses_truncate_of_events_and_audit_log(world):
    world.new_ticket()
    audit.record(None, "config.changed", world.nanjing)
    assert _refused("TRUNCATE tickets_ticketevent CASCADE")
    assert _refused("TRUNCATE core_auditlog")
    assert TicketEvent.objects.exists() and AuditLog.objects.exists()


def test_admin_cannot_add_audit_entries_or_change_warning_notices(world, admin):
    assert admin.get(reverse("admin:core_auditlog_add")).status_code == 403
    assert admin.get(reverse("admin:insights_warningnotice_add")).status_code == 403
    assert admin.get(reverse("admin:insights_alert_add")).status_code == 403
