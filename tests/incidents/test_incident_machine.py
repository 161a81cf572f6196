"""Any interleaving of new complaints, attach, detach and resolve leaves every ticket
attached at the end answered exactly once by the incident, and no other ticket answered
by it (issue 14's property)."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from complaintloop.core import cache
from complaintloop.core.errors import DomainError
from complaintloop.incidents import services as incidents
from complaintloop.incidents.models import AttachedTicket, Incident
from complaintloop.tickets import services
from complaintloop.tickets.models import EventKind, Ticket, TicketEvent
from complaintloop.tickets.services import NewTicket

from ..conftest import World, build_world


class IncidentMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        cache.clear_all()
        self.incident = incidents.declare(
            actor=self.world.supervisor_nj,
            title="南京断网",
            regions=["NJ"],
            category="01",
            keywords=["断网"],
        )
        self.numbers: list[str] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)
        cache.clear_all()

    def pick(self, i: int) -> str | None:
        return self.numbers[i % len(self.numbers)] if self.numbers else None

    @rule(matching=st.booleans())
    def new_ticket(self, matching: bool) -> None:
        ticket, _ = services.create(
            NewTicket(
                order_type="complaint",
                channel="phone",
                customer_phone="13800001111",
                category="0101",
                description="小区断网了" if matching else "网速慢",
            ),
            actor=self.world.agent_nj,
        )
        self.numbers.append(ticket.number)

    @rule(i=st.integers(0, 50))
    def attach(self, i: int) -> None:
        number = self.pick(i)
        if number:
            try:
                incidents.attach(self.incident.pk, [number], actor=self.world.supervisor_nj)
            except DomainError:
                pass

    @rule(i=st.integers(0, 50))
    def detach(self, i: int) -> None:
        number = self.pick(i)
        if number:
            try:
                incidents.detach(
                    self.incident.pk, number, actor=self.world.supervisor_nj, reason="误关联"
                )
            except DomainError:
                pass

    @rule()
    def resolve(self) -> None:
        incidents.resolve(self.incident.pk, actor=self.world.supervisor_nj, reply="已恢复")

    @invariant()
    def answered_once_and_only_when_attached(self) -> None:
        number = self.incident.number
        resolved = Incident.objects.get(pk=self.incident.pk).status == "resolved"
        for ticket in Ticket.objects.filter(number__in=self.numbers):
            replies = TicketEvent.objects.filter(
                ticket=ticket, kind=EventKind.REPLIED, payload__incident=number
            ).count()
            assert replies <= 1, ticket.number
            attached = AttachedTicket.objects.filter(incident=self.incident, ticket=ticket).first()
            assert (attached is not None) == (ticket.incident_number == number), ticket.number
            if resolved and attached is not None:
                assert replies == 1 and attached.answered_at is not None, ticket.number
            if attached is None:
                assert replies == 0, ticket.number


@pytest.mark.django_db
def test_any_interleaving_answers_each_attached_ticket_once():
    IncidentMachine.world = build_world()
    run_state_machine_as_test(
        IncidentMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
