"""Built-in indicators against hand-computed values on the data set (see conftest)."""

import pytest

from complaintloop.quality import builtin, engine
from complaintloop.quality.models import Indicator

from .conftest import END, START


def value(code, **kwargs):
    return engine.compute(Indicator.objects.get(code=code), start=START, end=END, **kwargs)


def test_registry_has_the_builtins_once(indicators):
    # given the migration already loaded them, when loaded again
    assert builtin.load() == 0
    # then
    codes = set(Indicator.objects.filter(is_builtin=True).values_list("code", flat=True))
    assert len(codes) == len(builtin.BUILTIN) >= 30
    assert {p for p in Indicator.objects.values_list("phase", flat=True)} == {
        "before",
        "during",
        "after",
    }
    redispatch = Indicator.objects.get(code="redispatch_rate")
    assert (float(redispatch.target), redispatch.direction) == (0.35, "lower_better")
    assert float(Indicator.objects.get(code="pre_handling_rate").target) == 60


def test_builtin_definitions_pass_validation(world):
    # (with the world's order types and categories: codes are checked against them)
    from complaintloop.core.errors import Invalid
    from complaintloop.quality import services

    for spec in builtin.BUILTIN:
        try:
            services.validate(spec)
        except Invalid as exc:  # pragma: no cover - the message names the indicator
            pytest.fail(f"{spec['code']}: {exc.fields}")


@pytest.mark.parametrize(
    ("code", "numerator", "denominator", "expected"),
    [
        ("ticket_total", 7, None, 7),
        ("complaint_count", 6, None, 6),
        # T2 replied Sat 12:00 after its due Sat 11:00; T1 T3 T4 T6 on time
        ("timely_handling_rate", 4, 5, 80.0),
        ("overdue_count", 1, None, 1),
        ("pre_handling_rate", 1, 6, 16.6667),
        ("fcr_rate", 1, 6, 16.6667),
        ("redispatch_rate", 1, 6, 16.6667),
        ("phone_channel_share", 5, 6, 83.3333),
        ("sms_channel_share", 1, 6, 16.6667),
        ("network_complaint_share", 5, 6, 83.3333),
        ("billing_complaint_share", 1, 6, 16.6667),
        ("first_response_timely_rate", 5, 5, 100.0),
        ("vip_timely_rate", 1, 1, 100.0),
        ("callback_rate", 4, 5, 80.0),  # T4 closed at first contact, no callback
        ("one_time_resolution_rate", 4, 5, 80.0),  # T3 needed second handling
        ("repeat_complaint_rate", 1, 6, 16.6667),
        ("suspend_rate", 1, 6, 16.6667),
        ("urge_rate", 1, 6, 16.6667),
        ("supervised_count", 1, None, 1),
        ("escalated_count", 1, None, 1),
        ("reopen_rate", 0, 6, 0.0),
        ("complaints_per_10k", 6, 5, 12000.0),
        ("closed_count", 5, None, 5),
    ],
)
def test_counts_and_rates(dataset, code, numerator, denominator, expected):
    result = value(code)
    assert (result.numerator, result.denominator, result.value) == (
        numerator,
        denominator,
        expected,
    )


def test_handling_times(dataset):
    # working minutes created → replied: T1 240 (over National Day), T2 1260, T3 600,
    # T4 0, T6 510: mean 522 min = 8.7 h = 0.9667 working days; P90 = 1260 min = 21 h
    assert value("avg_handling_hours").value == 8.7
    assert value("avg_handling_days").value == round(522 / 540, 4)
    p90 = value("p90_handling_hours")
    assert p90.value == 21
    # target 18 h, warning 29.7 h (lower is better): off target but no alarm
    assert (p90.status, p90.breaches_target, p90.breaches_warning) == ("off_target", True, False)
    assert value("avg_first_response_minutes").value == 36
    assert value("avg_suspended_minutes").value == 120


def test_timely_rate_status_uses_002_target_and_004_warning(dataset):
    result = value("timely_handling_rate")
    # 80% < 100% target, ≥ 78% warning
    assert result.status == "off_target" and not result.breaches_warning


def test_fcr_by_accepting_unit(dataset):
    groups = value("fcr_rate", group_by="accepting_unit")
    assert {k: (r.numerator, r.denominator, r.value) for k, r in groups.items()} == {
        "NJ-KF": (1, 5, 20.0),
        "SZ-KF": (0, 1, 0.0),
    }
