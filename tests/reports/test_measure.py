"""The reports' fast working-time path gives the engine's values."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintloop.core import calendar
from complaintloop.quality import engine, worktime
from complaintloop.quality.selectors import indicators
from complaintloop.reports import measure

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("group_by", [None, "region", "owner_unit", "channel", "category_l1"])
def test_every_indicator_matches_the_engine(dataset, world, group_by):
    for scope in (world.province, world.nanjing):
        for found in indicators():
            ours = measure.compute(found, start=date(2025, 9, 1), end=date(2025, 10, 31),
                                   scope_unit=scope, group_by=group_by)  # fmt: skip
            theirs = engine.compute(found, start=date(2025, 9, 1), end=date(2025, 10, 31),
                                    scope_unit=scope, group_by=group_by)  # fmt: skip
            assert ours == theirs, (found.code, scope.code, group_by)


moments = st.datetimes(
    min_value=datetime(2025, 9, 20), max_value=datetime(2025, 10, 20), timezones=st.just(SH)
)


# The calendar table is only read: one database for all examples is fine.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=st.lists(st.tuples(moments, st.integers(0, 60 * 24 * 12)), min_size=1, max_size=20))
def test_working_minutes_match_the_calendar(db, pairs):
    calendar.clear_cache()
    if not calendar.year_is_covered(2025):
        calendar.seed_from_chinesecalendar(2025, 2025)
        calendar.clear_cache()
    starts = [a for a, _ in pairs]
    ends = [a + timedelta(minutes=m, seconds=17) for a, m in pairs]
    expected = [calendar.working_minutes_between(a, b) for a, b in zip(starts, ends, strict=True)]
    assert worktime.working_minutes(starts, ends).tolist() == expected


@pytest.mark.parametrize(
    "group_by", [None, "region", "owner_unit", "accepting_unit", "category_l1", "day", "month"]
)
def test_many_at_once_matches_the_engine(dataset, world, group_by):
    found = list(indicators())
    for scope in (world.province, world.nanjing, world.suzhou):
        assert_engines_numbers(found, scope, group_by)


def assert_engines_numbers(found, scope, group_by) -> None:
    period = {"start": date(2025, 9, 1), "end": date(2025, 10, 31), "scope_unit": scope}
    ours = measure.compute_many(found, group_by=group_by, **period)
    for indicator in found:
        theirs = engine.compute(indicator, group_by=group_by, **period)
        assert ours[indicator.code] == theirs, (indicator.code, scope.code, group_by)


def test_many_at_once_with_no_tickets(dataset, world):
    found = list(indicators())
    ours = measure.compute_many(found, start=date(2024, 1, 1), end=date(2024, 1, 31))
    for indicator in found:
        theirs = engine.compute(indicator, start=date(2024, 1, 1), end=date(2024, 1, 31))
        assert ours[indicator.code] == theirs, indicator.code


@pytest.fixture
def facts_built(dataset):
    from complaintloop.quality import rollup

    rollup.rebuild()
    return dataset


@pytest.mark.parametrize(
    "group_by",
    [None, "region", "owner_unit", "accepting_unit", "channel", "category_l1", "day", "week",
     "month"],
)  # fmt: skip
def test_the_facts_give_the_engines_numbers(facts_built, world, group_by):
    from complaintloop.quality import facts

    found = list(indicators())
    for scope in (world.province, world.nanjing, world.suzhou):
        answered = facts.parts(found, start=date(2025, 9, 1), end=date(2025, 10, 31),
                               scope_unit=scope, group_by=group_by)  # fmt: skip
        # All but the closed-date count and status/SLA filters come from the facts.
        assert answered is not None and len(answered) >= len(found) - 2, sorted(answered or {})
        assert_engines_numbers(found, scope, group_by)


def test_facts_missing_or_of_an_older_version_leave_the_period_to_the_engine(facts_built, world):
    from complaintloop.quality import facts
    from complaintloop.quality.models import TicketContribution

    found = list(indicators())
    period = {"start": date(2025, 9, 1), "end": date(2025, 10, 31)}
    assert facts.parts(found, **period) is not None
    one = TicketContribution.objects.filter(day__gte=period["start"]).first()
    TicketContribution.objects.filter(pk=one.pk).update(facts_version=0)
    assert facts.parts(found, **period) is None
    TicketContribution.objects.filter(pk=one.pk).delete()
    assert facts.parts(found, **period) is None
    ours = measure.compute_many(found, **period)
    for indicator in found:
        assert ours[indicator.code] == engine.compute(indicator, **period), indicator.code


def test_a_customers_later_level_change_keeps_the_facts_equal_to_the_engine(facts_built, world):
    from complaintloop.customers.models import Customer
    from complaintloop.quality import facts, rollup
    from complaintloop.tickets.models import Ticket

    # given every customer of the period's tickets is promoted to VIP after the fact
    ids = Ticket.objects.values_list("customer_id", flat=True)
    Customer.objects.filter(pk__in=ids).update(level="vip")
    # and the facts are recomputed afterwards, as each ticket's next event would
    rollup.rebuild()
    vip = [i for i in indicators() if i.code == "vip_timely_rate"]
    # then the facts still answer with the level the tickets recorded, as the engine does
    assert facts.parts(vip, start=date(2025, 9, 1), end=date(2025, 10, 31)) is not None
    assert_engines_numbers(vip, world.province, None)
    assert_engines_numbers(vip, world.province, "region")
