import pytest

from complaintloop.core.errors import Invalid
from complaintloop.processes import engine, selectors, services
from complaintloop.processes.models import ProcessDefinition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("builtin")]


def _general_xml() -> str:
    return services.BUILTIN["general_complaint"].read_text(encoding="utf-8")


def test_builtin_processes_are_published_once():
    # when
    again = services.load_builtin()

    # then
    assert again == []
    assert set(ProcessDefinition.objects.filter(version=1).values_list("key", flat=True)) >= {
        "general_complaint",
        "emergency_batch",
    }
    general = selectors.active_definition("general_complaint")
    assert (general.name, general.process_id) == ("一般投诉流程", "general_complaint")


def test_running_instance_stays_on_its_version_while_new_ones_use_the_new_one():
    # given an instance started on the current version
    v1 = selectors.active_definition("general_complaint")
    old = engine.start("general_complaint")
    # and a new version where handling has a time limit and a different name
    xml = (
        _general_xml()
        .replace('name="处理"', 'name="处理（新版）"')
        .replace(
            '<spiffworkflow:property name="timeLimitMinutes" value="" />',
            '<spiffworkflow:property name="timeLimitMinutes" value="720" />',
        )
    )

    # when
    v2 = services.publish("general_complaint", xml, comment="加时限")

    # then
    assert v2.version == v1.version + 1
    assert v2.is_active
    v1.refresh_from_db()
    assert not v1.is_active
    assert selectors.active_definition("general_complaint") == v2
    assert old.definition_id == v1.id
    old_next = engine.complete(old.definition_id, old.state, "handle")
    assert old_next.definition_id == v1.id
    assert [s.id for s in old_next.ready] == ["callback"]
    new = engine.start("general_complaint")
    assert new.definition_id == v2.id
    assert new.ready[0].name == "处理（新版）"
    assert new.ready[0].time_limit_minutes == 720
    assert engine.start(definition_id=v1.id).ready[0].name == "处理"


@pytest.mark.parametrize(
    "xml",
    [
        "not xml at all",
        "<bpmn:definitions",
        # well-formed, but not BPMN
        "<root><child/></root>",
        # BPMN without an executable process
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'id="d" targetNamespace="x"><bpmn:process id="p" isExecutable="false">'
        '<bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>',
    ],
)
def test_invalid_bpmn_is_rejected(xml):
    # when / then
    with pytest.raises(Invalid) as exc:
        services.publish("general_complaint", xml)
    assert exc.value.code == "process.invalid_bpmn"
    assert exc.value.fields["bpmn_xml"]
    assert ProcessDefinition.objects.filter(key="general_complaint").count() == 1


def test_first_publish_of_a_new_key_is_version_one():
    # when
    definition = services.publish("custom", _general_xml(), name="自定义")

    # then
    assert (definition.version, definition.is_active) == (1, True)
    assert definition.process_id == "general_complaint"
    assert engine.start("custom").ready[0].id == "handle"
