"""Random sequences of ticket operations by permitted and unpermitted people keep the
aggregate consistent: one event per applied operation, seq = version, status = the last
event's, work items that match the status, and deadlines that move only with an event."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from complaintloop.core import cache, calendar
from complaintloop.core.errors import DomainError
from complaintloop.processes import engine
from complaintloop.routing import services as routing
from complaintloop.tickets import services
from complaintloop.tickets.models import (
    EventKind,
    Status,
    Ticket,
    TicketEvent,
    WorkItem,
    WorkItemKind,
    WorkItemStatus,
)

from ..conftest import World, build_world

PERSONAS = [
    "agent_nj",
    "handler_nj",
    "handler_nj_yz",
    "agent_sz",
    "handler_sz",
    "supervisor_nj",
    "quality",
    "auditor",
    "outsider",
]
# Who answers for a unit's work items, when the "holder" plays.
HOLDERS = {
    "NJ-KF": "agent_nj",
    "NJ-WG": "handler_nj",
    "NJ-YZ": "handler_nj_yz",
    "SZ-KF": "agent_sz",
    "SZ-WG": "handler_sz",
}
UNITS = ["NJ-KF", "NJ-WG", "NJ-YZ", "SZ-KF", "SZ-WG", "JS-ZL", "NOPE"]
HANDLING = (Status.PENDING, Status.IN_PROGRESS, Status.SUSPENDED)

# "holder" is whoever holds the ticket's open work item, so that many operations are
# permitted and the ticket travels its whole life; the personas mostly get refused.
actors = st.sampled_from([*PERSONAS, *["holder"] * 6])
picks = st.integers(min_value=0, max_value=10_000)
texts = st.sampled_from(["", "客户来电说明情况", "已处理"])


def clear_caches() -> None:
    cache.clear_all()
    calendar.clear_cache()
    routing.clear_cache()
    engine.clear_cache()


class LifecycleMachine(RuleBasedStateMachine):
    # Built once by the test below; every example runs in a savepoint rolled back
    # in teardown, so examples start from the same world.
    world: World

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._clock = time_machine.travel("2026-11-23 09:00 +0800", tick=False)
        self._now = self._clock.start()
        clear_caches()
        self.expected: dict[str, int] = {}  # operations applied per ticket number
        self.due_at: dict[str, tuple] = {}  # (event count, due_at) after the last step
        self.numbers: list[str] = []

    def teardown(self) -> None:
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        clear_caches()

    # helpers

    def actor(self, name: str, number: str | None = None, kind: str = WorkItemKind.MAIN):
        if name == "holder" and number is not None:
            items = WorkItem.objects.filter(ticket__number=number, status=WorkItemStatus.OPEN)
            item = items.filter(kind=kind).first() or items.order_by("kind").first()
            name = HOLDERS.get(item.unit.code, "supervisor_nj") if item else "supervisor_nj"
        return getattr(self.world, name)

    def pick(self, i: int) -> str:
        return self.numbers[i % len(self.numbers)]

    def attempt(self, call, *numbers: str) -> bool:
        """Run one service call; on success each named ticket gained one operation.
        Domain errors (refused by scope, role, state or input) must change nothing."""
        try:
            call()
        except DomainError:
            return False
        for number in numbers:
            self.expected[number] += 1
        return True

    def create(self, actor: str, **overrides) -> None:
        name = "agent_nj" if actor == "holder" else actor
        try:
            ticket = self.world.new_ticket(actor=self.actor(name), **overrides)
        except DomainError:
            return
        assert ticket.number not in self.expected
        self.expected[ticket.number] = 1
        self.numbers.append(ticket.number)

    # rules

    @initialize()
    def two_tickets(self) -> None:
        self.create("agent_nj")
        self.create("agent_sz", customer_phone="13900002222", category="0201")

    @rule(
        actor=actors,
        where=st.sampled_from(["13800001111", "13900002222"]),
        mode=st.sampled_from(["dispatch", "hold", "resolve_now"]),
        category=st.sampled_from(["0101", "0201", "", "nope"]),
    )
    def create_ticket(self, actor, where, mode, category) -> None:
        extra = {
            "dispatch": {},
            "hold": {"dispatch": False, "pre_handling": "已远程重启"},
            "resolve_now": {"resolve_now": True, "resolution": "已解释"},
        }[mode]
        self.create(actor, customer_phone=where, category=category, **extra)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, to=st.sampled_from(UNITS))
    def dispatch(self, i, actor, to) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.dispatch(n, actor=self.actor(actor, n), to_unit=to), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors)
    def accept(self, i, actor) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.accept(n, actor=self.actor(actor, n)), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, to=st.sampled_from(UNITS))
    def transfer(self, i, actor, to) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.transfer(n, actor=self.actor(actor, n), to_unit=to), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, reason=texts)
    def return_(self, i, actor, reason) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.return_(n, actor=self.actor(actor, n), comment=reason), n)

    @precondition(lambda self: self.numbers)
    @rule(
        i=picks,
        actor=actors,
        units=st.lists(st.sampled_from(UNITS), min_size=0, max_size=3),
        request=texts,
    )
    def request_assistance(self, i, actor, units, request) -> None:
        n = self.pick(i)
        self.attempt(
            lambda: services.request_assistance(
                n, actor=self.actor(actor, n), units=units, comment=request
            ),
            n,
        )

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, result=texts, unit=st.sampled_from(["", *UNITS]))
    def complete_assistance(self, i, actor, result, unit) -> None:
        n = self.pick(i)
        self.attempt(
            lambda: services.complete_assistance(
                n, actor=self.actor(actor, n, WorkItemKind.ASSIST), comment=result, unit=unit
            ),
            n,
        )

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, reason=texts)
    def suspend(self, i, actor, reason) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.suspend(n, actor=self.actor(actor, n), comment=reason), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors)
    def resume(self, i, actor) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.resume(n, actor=self.actor(actor, n)), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors)
    def urge(self, i, actor) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.urge(n, actor=self.actor(actor, n)), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors)
    def supervise(self, i, actor) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.supervise(n, actor=self.actor(actor, n)), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors)
    def escalate(self, i, actor) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.escalate(n, actor=self.actor(actor, n)), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, result=texts)
    def reply(self, i, actor, result) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.reply(n, actor=self.actor(actor, n), comment=result), n)

    @precondition(lambda self: self.numbers)
    @rule(
        i=picks,
        actor=actors,
        result=st.sampled_from(["satisfied", "neutral", "dissatisfied", "meh"]),
    )
    def callback(self, i, actor, result) -> None:
        n = self.pick(i)
        self.attempt(
            lambda: services.callback(
                n, actor=self.actor(actor, n, WorkItemKind.CALLBACK), result=result
            ),
            n,
        )

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, reason=texts)
    def close(self, i, actor, reason) -> None:
        n = self.pick(i)
        self.attempt(
            lambda: services.close(
                n, actor=self.actor(actor, n, WorkItemKind.CALLBACK), comment=reason
            ),
            n,
        )

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, reason=texts)
    def reopen(self, i, actor, reason) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.reopen(n, actor=self.actor(actor, n), comment=reason), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, j=picks, actor=actors)
    def merge(self, i, j, actor) -> None:
        n, target = self.pick(i), self.pick(j)
        # the duplicate gets MERGED, the target MERGED_IN
        self.attempt(
            lambda: services.merge(n, actor=self.actor(actor, n), target=target), n, target
        )

    @precondition(lambda self: self.numbers)
    @rule(i=picks, j=picks, actor=actors, kind=st.sampled_from(["related", "duplicate", "x"]))
    def link(self, i, j, actor, kind) -> None:
        n, target = self.pick(i), self.pick(j)
        self.attempt(
            lambda: services.link(n, actor=self.actor(actor, n), target=target, kind=kind), n
        )

    @precondition(lambda self: self.numbers)
    @rule(i=picks, j=picks, actor=actors)
    def set_parent(self, i, j, actor) -> None:
        n, target = self.pick(i), self.pick(j)
        self.attempt(lambda: services.set_parent(n, actor=self.actor(actor, n), target=target), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, actor=actors, note=texts)
    def comment(self, i, actor, note) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.comment(n, actor=self.actor(actor, n), comment=note), n)

    @precondition(lambda self: self.numbers)
    @rule(i=picks, satisfied=st.booleans())
    def advance(self, i, satisfied) -> None:
        """The usual next step by the holder, so tickets get far along their life
        among all the refused attempts."""
        n = self.pick(i)
        status = Ticket.objects.values_list("status", flat=True).get(number=n)
        holder = self.actor("holder", n)
        call = {
            Status.NEW: lambda: services.dispatch(n, actor=holder, to_unit="NJ-WG"),
            Status.PENDING: lambda: services.accept(n, actor=holder),
            Status.IN_PROGRESS: lambda: services.reply(n, actor=holder, comment="已处理"),
            Status.SUSPENDED: lambda: services.resume(n, actor=holder),
            Status.REPLIED: lambda: services.callback(
                n,
                actor=self.actor("holder", n, WorkItemKind.CALLBACK),
                result="satisfied" if satisfied else "dissatisfied",
            ),
            Status.CLOSED: lambda: services.reopen(n, actor=holder, comment="客户再次来电"),
        }[status]
        self.attempt(call, n)

    @rule(hours=st.sampled_from([1, 4, 30, 24 * 3]))
    def time_passes(self, hours) -> None:
        # Lets suspensions last long enough to move deadlines on resume.
        self._now.shift(timedelta(hours=hours))

    # invariants

    @invariant()
    def events_match_operations(self) -> None:
        for number, applied in self.expected.items():
            ticket = Ticket.objects.get(number=number)
            events = list(TicketEvent.objects.filter(ticket=ticket).order_by("seq"))
            assert len(events) == applied == ticket.version, (number, applied, ticket.version)
            assert [e.seq for e in events] == list(range(1, applied + 1))
            assert ticket.status == events[-1].to_status, (number, events[-1].kind)
            for before, after in zip(events, events[1:], strict=False):
                assert after.from_status == before.to_status, (number, after.kind)

    @invariant()
    def work_items_match_status(self) -> None:
        for number in self.expected:
            ticket = Ticket.objects.get(number=number)
            open_items = list(ticket.work_items.filter(status=WorkItemStatus.OPEN))
            main = [w for w in open_items if w.kind == WorkItemKind.MAIN]
            if ticket.status == Status.CLOSED:
                assert open_items == [], (number, open_items)
            if ticket.status in (Status.NEW, *HANDLING):
                assert len(main) == 1, (number, ticket.status, main)
            if ticket.status == Status.REPLIED:
                assert main == [], (number, main)
                kinds = [w.kind for w in open_items]
                assert kinds == [WorkItemKind.CALLBACK], (number, kinds)
            # the denormalized owner is the unit holding the ticket's current task
            holding = main or [w for w in open_items if w.kind == WorkItemKind.CALLBACK]
            if holding:
                assert ticket.owner_unit_id == holding[0].unit_id, (number, ticket.status)

    @invariant()
    def counters_match_the_trace(self) -> None:
        for number in self.expected:
            ticket = Ticket.objects.get(number=number)
            kinds = Counter(ticket.events.values_list("kind", flat=True))
            assert ticket.transfer_count == kinds[EventKind.TRANSFERRED], number
            assert ticket.return_count == kinds[EventKind.RETURNED], number
            assert ticket.reopen_count == kinds[EventKind.REOPENED], number
            assert ticket.urge_count == kinds[EventKind.URGED], number
            assert ticket.is_supervised == bool(kinds[EventKind.SUPERVISED]), number

    @invariant()
    def deadline_moves_only_with_an_event(self) -> None:
        for number in self.expected:
            ticket = Ticket.objects.get(number=number)
            count = TicketEvent.objects.filter(ticket=ticket).count()
            seen = self.due_at.get(number)
            if seen is not None and seen[0] == count:
                assert ticket.due_at == seen[1], (number, seen, ticket.due_at)
            self.due_at[number] = (count, ticket.due_at)


@pytest.mark.django_db
def test_random_operations_keep_the_ticket_consistent():
    LifecycleMachine.world = build_world()
    run_state_machine_as_test(
        LifecycleMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
