import datetime
import statistics
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from complaintloop.core import calendar
from complaintloop.org.models import Role, Staff
from complaintloop.taxonomy.models import Category, OrderType
from complaintloop.tickets.models import (
    Status,
    Ticket,
    TicketEvent,
    TicketNumberCounter,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)

pytestmark = pytest.mark.django_db

DEMO_ROLES = {
    "agent_nj": Role.AGENT,
    "handler_nj": Role.HANDLER,
    "handler_sz": Role.HANDLER,
    "supervisor_nj": Role.SUPERVISOR,
    "quality": Role.QUALITY_MANAGER,
    "process_admin": Role.PROCESS_ADMIN,
    "sysadmin": Role.SYSTEM_ADMIN,
    "auditor": Role.AUDITOR,
}


@pytest.fixture
def seeded():
    call_command("seed_demo", orders=300, batch=120, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_accounts_have_their_roles(seeded):
    # then
    accounts = {s.username: s for s in Staff.objects.filter(username__in=DEMO_ROLES)}
    assert {name: s.role for name, s in accounts.items()} == DEMO_ROLES
    assert accounts["agent_nj"].unit.code == "NJ-KF"
    assert accounts["agent_nj"].scope_unit.code == "NJ"
    assert accounts["quality"].scope_unit.code == "JS"
    assert accounts["sysadmin"].is_superuser and accounts["sysadmin"].is_staff
    assert accounts["handler_sz"].check_password("demo12345")
    assert set(OrderType.objects.values_list("code", flat=True)) >= {
        "complaint", "suggestion", "request", "appointment", "inquiry", "praise",
    }  # fmt: skip
    assert 40 <= Category.objects.filter(level=4).count() <= 80


def test_every_ticket_ends_in_its_status(seeded):
    # given
    tickets = dict(Ticket.objects.values_list("id", "status"))
    assert len(tickets) == 300
    # then: events chain from status to status, the last one is the ticket's status
    last: dict[int, TicketEvent] = {}
    for event in TicketEvent.objects.order_by("ticket_id", "seq"):
        previous = last.get(event.ticket_id)
        assert event.seq == (previous.seq + 1 if previous else 1)
        assert event.from_status == (previous.to_status if previous else "")
        last[event.ticket_id] = event
    assert {tid: e.to_status for tid, e in last.items()} == tickets


def test_work_items_match_statuses(seeded):
    # then
    closed_with_open = WorkItem.objects.filter(
        ticket__status=Status.CLOSED, status=WorkItemStatus.OPEN
    )
    assert not closed_with_open.exists()
    handling = Ticket.objects.filter(
        status__in=[Status.PENDING, Status.IN_PROGRESS, Status.SUSPENDED]
    ).annotate(
        mains=Count(
            "work_items",
            filter=Q(work_items__kind=WorkItemKind.MAIN, work_items__status=WorkItemStatus.OPEN),
        ),
        opened=Count("work_items", filter=Q(work_items__status=WorkItemStatus.OPEN)),
    )
    for ticket in handling:
        assert (ticket.mains, ticket.opened) == (1, 1), ticket.number
    replied = Ticket.objects.filter(status=Status.REPLIED)
    for ticket in replied:
        kinds = [w.kind for w in ticket.work_items.filter(status=WorkItemStatus.OPEN)]
        assert kinds == [WorkItemKind.CALLBACK]
    assert Ticket.objects.exclude(status=Status.CLOSED).exists()


def test_numbers_deadlines_and_counters_are_consistent(seeded):
    # then
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    last_per_day = Counter()
    for ticket in Ticket.objects.all():
        day = ticket.number[2:10]
        assert day == calendar.timezone.localtime(ticket.created_at).strftime("%Y%m%d")
        last_per_day[day] = max(last_per_day[day], int(ticket.number[10:]))
        assert ticket.due_at == calendar.deadline(
            ticket.created_at, ticket.time_limit_minutes, ticket.time_basis
        )
        assert ticket.category_path == ticket.category.path
        if ticket.closed_at:
            assert ticket.created_at < ticket.resolved_at <= ticket.closed_at
    assert dict(TicketNumberCounter.objects.values_list("day", "last")) == dict(last_per_day)


def test_outage_spike_stands_out(seeded):
    # given: 网络质量 complaints in 徐州 per day
    per_day = Counter(
        calendar.timezone.localtime(at).date()
        for at in Ticket.objects.filter(
            region__code="XZ", category_path__startswith="/01/"
        ).values_list("created_at", flat=True)
    )
    first = min(per_day)
    days = [first + datetime.timedelta(days=i) for i in range((max(per_day) - first).days + 1)]
    # then
    spike_day, spike = per_day.most_common(1)[0]
    assert spike >= 20
    assert spike > 5 * max(1, statistics.median(per_day.get(d, 0) for d in days))
    spike_tickets = Ticket.objects.filter(region__code="XZ", created_at__date=spike_day)
    assert sum("云龙区" in t.title + t.description for t in spike_tickets) >= 20


def test_the_outage_is_an_incident_and_one_is_open(seeded):
    from complaintloop.incidents.models import AttachedTicket, Incident

    resolved = Incident.objects.get(status="resolved")
    assert "云龙区" in resolved.title
    attached = AttachedTicket.objects.filter(incident=resolved)
    assert attached.count() >= 20
    assert Ticket.objects.filter(incident_number=resolved.number).count() == attached.count()
    assert Incident.objects.filter(status="open").count() == 1


def test_seeding_twice_keeps_reference_data(seeded):
    # when
    call_command("seed_demo", orders=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", orders=50, if_empty=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then
    assert Staff.objects.filter(username="agent_nj").count() == 1
    assert Ticket.objects.count() == 300
