import pytest

from complaintloop.core.errors import Conflict, Invalid
from complaintloop.processes import engine, selectors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("builtin")]


def test_start_waits_for_handling_by_the_routed_unit():
    # when
    instance = engine.start("general_complaint")

    # then
    assert instance.ready == [
        engine.Step(id="handle", name="处理", assignee="routed", time_limit_minutes=None)
    ]
    assert not instance.finished
    assert instance.definition_id == selectors.active_definition("general_complaint").id


def test_handling_leads_to_callback_by_the_accepting_unit():
    # given
    instance = engine.start("general_complaint")

    # when
    instance = engine.complete(instance.definition_id, instance.state, "handle")

    # then
    assert instance.ready == [
        engine.Step(id="callback", name="回访", assignee="accepting", time_limit_minutes=540)
    ]


def test_unsatisfied_callback_goes_back_to_second_handling():
    # given
    instance = engine.start("general_complaint")
    instance = engine.complete(instance.definition_id, instance.state, "handle")

    # when
    instance = engine.complete(
        instance.definition_id, instance.state, "callback", {"satisfied": False}
    )

    # then
    assert [step.id for step in instance.ready] == ["handle"]
    assert not instance.finished


def test_satisfied_callback_finishes_even_after_second_handling():
    # given
    instance = engine.start("general_complaint")
    for satisfied in (False, True):
        instance = engine.complete(instance.definition_id, instance.state, "handle")
        # when
        instance = engine.complete(
            instance.definition_id, instance.state, "callback", {"satisfied": satisfied}
        )

    # then
    assert instance.finished
    assert instance.ready == []


def test_callback_without_satisfaction_is_invalid_and_keeps_the_state():
    # given
    instance = engine.start("general_complaint")
    instance = engine.complete(instance.definition_id, instance.state, "handle")

    # when / then
    with pytest.raises(Invalid) as exc:
        engine.complete(instance.definition_id, instance.state, "callback")
    assert exc.value.code == "process.data_invalid"
    assert [s.id for s in engine.ready_steps(instance.definition_id, instance.state)] == [
        "callback"
    ]


def test_completing_a_step_that_is_not_ready_conflicts():
    # given
    instance = engine.start("general_complaint")

    # when / then
    with pytest.raises(Conflict) as exc:
        engine.complete(instance.definition_id, instance.state, "callback")
    assert exc.value.code == "process.step_not_ready"


def test_emergency_process_has_short_limit_and_no_second_handling():
    # when
    instance = engine.start("emergency_batch")

    # then
    assert instance.ready == [
        engine.Step(id="handle", name="紧急处理", assignee="routed", time_limit_minutes=240)
    ]
    instance = engine.complete(instance.definition_id, instance.state, "handle")
    assert instance.ready == [
        engine.Step(id="callback", name="批量回访", assignee="accepting", time_limit_minutes=540)
    ]
    instance = engine.complete(
        instance.definition_id, instance.state, "callback", {"satisfied": False}
    )
    assert instance.finished


def test_ready_steps_reads_a_stored_state():
    # given
    instance = engine.start("general_complaint")

    # then
    assert engine.ready_steps(instance.definition_id, instance.state) == instance.ready


def test_unknown_process_is_invalid():
    with pytest.raises(Invalid) as exc:
        engine.start("no_such_process")
    assert exc.value.code == "process.unknown"
    with pytest.raises(Invalid):
        engine.start(definition_id=987654)
