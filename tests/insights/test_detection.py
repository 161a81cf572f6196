from datetime import date, timedelta

import numpy as np
import pytest
from django.utils import timezone

from complaintloop.demo import generator as demo
from complaintloop.insights import detection
from complaintloop.insights.models import Alert, AlertStatus
from complaintloop.insights.tasks import run_early_warning
from complaintloop.org.models import Unit

from .helpers import at, clone, move

WEEKDAY_EFFECT = [1.25, 1.15, 1.05, 1.0, 1.1, 0.75, 0.7]


def _synthetic(lam: float, days: int, seed: int) -> tuple[list[date], list[int], list[int]]:
    """A stationary Poisson series with a weekday effect, and the province's daily totals."""
    rng = np.random.default_rng(seed)
    start = date(2025, 3, 3)
    span = [start + timedelta(days=i) for i in range(days)]
    counts = [int(rng.poisson(lam * WEEKDAY_EFFECT[d.weekday()])) for d in span]
    totals = [int(rng.poisson(300 * WEEKDAY_EFFECT[d.weekday()])) for d in span]
    return span, counts, totals


@pytest.mark.parametrize("lam", [0.8, 3.0, 12.0, 40.0])
def test_stationary_seasonal_series_raises_nothing_over_eight_weeks(lam):
    # given 16 weeks of a stationary series with weekly seasonality (fixed seed)
    params = detection.Params()
    days, counts, totals = _synthetic(lam, 112, seed=2024)
    h = params.history_days
    # when each of the last 8 weeks is judged against the 8 weeks before it
    findings = [
        detection.evaluate(
            days[t],
            counts[t],
            days[t - h : t],
            counts[t - h : t],
            detection.weekday_factors(days[t - h : t], totals[t - h : t]),
            params,
        )
        for t in range(h, len(days))
    ]
    # then not a single alert
    assert [f for f in findings if f.alert] == []
    assert all(f.expected > 0 for f in findings if f.observed)
    if lam >= params.stl_min_mean:
        assert {f.method for f in findings} == {"stl-poisson"}


def test_a_fivefold_day_on_a_seasonal_series_is_found():
    params = detection.Params()
    days, counts, totals = _synthetic(6.0, 57, seed=7)
    h = params.history_days
    factors = detection.weekday_factors(days[:h], totals[:h])
    finding = detection.evaluate(days[h], 5 * 6 + 10, days[:h], counts[:h], factors, params)
    assert finding.alert
    assert finding.observed > finding.upper_limit > finding.expected
    assert finding.evidence["counts"][-1] == finding.observed
    assert len(finding.evidence["days"]) == h + 1


def test_small_counts_never_alert_below_the_minimum():
    params = detection.Params()
    days = [date(2025, 1, 6) + timedelta(days=i) for i in range(56)]
    finding = detection.evaluate(
        date(2025, 3, 3), 4, days, [0] * 56, [1.0] * 7, params
    )  # 4 from nothing: above any limit, but under min_count
    assert not finding.alert


@pytest.fixture
def quiet_series(world):
    """56 days of 2 tickets a day in Nanjing/0101, then 14 on the last day."""
    today = timezone.localdate()
    template = world.new_ticket()
    move(template, at(today - timedelta(days=400)))
    for i in range(1, 57):
        clone(template, at(today - timedelta(days=i)), 2)
    clone(template, at(today), 14)
    return today


def test_run_raises_one_alert_per_series_and_day_and_does_not_flap(world, quiet_series):
    today = quiet_series
    raised = detection.run(today)
    assert len(raised) == 1
    alert = raised[0]
    assert (alert.region.code, alert.category.code, alert.day) == ("NJ", "0101", today)
    assert alert.observed == 14 and alert.expected == pytest.approx(2, abs=0.5)
    assert alert.status == AlertStatus.OPEN
    # running again the same day adds nothing (beat retries are safe)
    assert detection.run(today) == []
    # a new surge the next day does not re-raise while the alert is open
    template = world.new_ticket()
    clone(template, at(today + timedelta(days=1)), 15)
    assert detection.run(today + timedelta(days=1)) == []
    assert Alert.objects.count() == 1


def test_task_defaults_to_yesterday(world, quiet_series):
    yesterday = quiet_series - timedelta(days=1)
    assert run_early_warning(yesterday.isoformat()) == 0
    assert run_early_warning() == 0  # yesterday is a normal day


def test_demo_outage_spike_is_found_and_nothing_else(db):
    # given the demo data with its injected outage in 徐州
    result = demo.seed(orders=3000, months=3, seed=11, progress=lambda _: None, analytics=False)
    spike_day = date.fromisoformat(result["spike"]["day"])
    # when early warning runs over every day of the last eight weeks
    today = timezone.localdate()
    alerts = []
    for i in range(56, 0, -1):
        alerts += detection.run(today - timedelta(days=i))
    # then the spike is found: 徐州, 移动网络 (the level-2 ancestor of 区域性无信号)
    found = [(a.region.code, a.category.code, a.day) for a in alerts]
    assert ("XZ", "0101", spike_day) in found
    spike = next(a for a in alerts if a.day == spike_day and a.region.code == "XZ")
    assert spike.observed >= result["spike"]["tickets"]
    assert spike.observed > 3 * spike.upper_limit / 2
    assert spike.region == Unit.objects.get(code="XZ")
    # and it is the only alert over the eight weeks
    assert found == [("XZ", "0101", spike_day)]
