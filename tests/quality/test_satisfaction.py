"""Seed 002: 不满意度 = (表示不满意 + 表示一般的投诉量) / 实际投诉处理量; 满意度 = 1 − 不满意度."""

from complaintloop.quality import engine
from complaintloop.quality.models import Indicator

from .conftest import END, START


def value(code):
    return engine.compute(Indicator.objects.get(code=code), start=START, end=END)


def test_satisfaction_counts_neutral_against(dataset):
    # given handled complaints T1 (neutral), T2 (satisfied), T3 (dissatisfied, then
    # satisfied after second handling), T4 (FCR, no survey), T6 (satisfied); T5 is open
    result = value("satisfaction_rate")
    # then (1 neutral + 1 dissatisfied) / 5 handled = 40% against: 60%
    assert (result.numerator, result.denominator, result.value) == (2, 5, 60.0)
    # below the 74.35% province average used as the warning line
    assert result.status == "alarm"
    assert value("dissatisfaction_rate").value == 40.0


def test_satisfaction_after_second_handling_uses_final_results(dataset):
    # T3 ended satisfied; only T1's neutral stays against: 1 − 1/5
    result = value("satisfaction_after_second")
    assert (result.numerator, result.denominator, result.value) == (1, 5, 80.0)


def test_callback_satisfied_rate_only_counts_surveyed(dataset):
    # final results among the 4 called back: T2 T3 T6 satisfied
    result = value("callback_satisfied_rate")
    assert (result.numerator, result.denominator, result.value) == (3, 4, 75.0)
