"""SLA clocks: due dates on the working calendar, suspend/resume, VIP limits, the sweep."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from complaintloop.tickets import services
from complaintloop.tickets.models import (
    EventKind,
    SlaState,
    Status,
    Ticket,
    WorkItemKind,
    WorkItemStatus,
)

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def main_item(ticket: Ticket):
    return ticket.work_items.get(kind=WorkItemKind.MAIN, status=WorkItemStatus.OPEN)


def test_due_at_counts_the_make_up_sunday(world):
    # given Friday 2025-09-26 10:00 and the complaint limit of 1080 working minutes
    with travel(at(2025, 9, 26, 10, 0)):
        # when a complaint is taken
        ticket = world.new_ticket()
    # then Fri 10:00–18:00 = 480; Sat 27 off; Sun 28 is a 调休 working day = 540 (1020);
    # the remaining 60 end Mon 2025-09-29 at 10:00
    assert ticket.time_limit_minutes == 1080
    assert ticket.due_at == at(2025, 9, 29, 10, 0)
    # the first response (120 min) is due the same morning
    assert ticket.first_response_due_at == at(2025, 9, 26, 12, 0)
    # the handle step has no limit of its own: the work item shares the ticket's
    assert main_item(ticket).due_at == ticket.due_at


def test_due_at_skips_national_day(world):
    # given Tuesday 2025-09-30 15:00, the last working day before the holiday
    with travel(at(2025, 9, 30, 15, 0)):
        ticket = world.new_ticket()
    # then Tue 15:00–18:00 = 180; Oct 1–8 are holidays; Thu 10-09 = 540 (720);
    # the remaining 360 end Fri 2025-10-10 at 09:00 + 6h = 15:00
    assert ticket.due_at == at(2025, 10, 10, 15, 0)


def test_vip_customer_gets_half_the_limit(world):
    # given 李女士 (VIP, 苏州) calls on Friday 2025-09-26 10:00
    with travel(at(2025, 9, 26, 10, 0)):
        ticket = world.new_ticket(actor=world.agent_sz, customer_phone="13900002222")
    # then the limit is 1080 / 2 = 540: Fri 10:00–18:00 = 480, Sun 28 09:00 + 60 → 10:00
    assert ticket.customer_level == "vip"
    assert ticket.owner_unit == world.sz_wg
    assert ticket.time_limit_minutes == 540
    assert ticket.due_at == at(2025, 9, 28, 10, 0)
    assert "vip_limit" in [
        r["code"] for r in ticket.events.get(seq=1).payload["routing"]["reasons"]
    ]


def test_resume_moves_deadlines_by_suspended_working_time(world):
    # given a complaint due Mon 2025-09-29 10:00, accepted on Friday
    with travel(at(2025, 9, 26, 10, 0)):
        ticket = world.new_ticket()
    with travel(at(2025, 9, 26, 11, 0)):
        services.accept(ticket.number, actor=world.handler_nj)
    old_due = at(2025, 9, 29, 10, 0)
    assert main_item(ticket).due_at == old_due
    # when it is suspended Fri 16:00 and resumed on the make-up Sunday at 12:00
    with travel(at(2025, 9, 26, 16, 0)):
        services.suspend(ticket.number, actor=world.handler_nj, comment="等待客户在家")
    with travel(at(2025, 9, 28, 12, 0)):
        ticket = services.resume(ticket.number, actor=world.handler_nj)
    # then suspended working time is Fri 16–18 (120) + Sun 09–12 (180) = 300 minutes,
    # and Mon 10:00 + 300 working minutes is Mon 15:00
    new_due = at(2025, 9, 29, 15, 0)
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.suspended_minutes == 300
    assert ticket.due_at == new_due
    item = main_item(ticket)
    assert item.due_at == new_due
    assert item.warn_at is not None and item.warn_at < new_due
    event = ticket.events.get(kind=EventKind.RESUMED)
    assert event.payload["suspended_minutes"] == 300
    assert datetime.fromisoformat(event.payload["due_at_before"]) == old_due
    assert datetime.fromisoformat(event.payload["due_at"]) == new_due


def test_suspended_over_the_holiday_costs_only_working_time(world):
    # given a ticket created and accepted Tue 2025-09-30 15:00 (due Fri 10-10 15:00)
    with travel(at(2025, 9, 30, 15, 0)):
        ticket = world.new_ticket()
        services.accept(ticket.number, actor=world.handler_nj)
        services.suspend(ticket.number, actor=world.handler_nj, comment="客户出行")
    # when resumed Thu 10-09 10:00, after the holiday
    with travel(at(2025, 10, 9, 10, 0)):
        ticket = services.resume(ticket.number, actor=world.handler_nj)
    # then only Tue 15–18 (180) + Thu 09–10 (60) = 240 minutes were suspended;
    # Fri 10-10 15:00 + 240: 180 to close, Sat 10-11 (调休) 09:00 + 60 → 10:00
    assert ticket.suspended_minutes == 240
    assert ticket.due_at == at(2025, 10, 11, 10, 0)


def sla_events(ticket: Ticket, kind: str) -> int:
    return ticket.events.filter(kind=kind).count()


def resolution_sweep() -> dict[str, int]:
    """The sweep's resolution-clock counts (the first-response clock has its own test)."""
    counts = services.sla_sweep()
    return {"near": counts["near"], "breached": counts["breached"]}


def test_sla_sweep_warns_then_breaches_once(world):
    # given a complaint created Fri 2025-09-26 10:00, due Mon 09-29 10:00
    with travel(at(2025, 9, 26, 10, 0)):
        ticket = world.new_ticket()
    item = main_item(ticket)
    # warn_at is 80% of the working time allowed: 0.8 × 1080 = 864 working minutes:
    # Fri 10:00–18:00 = 480, then 384 on the make-up Sunday from 09:00 → Sun 09-28 15:24
    assert item.warn_at == at(2025, 9, 28, 15, 24)
    # before warn_at nothing happens
    with travel(at(2025, 9, 28, 15, 0)):
        assert resolution_sweep() == {"near": 0, "breached": 0}
    # when the sweep runs past warn_at
    with travel(at(2025, 9, 28, 16, 0)):
        assert resolution_sweep() == {"near": 1, "breached": 0}
    ticket.refresh_from_db()
    # then it is near, with exactly one automatic urge
    assert ticket.sla_state == SlaState.NEAR
    assert main_item(ticket).sla_state == SlaState.NEAR
    assert sla_events(ticket, EventKind.SLA_NEAR) == 1
    assert ticket.urge_count == 1
    # when the sweep runs past due
    with travel(at(2025, 9, 29, 10, 1)):
        assert resolution_sweep() == {"near": 0, "breached": 1}
    ticket.refresh_from_db()
    assert ticket.sla_state == SlaState.BREACHED
    assert main_item(ticket).sla_state == SlaState.BREACHED
    assert sla_events(ticket, EventKind.SLA_BREACHED) == 1
    assert ticket.escalation_level == 1
    # running it again changes nothing
    version, events = ticket.version, ticket.events.count()
    with travel(at(2025, 9, 29, 11, 0)):
        assert resolution_sweep() == {"near": 0, "breached": 0}
    ticket.refresh_from_db()
    assert ticket.version == version
    assert ticket.events.count() == events
    assert sla_events(ticket, EventKind.SLA_NEAR) == 1
    assert sla_events(ticket, EventKind.SLA_BREACHED) == 1


def test_sweep_past_due_breaches_without_a_near_step(world):
    with travel(at(2025, 9, 26, 10, 0)):
        ticket = world.new_ticket()
    with travel(at(2025, 9, 30, 9, 0)):
        assert resolution_sweep() == {"near": 0, "breached": 1}
        assert resolution_sweep() == {"near": 0, "breached": 0}
    ticket.refresh_from_db()
    assert ticket.sla_state == SlaState.BREACHED
    assert sla_events(ticket, EventKind.SLA_NEAR) == 0
    assert sla_events(ticket, EventKind.SLA_BREACHED) == 1


def test_suspended_tickets_are_not_swept(world):
    # given a ticket suspended on Friday
    with travel(at(2025, 9, 26, 10, 0)):
        ticket = world.new_ticket()
        services.accept(ticket.number, actor=world.handler_nj)
        services.suspend(ticket.number, actor=world.handler_nj, comment="等待客户")
    ticket.refresh_from_db()
    version = ticket.version
    # when the sweep runs well past its original due date
    with travel(at(2025, 10, 20, 12, 0)):
        assert resolution_sweep() == {"near": 0, "breached": 0}
    # then nothing moved
    ticket.refresh_from_db()
    assert ticket.status == Status.SUSPENDED
    assert ticket.sla_state == SlaState.OK
    assert main_item(ticket).sla_state == SlaState.OK
    assert ticket.version == version
    assert sla_events(ticket, EventKind.SLA_NEAR) + sla_events(ticket, EventKind.SLA_BREACHED) == 0


def test_sweep_takes_an_explicit_now(world):
    with travel(at(2025, 9, 26, 10, 0)):
        ticket = world.new_ticket()
        # the sweep can be asked about a later moment without moving the clock
        assert services.sla_sweep(ticket.due_at + timedelta(minutes=1))["breached"] == 1
