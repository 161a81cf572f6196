"""The dashboard reads counts and rates from the rollup when it can: the same numbers
as the ticket table, per column too, and within the reader's scope."""

from datetime import date

from complaintloop.quality import board, engine, rollup
from complaintloop.quality.models import Indicator

from .conftest import END, START


def rolled_up():
    rollup.rebuild(START, END)


def test_rollup_plans_agree_with_the_engine(dataset, world):
    # given the rollup of the data set
    rolled_up()
    planned = [i for i in Indicator.objects.filter(is_active=True) if board.plan(i)]
    # then most count and rate indicators read from it ...
    assert len(planned) >= 15
    assert {"timely_handling_rate", "complaint_count", "satisfaction_rate"} - {
        i.code for i in planned
    } == {"satisfaction_rate"}  # 满意度 needs "handled" (an event), so tickets tell
    for indicator in planned:
        # ... and give what the engine computes from the tickets, in total and per city
        total, groups, fast = board.compute(
            indicator, start=START, end=END, scope=None, by="region"
        )
        assert fast
        assert total == engine.compute(indicator, start=START, end=END), indicator.code
        expected = engine.compute(indicator, start=START, end=END, group_by="region")
        for code, result in expected.items():
            assert groups[code] == result, (indicator.code, code)


def test_dashboard_rows_and_deferred_rows(dataset, world):
    rolled_up()
    indicators = list(Indicator.objects.filter(code__in=["complaint_count", "avg_handling_hours"]))
    data = board.dashboard(
        world.quality, indicators, period="month", day=date(2025, 10, 9), by="region"
    )
    rows = {r["indicator"].code: r for r in data["rows"]}
    assert rows["avg_handling_hours"]["deferred"]
    assert rows["complaint_count"]["total"].value == 5  # October's complaints (T1 is Sep)
    cells = {unit.code: result.value for unit, result in rows["complaint_count"]["cells"]}
    assert cells == {"NJ": 4, "SZ": 1}
    # a 南京 supervisor's dashboard has no 苏州 column and no 苏州 ticket in its total
    nj = board.dashboard(
        world.supervisor_nj, indicators, period="month", day=date(2025, 10, 9), by="region"
    )
    assert [u.code for u in nj["columns"]] == ["NJ"]
    assert {r["indicator"].code: r for r in nj["rows"]}["complaint_count"]["total"].value == 4


def test_tickets_behind_a_figure(dataset, world):
    timely = Indicator.objects.get(code="timely_handling_rate")
    behind = board.tickets_behind(world.quality, timely, start=START, end=END)
    result = engine.compute(timely, start=START, end=END)
    assert behind.count() == result.numerator
    den = board.tickets_behind(world.quality, timely, start=START, end=END, part="denominator")
    assert den.count() == result.denominator
    sz = board.tickets_behind(
        world.quality, timely, start=START, end=END, group_by="region", key="SZ"
    )
    assert [t.number for t in sz] == [dataset.t6.number]
    # the 南京 supervisor asking for 苏州's tickets gets none of them
    nj = board.tickets_behind(
        world.supervisor_nj, timely, start=START, end=END, group_by="region", key="SZ"
    )
    assert nj.count() == 0
