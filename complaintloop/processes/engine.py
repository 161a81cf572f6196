"""Runs published BPMN 2.0 definitions with SpiffWorkflow.

An instance lives as serialized JSON next to its ticket; every operation loads it,
moves it and serializes it again. Parsed specs are cached per definition id because a
published definition row never changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from complaintloop.core.errors import Conflict, Invalid

# Extension properties read from each user task:
#   <bpmn:extensionElements><spiffworkflow:properties>
#     <spiffworkflow:property name="assignee" value="routed"/>
#     <spiffworkflow:property name="timeLimitMinutes" value="540"/>
ASSIGNEE_PROPERTY = "assignee"
TIME_LIMIT_PROPERTY = "timeLimitMinutes"
# Which of the step-bound operations a step allows (comma-separated); absent: all.
OPERATIONS_PROPERTY = "operations"
STEP_OPERATIONS = ("transfer", "return", "suspend", "request_assistance")
DEFAULT_ASSIGNEE = "routed"

_CACHE_SIZE = 64


@dataclass(frozen=True)
class Step:
    id: str  # BPMN task id, e.g. "handle"
    name: str  # task name from the BPMN, e.g. "处理"
    assignee: str  # "routed" | "accepting" | a department code
    time_limit_minutes: int | None
    operations: frozenset[str] | None = None  # of STEP_OPERATIONS; None: all allowed


@dataclass(frozen=True)
class Instance:
    definition_id: int
    state: str  # SpiffWorkflow serialized JSON
    ready: list[Step]  # ready manual (user) tasks after engine steps
    finished: bool


@dataclass(frozen=True)
class ParsedProcess:
    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


# Conditions and scripts come from admins' BPMN; keep them to expressions over task
# data with a few harmless builtins rather than the full Python builtins.
_SAFE_BUILTINS = {
    f.__name__: f for f in (abs, all, any, bool, float, int, len, max, min, round, str)
}
_script_engine = PythonScriptEngine(
    environment=TaskDataEnvironment({"__builtins__": _SAFE_BUILTINS})
)
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

_specs: OrderedDict[int, ParsedProcess] = OrderedDict()
_specs_lock = threading.Lock()


def parse(
    bpmn_xml: str, *, process_id: str | None = None, prefer: str | None = None
) -> ParsedProcess:
    """Parse and validate BPMN XML and pick one executable process: ``process_id``,
    else ``prefer`` if the file has it, else the first one.

    Raises ``Invalid("process.invalid_bpmn")`` with the parser's reason."""

    def invalid(reason: str) -> Invalid:
        return Invalid(
            "process.invalid_bpmn",
            _("流程定义无效：%(reason)s") % {"reason": reason},
            fields={"bpmn_xml": [reason]},
        )

    # No entity expansion or network access for uploaded XML.
    xml_parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(bpmn_xml.encode("utf-8"), parser=xml_parser)
    except etree.XMLSyntaxError as exc:
        raise invalid(_("XML 格式错误（%(error)s）") % {"error": exc}) from exc
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root)
        ids = parser.get_process_ids()
        if not ids:
            raise invalid(_('没有可执行的流程（isExecutable="true"）'))
        chosen = process_id or (prefer if prefer in ids else ids[0])
        if chosen not in ids:
            raise invalid(_("找不到流程 %(id)s") % {"id": chosen})
        spec = parser.get_spec(chosen)
        subprocess_specs = parser.get_subprocess_specs(chosen)
    except (SpiffWorkflowException, etree.LxmlError, ValueError, KeyError) as exc:
        raise invalid(str(exc)) from exc
    name = parser.get_process_parser(chosen).get_name() or chosen
    return ParsedProcess(chosen, name, spec, subprocess_specs)


def _parsed(definition_id: int) -> ParsedProcess:
    with _specs_lock:
        if definition_id in _specs:
            _specs.move_to_end(definition_id)
            return _specs[definition_id]
    from complaintloop.processes.models import ProcessDefinition

    row = (
        ProcessDefinition.objects.filter(id=definition_id).values("bpmn_xml", "process_id").first()
    )
    if row is None:
        raise Invalid("process.unknown", _("流程定义不存在"))
    parsed = parse(row["bpmn_xml"], process_id=row["process_id"])
    with _specs_lock:
        _specs[definition_id] = parsed
        while len(_specs) > _CACHE_SIZE:
            _specs.popitem(last=False)
    return parsed


def clear_cache() -> None:
    with _specs_lock:
        _specs.clear()


def _step(task: Any) -> Step:
    spec = task.task_spec
    props = (getattr(spec, "extensions", None) or {}).get("properties", {})
    limit = (props.get(TIME_LIMIT_PROPERTY) or "").strip()
    operations = props.get(OPERATIONS_PROPERTY)
    return Step(
        id=spec.name,
        name=spec.bpmn_name or spec.name,
        assignee=(props.get(ASSIGNEE_PROPERTY) or "").strip() or DEFAULT_ASSIGNEE,
        time_limit_minutes=int(limit) if limit else None,
        operations=None
        if operations is None
        else frozenset(o.strip() for o in operations.split(",") if o.strip()),
    )


def _ready(workflow: BpmnWorkflow) -> list[Step]:
    return [_step(t) for t in workflow.get_tasks(state=TaskState.READY, manual=True)]


def _instance(definition_id: int, workflow: BpmnWorkflow) -> Instance:
    return Instance(
        definition_id=definition_id,
        state=_serializer.serialize_json(workflow),
        ready=_ready(workflow),
        finished=workflow.is_completed(),
    )


def _load(state: str) -> BpmnWorkflow:
    workflow = _serializer.deserialize_json(state)
    workflow.script_engine = _script_engine
    return workflow


def _run_failed(exc: SpiffWorkflowException) -> Invalid:
    # Typically a gateway condition over data the caller did not pass (e.g. `satisfied`).
    return Invalid(
        "process.data_invalid",
        _("流程无法继续：%(reason)s") % {"reason": exc},
    )


def start(
    key: str | None = None,
    *,
    definition_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Instance:
    """Start an instance of the active version of ``key``, or of exactly ``definition_id``,
    with ``data`` (the ticket's fields, processes.lint.PROCESS_DATA) for its gateways."""
    from complaintloop.processes import selectors

    if definition_id is None:
        found = selectors.active_definition_id(key) if key else None
        if found is None:
            raise Invalid("process.unknown", _("流程 %(key)s 不存在或未启用") % {"key": key})
        definition_id = found
    parsed = _parsed(definition_id)
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=_script_engine)
    if data:
        # Seeded on the start task, the data flows to every later task.
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise _run_failed(exc) from exc
    return _instance(definition_id, workflow)


def complete(
    definition_id: int, state: str, step_id: str, data: dict[str, Any] | None = None
) -> Instance:
    """Complete the ready user task ``step_id`` with ``data`` and run to the next wait."""
    workflow = _load(state)
    task = next(
        (
            t
            for t in workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.name == step_id
        ),
        None,
    )
    if task is None:
        raise Conflict(
            "process.step_not_ready",
            _("流程环节 %(step)s 当前不可办理") % {"step": step_id},
        )
    task.data.update(data or {})
    try:
        task.run()
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise _run_failed(exc) from exc
    return _instance(definition_id, workflow)


def ready_steps(definition_id: int, state: str) -> list[Step]:
    """Ready user tasks of a stored instance."""
    return _ready(_load(state))
