"""The daily rollup equals a direct recomputation, and recomputing is idempotent."""

from datetime import timedelta

from complaintloop.quality import engine, rollup
from complaintloop.quality.models import DailyTicketStat, Indicator

from .conftest import END, START


def recount(numerator, **kwargs):
    ind = Indicator(
        code="t", kind="count", unit="件", direction="lower_better", numerator=numerator
    )
    return engine.compute(ind, start=START, end=END, **kwargs).value


def rollup_range():
    day = START
    while day <= END:
        rollup.rollup_day(day)
        day += timedelta(days=1)


def test_rollup_equals_recompute(dataset, world):
    # when every day of the range is rolled up, twice
    rollup_range()
    first = list(DailyTicketStat.objects.values().order_by("id"))
    rollup_range()
    # then the rows are the same (ids aside) and the sums match the ticket table
    assert [{**r, "id": 0, "computed_at": 0} for r in first] == [
        {**r, "id": 0, "computed_at": 0} for r in DailyTicketStat.objects.values().order_by("id")
    ]
    totals = rollup.totals(START, END)
    assert totals["created"] == recount({}) == 7
    for measure, spec in rollup.MEASURES.items():
        assert totals[measure] == recount(spec), measure
    nj = rollup.totals(START, END, scope_path=world.nanjing.path, order_type="complaint")
    assert nj["created"] == 5 and nj["replied_on_time"] == 3 and nj["overdue"] == 1
    by_channel = rollup.totals(START, END, channel="sms")
    assert by_channel["created"] == recount({"channel": "sms"}) == 1
    network = rollup.totals(START, END, category_l1="01")
    assert network["created"] == recount({"category": "01"}) == 6


def test_rollup_day_replaces_its_rows(dataset, world):
    day = dataset.t1.created_at.date()
    assert rollup.rollup_day(day) == 1
    row = DailyTicketStat.objects.get(day=day)
    assert (row.region, row.category_l1, row.channel, row.created, row.neutral) == (
        world.nanjing,
        "01",
        "phone",
        1,
        1,
    )
    assert rollup.rollup_day(day) == 1
    assert DailyTicketStat.objects.filter(day=day).count() == 1


def test_tasks_roll_up_on_demand_and_nightly(dataset):
    from complaintloop.quality import tasks

    # 10-09: T2 (南京 billing), T3 (南京 sms), T6 (苏州): three dimension combinations
    assert tasks.rollup_day("2025-10-09") == 3
    # the nightly run covers the days before ``today``: 09-30 (T1), 10-09, and 10-10
    # where T4 and T5 share a row and T7 (an inquiry) has its own
    assert rollup.rollup_recent(END, days=20) == 1 + 3 + 2
    assert DailyTicketStat.objects.filter(day__gte=START).count() == 6
