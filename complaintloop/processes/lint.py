"""Our rules for a process before it may be saved (流程校验), on top of what the BPMN
parser checks. Each problem names the element at fault, so the page can mark it on the
diagram and the API can list it under ``fields``.

Rules:
- every flow node is reachable from a start event;
- every user task names its owner (``assignee``: routed, accepting or a department
  code) and declares ``timeLimitMinutes`` (a number of working minutes, or empty for
  "the ticket's own limit", which is a decision, not an omission);
- an exclusive or inclusive gateway that branches on conditions has a default flow;
- a process has at least one start and one end event."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from lxml import etree

from .engine import ASSIGNEE_PROPERTY, TIME_LIMIT_PROPERTY

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiff": SPIFF}
# Flow nodes: what sequence flows connect.
NODE_TAGS = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
}
ASSIGNEE_SPECIAL = {"routed", "accepting"}
DEPARTMENT_CODE = re.compile(r"^[A-Z][A-Z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Problem:
    element_id: str
    rule: str
    message: str


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _properties(task) -> dict[str, str]:
    found = {}
    for prop in task.iterfind("bpmn:extensionElements/spiff:properties/spiff:property", NS):
        found[prop.get("name", "")] = (prop.get("value") or "").strip()
    return found


def _label(node) -> str:
    name = node.get("name") or ""
    return f"「{name}」({node.get('id')})" if name else node.get("id", "?")


def check_process(process) -> list[Problem]:
    """The problems of one <bpmn:process> element."""
    problems: list[Problem] = []
    nodes = {
        n.get("id"): n
        for n in process
        if isinstance(n.tag, str) and _local(n.tag) in NODE_TAGS and n.get("id")  # no comments
    }
    flows = [f for f in process.iterfind("bpmn:sequenceFlow", NS)]
    outgoing: dict[str, list] = defaultdict(list)
    for flow in flows:
        outgoing[flow.get("sourceRef", "")].append(flow)

    starts = [i for i, n in nodes.items() if _local(n.tag) == "startEvent"]
    ends = [i for i, n in nodes.items() if _local(n.tag) == "endEvent"]
    pid = process.get("id", "?")
    if not starts:
        problems.append(Problem(pid, "no-start", _("流程缺少开始事件")))
    if not ends:
        problems.append(Problem(pid, "no-end", _("流程缺少结束事件")))

    # Reachability from the start events (boundary events hang on their task).
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(f.get("targetRef", "") for f in outgoing.get(current, []))
        todo.extend(
            i for i, n in nodes.items() if n.get("attachedToRef") == current and i not in seen
        )
    for node_id, node in nodes.items():
        if starts and node_id not in seen:
            problems.append(
                Problem(
                    node_id,
                    "unreachable",
                    _("%(node)s 从开始事件无法到达") % {"node": _label(node)},
                )
            )

    for node_id, node in nodes.items():
        kind = _local(node.tag)
        if kind == "userTask":
            props = _properties(node)
            owner = props.get(ASSIGNEE_PROPERTY, "")
            if not owner:
                problems.append(
                    Problem(
                        node_id,
                        "task-owner",
                        _("%(node)s 未指定处理人(assignee)") % {"node": _label(node)},
                    )
                )
            elif owner not in ASSIGNEE_SPECIAL and not DEPARTMENT_CODE.match(owner):
                problems.append(
                    Problem(
                        node_id,
                        "task-owner",
                        _("%(node)s 的处理人应为 routed、accepting 或部门编码")
                        % {"node": _label(node)},
                    )
                )
            if TIME_LIMIT_PROPERTY not in props:
                problems.append(
                    Problem(
                        node_id,
                        "time-limit",
                        _("%(node)s 未设置时限(timeLimitMinutes)") % {"node": _label(node)},
                    )
                )
            elif props[TIME_LIMIT_PROPERTY] and not (
                props[TIME_LIMIT_PROPERTY].isdigit() and int(props[TIME_LIMIT_PROPERTY]) > 0
            ):
                problems.append(
                    Problem(
                        node_id,
                        "time-limit",
                        _("%(node)s 的时限应为正整数分钟") % {"node": _label(node)},
                    )
                )
        if kind in {"exclusiveGateway", "inclusiveGateway"}:
            out = outgoing.get(node_id, [])
            conditional = [f for f in out if f.find("bpmn:conditionExpression", NS) is not None]
            if len(out) > 1 and conditional and not node.get("default"):
                problems.append(
                    Problem(
                        node_id,
                        "gateway-default",
                        _("%(node)s 有条件分支但没有默认流向") % {"node": _label(node)},
                    )
                )
        if kind != "endEvent" and not outgoing.get(node_id) and kind != "boundaryEvent":
            problems.append(
                Problem(node_id, "dead-end", _("%(node)s 没有后续流向") % {"node": _label(node)})
            )
    return problems


def check(root) -> list[Problem]:
    """Problems of every executable process in a parsed <bpmn:definitions>."""
    problems: list[Problem] = []
    for process in root.iterfind("bpmn:process", NS):
        if process.get("isExecutable", "false").lower() == "true":
            problems.extend(check_process(process))
    return problems
