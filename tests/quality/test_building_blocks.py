"""Each formula building block against the hand-built data set (see conftest)."""

import pytest

from complaintloop.core import calendar
from complaintloop.core.errors import Invalid
from complaintloop.quality import engine
from complaintloop.quality.models import Indicator

from .conftest import END, START, at


def count(**numerator) -> float:
    ind = Indicator(
        code="t", kind="count", unit="件", direction="lower_better", numerator=numerator
    )
    return engine.compute(ind, start=START, end=END).value


def duration(spec, kind="average_duration", unit="分钟", percentile=None, **numerator):
    ind = Indicator(
        code="t",
        kind=kind,
        unit=unit,
        direction="lower_better",
        numerator=numerator,
        duration=spec,
        percentile=percentile,
    )
    return engine.compute(ind, start=START, end=END)


@pytest.mark.parametrize(
    ("numerator", "expected"),
    [
        ({}, 7),
        ({"order_type": "complaint"}, 6),
        ({"order_type": ["complaint", "inquiry"]}, 7),
        ({"channel": "sms"}, 1),
        ({"customer_level": "vip"}, 1),
        ({"status": "closed"}, 5),
        ({"status": ["new"]}, 2),  # T5 not dispatched, T7 returned to intake
        ({"category": "01"}, 6),  # subtree: 0101 of T1, T3–T7
        ({"category": "0201"}, 1),
        ({"category": "nope"}, 0),
        ({"region": "SZ"}, 1),
        ({"region": "JS"}, 7),
        ({"is_fcr": True}, 1),
        ({"is_pre_handled": True}, 1),
        ({"second_handling": True}, 1),
        ({"supervised": True}, 1),
        ({"escalated": True}, 1),
        ({"handled": True}, 5),  # T1 T2 T3 T6 replied, T4 at first contact
        ({"replied": True}, 5),
        ({"replied": False}, 2),
        ({"closed": True}, 5),
        ({"replied_on_time": True}, 4),  # T2 replied after its due time
        ({"overdue": True}, 1),
        ({"responded": True}, 5),  # T5 and T7 were never responded to
        ({"responded_on_time": True}, 5),
        ({"reopened": True}, 0),
        ({"transferred": True}, 1),
        ({"returned": True}, 1),
        ({"urged": True}, 1),
        ({"suspended": True}, 1),
        ({"called_back": True}, 4),
        ({"satisfaction": ["neutral", "dissatisfied"]}, 1),  # final results only
        ({"repeat": True}, 1),  # T4: 王先生 again within 30 days
        ({"order_type": "complaint", "repeat": False}, 5),
        ({"any": [{"second_handling": True}, {"satisfaction": "neutral"}]}, 2),
        ({"channel": "phone", "any": [{"region": "SZ"}, {"is_fcr": True}]}, 2),
    ],
)
def test_filter_counts(dataset, numerator, expected):
    assert count(**numerator) == expected


def test_working_duration_skips_national_day(dataset):
    # given T1: created Tue 2025-09-30 15:00, replied Thu 2025-10-09 10:00
    # then Tue 15:00–18:00 = 180, Oct 1–8 off, Thu 09:00–10:00 = 60
    assert calendar.working_minutes_between(at(2025, 9, 30, 15), at(2025, 10, 9, 10)) == 240
    spec = {"from": "created_at", "to": "resolved_at", "basis": "working"}
    result = duration(spec, region="NJ", satisfaction="neutral")
    assert (result.value, result.numerator, result.denominator) == (240, 240, 1)
    # natural minutes: 9 days minus 5 hours
    natural = duration({**spec, "basis": "natural"}, region="NJ", satisfaction="neutral")
    assert natural.value == 9 * 1440 - 300


def test_average_and_percentile_of_handling_time(dataset):
    spec = {"from": "created_at", "to": "resolved_at", "basis": "working"}
    # T1 240, T2 1260 (Thu 540 + Fri 540 + make-up Sat 180), T3 600, T4 0, T6 510
    avg = duration(spec, order_type="complaint", replied=True)
    assert (avg.numerator, avg.denominator, avg.value) == (2610, 5, 522)
    hours = duration(spec, unit="小时", order_type="complaint", replied=True)
    assert hours.value == 8.7
    # nearest rank: ceil(0.9 × 5) = 5th of [0, 240, 510, 600, 1260]; ceil(0.5 × 5) = 3rd
    p90 = duration(spec, kind="percentile_duration", percentile=90, order_type="complaint")
    assert (p90.value, p90.denominator) == (1260, 5)
    p50 = duration(spec, kind="percentile_duration", percentile=50, order_type="complaint")
    assert p50.value == 510


def test_first_response_and_stored_minutes(dataset):
    first = duration({"from": "created_at", "to": "first_response_at"}, order_type="complaint")
    # T1 60, T2 30, T3 30, T4 0, T6 60
    assert (first.numerator, first.denominator, first.value) == (180, 5, 36)
    suspended = duration({"column": "suspended_minutes"}, suspended=True)
    assert (suspended.value, suspended.denominator) == (120, 1)


def test_rate_complement_and_per_10k(dataset):
    rate = Indicator(
        code="t",
        kind="rate",
        unit="%",
        direction="higher_better",
        numerator={"channel": "phone"},
        denominator={"order_type": "complaint"},
    )
    result = engine.compute(rate, start=START, end=END)
    assert (result.numerator, result.denominator, result.value) == (5, 6, 83.3333)
    rate.complement = True
    assert engine.compute(rate, start=START, end=END).value == 16.6667
    per_10k = Indicator(
        code="t",
        kind="per_10k_customers",
        unit="件/万户",
        direction="lower_better",
        numerator={"order_type": "complaint"},
    )
    # 6 complaints; customers: 王先生 + 3 more in 南京, 李女士 in 苏州
    result = engine.compute(per_10k, start=START, end=END)
    assert (result.numerator, result.denominator, result.value) == (6, 5, 12000)
    by_region = engine.compute(per_10k, start=START, end=END, group_by="region")
    assert {k: r.value for k, r in by_region.items()} == {"NJ": 12500, "SZ": 10000}


def test_group_by_dimensions_and_time(dataset):
    ind = Indicator(
        code="t",
        kind="count",
        unit="件",
        direction="lower_better",
        numerator={"order_type": "complaint"},
    )

    def grouped(group_by):
        result = engine.compute(ind, start=START, end=END, group_by=group_by)
        return {k: r.value for k, r in result.items()}

    assert grouped("region") == {"NJ": 5, "SZ": 1}
    assert grouped("category_l1") == {"01": 5, "02": 1}
    assert grouped("channel") == {"phone": 5, "sms": 1}
    assert grouped("accepting_unit") == {"NJ-KF": 5, "SZ-KF": 1}
    # closed tickets end with the callback unit (the accepting unit); T5 was never dispatched
    assert grouped("owner_unit") == {"NJ-KF": 5, "SZ-KF": 1}
    assert grouped("day") == {"2025-09-30": 1, "2025-10-09": 3, "2025-10-10": 2}
    assert grouped("week") == {"2025-09-29": 1, "2025-10-06": 5}
    assert grouped("month") == {"2025-09": 1, "2025-10": 5}


def test_date_range_is_whole_local_days(dataset):
    ind = Indicator(code="t", kind="count", unit="件", direction="lower_better")
    d = dataset.t1.created_at.date()
    assert engine.compute(ind, start=d, end=d).value == 1  # T1 at 15:00 local
    with pytest.raises(Invalid):
        engine.compute(ind, start=END, end=START)
    with pytest.raises(Invalid) as bad:
        engine.compute(ind, start=START, end=END, group_by="customer")
    assert "group_by" in bad.value.fields


@pytest.mark.parametrize(
    ("direction", "value_num", "status", "target_breach", "warning_breach"),
    [
        ("higher_better", 9, "ok", False, False),  # 90% ≥ 80
        ("higher_better", 7, "off_target", True, False),  # 70%: below 80, above 60
        ("higher_better", 5, "alarm", True, True),  # 50% < 60
        ("lower_better", 1, "ok", False, False),  # 10% ≤ 20
        ("lower_better", 3, "off_target", True, False),  # 30%: above 20, below 40
        ("lower_better", 5, "alarm", True, True),  # 50% > 40
    ],
)
def test_status_against_target_and_warning(
    direction, value_num, status, target_breach, warning_breach
):
    higher = direction == "higher_better"
    ind = Indicator(
        code="t",
        kind="rate",
        unit="%",
        direction=direction,
        target=80 if higher else 20,
        warning=60 if higher else 40,
    )
    result = engine._result(ind, value_num, 10)
    assert (result.status, result.breaches_target, result.breaches_warning) == (
        status,
        target_breach,
        warning_breach,
    )
    assert engine._result(ind, 0, 0).status == "no_data"
