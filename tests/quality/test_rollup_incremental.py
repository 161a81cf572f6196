"""The incremental rollup (one outbox consumer per ticket event) ends up equal to a
full recomputation from the ticket table, whatever the operations, whatever the
order events are delivered in, and however often one is delivered again."""

import random
from collections import defaultdict
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count
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
from complaintloop.core.models import Outbox
from complaintloop.processes import engine as processes
from complaintloop.quality import engine, formulas, rollup
from complaintloop.quality.models import DailyTicketStat, TicketContribution
from complaintloop.routing import services as routing
from complaintloop.tickets import services
from complaintloop.tickets.models import Ticket, WorkItem, WorkItemStatus

from ..conftest import World, build_world

HOLDERS = {
    "NJ-KF": "agent_nj",
    "NJ-WG": "handler_nj",
    "NJ-YZ": "handler_nj_yz",
    "SZ-KF": "agent_sz",
    "SZ-WG": "handler_sz",
}
picks = st.integers(min_value=0, max_value=10_000)
COUNTED = ("created", *rollup.MEASURES)


def clear_caches() -> None:
    cache.clear_all()
    calendar.clear_cache()
    routing.clear_cache()
    processes.clear_cache()


def recomputed() -> dict[tuple, dict[str, int]]:
    """The rollup computed directly, grouped in SQL (not the consumer's code path)."""
    aggregates = {"created": Count("id")}
    aggregates.update(
        {
            name: Count("id", filter=formulas.to_q(spec, paths={}))
            for name, spec in rollup.MEASURES.items()
        }
    )
    rows = (
        Ticket.objects.values(
            "created_at",
            "region_id",
            "category_path",
            "channel",
            "order_type__code",
            "accepting_unit_id",
        )
        .annotate(**aggregates)
        .order_by()
    )
    merged: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = (
            engine.timezone.localtime(row["created_at"]).date(),
            row["region_id"],
            engine.category_l1(row["category_path"]),
            row["channel"],
            row["order_type__code"],
            row["accepting_unit_id"],
        )
        for name in COUNTED:
            merged[key][name] += row[name]
    return {k: dict(v) for k, v in merged.items()}


def events():
    return Outbox.objects.filter(topic="ticket.event")


def deliver_all() -> None:
    """What the worker does with the rollup's consumer (only it: the other apps'
    consumers are not under test here)."""
    for row in events().order_by("id"):
        rollup.on_ticket_event(row)


def stored_facts() -> dict[int, dict]:
    """Each ticket's fact row as the consumer left it."""
    names = (
        "measures",
        "category_path",
        "owner_unit_id",
        "customer_level",
        "handling_minutes",
        "handling_natural_minutes",
        "first_response_minutes",
        "suspended_minutes",
        "facts_version",
    )
    return {
        row["ticket_id"]: {name: row[name] for name in names}
        for row in TicketContribution.objects.values("ticket_id", *names)
    }


def recomputed_facts() -> dict[int, dict]:
    """The same facts computed afresh from the tickets as they are now."""
    return {
        c.ticket_id: {"measures": c.bits, **c.facts}
        for c in rollup._contributions(Ticket.objects.all())
    }


def stored() -> dict[tuple, dict[str, int]]:
    found = {}
    for row in DailyTicketStat.objects.values():
        key = (
            row["day"],
            row["region_id"],
            row["category_l1"],
            row["channel"],
            row["order_type"],
            row["accepting_unit_id"],
        )
        assert key not in found, f"duplicate rollup row {key}"
        found[key] = {name: row[name] for name in COUNTED}
    return found


class RollupMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._clock = time_machine.travel("2026-11-23 17:30 +0800", tick=False)
        self._now = self._clock.start()
        clear_caches()
        self.numbers: list[str] = []
        self.delivered: set[int] = set()

    def teardown(self) -> None:
        self._clock.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        clear_caches()

    def holder(self, number: str):
        item = (
            WorkItem.objects.filter(ticket__number=number, status=WorkItemStatus.OPEN)
            .order_by("kind")
            .first()
        )
        name = HOLDERS.get(item.unit.code, "supervisor_nj") if item else "supervisor_nj"
        return getattr(self.world, name)

    def attempt(self, call) -> None:
        try:
            call()
        except DomainError:
            pass

    def pick(self, i: int) -> str:
        return self.numbers[i % len(self.numbers)]

    @initialize()
    def first_ticket(self) -> None:
        self.numbers.append(self.world.new_ticket().number)

    @rule(
        where=st.sampled_from(["13800001111", "13900002222"]),
        mode=st.sampled_from(["dispatch", "hold", "resolve_now"]),
        category=st.sampled_from(["0101", "0201", ""]),
        channel=st.sampled_from(["phone", "sms"]),
        order_type=st.sampled_from(["complaint", "inquiry"]),
    )
    def create(self, where, mode, category, channel, order_type) -> None:
        extra = {
            "dispatch": {},
            "hold": {"dispatch": False, "pre_handling": "已远程重启"},
            "resolve_now": {"resolve_now": True, "resolution": "已解释"},
        }[mode]
        actor = self.world.agent_nj if where.startswith("138") else self.world.agent_sz
        try:
            ticket = self.world.new_ticket(
                actor=actor,
                customer_phone=where,
                category=category,
                channel=channel,
                order_type=order_type,
                **extra,
            )
        except DomainError:
            return
        self.numbers.append(ticket.number)

    @rule(hours=st.sampled_from([1, 5, 20, 70]))
    def time_passes(self, hours) -> None:
        self._now.shift(timedelta(hours=hours))

    @precondition(lambda self: self.numbers)
    @rule(
        i=picks,
        op=st.sampled_from(
            ["accept", "reply", "urge", "supervise", "escalate", "return", "transfer", "close"]
        ),
    )
    def operate(self, i, op) -> None:
        n = self.pick(i)
        actor = self.holder(n)
        sup = self.world.supervisor_nj if n and actor.unit.code.startswith("NJ") else actor
        calls = {
            "accept": lambda: services.accept(n, actor=actor),
            "reply": lambda: services.reply(n, actor=actor, comment="已处理"),
            "urge": lambda: services.urge(n, actor=self.world.supervisor_nj),
            "supervise": lambda: services.supervise(n, actor=self.world.supervisor_nj),
            "escalate": lambda: services.escalate(n, actor=sup),
            "return": lambda: services.return_(n, actor=actor, comment="非本部门"),
            "transfer": lambda: services.transfer(
                n, actor=actor, to_unit="NJ-YZ", comment="转业务支撑"
            ),
            "close": lambda: services.close(n, actor=actor, comment="归档"),
        }
        self.attempt(calls[op])

    @precondition(lambda self: self.numbers)
    @rule(i=picks, result=st.sampled_from(["satisfied", "neutral", "dissatisfied"]))
    def callback(self, i, result) -> None:
        n = self.pick(i)
        self.attempt(lambda: services.callback(n, actor=self.holder(n), result=result))

    @precondition(lambda self: self.numbers)
    @rule(i=picks)
    def reopen(self, i) -> None:
        n = self.pick(i)
        self.attempt(
            lambda: services.reopen(n, actor=self.world.supervisor_nj, comment="客户再次来电")
        )

    @rule(seed=st.integers(0, 1000), replay=st.integers(0, 3))
    def deliver_some(self, seed, replay) -> None:
        """The worker delivers pending events in any order, and some again."""
        rng = random.Random(seed)
        pending = list(events().exclude(pk__in=self.delivered))
        rng.shuffle(pending)
        taken = pending[: rng.randint(0, len(pending))]
        done = list(events().filter(pk__in=self.delivered).order_by("-id")[:10])
        replayed = rng.sample(done, min(replay, len(done)))  # lost acknowledgements
        if rng.random() < 0.5:
            for row in taken + replayed:
                rollup.on_ticket_event(row)
        else:  # one worker poll: a batch, possibly with several events of one ticket
            rollup.on_ticket_events(taken + replayed)
        self.delivered.update(row.pk for row in taken)

    @rule()
    def deliver_rest(self) -> None:
        for row in events().exclude(pk__in=self.delivered).order_by("-id"):
            rollup.on_ticket_event(row)  # newest first: the worst order
            self.delivered.add(row.pk)

    @invariant()
    def equal_once_everything_is_delivered(self) -> None:
        if events().exclude(pk__in=self.delivered).exists():
            return
        assert stored() == recomputed()
        assert TicketContribution.objects.count() == Ticket.objects.count()
        assert stored_facts() == recomputed_facts()


@pytest.mark.django_db
def test_incremental_rollup_equals_recomputation():
    RollupMachine.world = build_world()
    run_state_machine_as_test(
        RollupMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_rebuild_gives_the_same_rows(dataset):
    # given the rollup kept by the consumer
    deliver_all()
    incremental = stored()
    assert incremental == recomputed()
    # when it is rebuilt from scratch
    DailyTicketStat.objects.all().delete()
    TicketContribution.objects.all().delete()
    done = rollup.rebuild()
    # then the same rows come back, and applying an event again changes nothing
    assert stored() == incremental
    assert done["rows"] == len(incremental)
    assert rollup.apply_tickets({dataset.t3.pk: 10**9}) == 0
    assert stored() == incremental


def test_rebuild_command_prints_json(dataset, capsys):
    from django.core.management import call_command

    call_command("rebuild_rollups", "--start", "2025-09-29", "--end", "2025-10-15")
    out = capsys.readouterr().out
    assert '"days": 17' in out
    assert DailyTicketStat.objects.filter(day="2025-10-09").exists()


def test_a_calendar_edit_recomputes_the_working_time_facts(dataset):
    from django.conf import settings
    from django.utils import timezone

    from complaintloop.core import outbox
    from complaintloop.core.models import WorkCalendarDay
    from complaintloop.quality import worktime

    # given the facts of a ticket taken on a working day, inside working hours, and
    # resolved on a later day: part of its working time is its first day's
    rollup.rebuild()

    def counts_its_first_day(facts) -> bool:
        created = timezone.localtime(facts.ticket.created_at)
        opens, closes = (calendar._hm(settings.WORKDAY_START), calendar._hm(settings.WORKDAY_END))
        return (
            calendar.is_workday(created.date())
            and opens <= created.time() < closes
            and timezone.localtime(facts.ticket.resolved_at).date() > created.date()
        )

    candidates = TicketContribution.objects.filter(handling_minutes__gt=0).select_related("ticket")
    facts = next(f for f in candidates.order_by("ticket_id") if counts_its_first_day(f))
    ticket, before = facts.ticket, facts.handling_minutes
    day = timezone.localtime(ticket.created_at).date()
    # when an admin turns that day into a holiday
    WorkCalendarDay.objects.create(date=day, is_workday=False, note="停电检修", source="admin")
    assert outbox.drain() >= 1
    # then the stored working time lost that day, as a fresh computation says
    facts.refresh_from_db()
    fresh = int(worktime.working_minutes([ticket.created_at], [ticket.resolved_at])[0])
    assert facts.handling_minutes == fresh < before
    # and every other fact and day row agrees with a recomputation
    assert stored_facts() == recomputed_facts() and stored() == recomputed()
