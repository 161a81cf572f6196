"""Our rules for a process before it may be saved (流程校验), on top of what the BPMN
parser checks. Each problem names the element at fault, so the page can mark it on the
diagram and the API can list it under ``fields``.

Rules:
- every flow node is reachable from a start event;
- every user task names its owner (``assignee``: routed, accepting or a department
  code) and declares ``timeLimitMinutes`` (a number of working minutes, or empty for
  "the ticket's own limit", which is a decision, not an omission);
- an exclusive or inclusive gateway that branches on conditions has a default flow;
- a process has at least one start and one end event;
- a condition is a comparison of process data with literals (``customer_level ==
  "vip" and channel in ("phone", "app")``), nothing else: no calls, attributes or
  names outside ``PROCESS_DATA``, so a published condition can never run code; and no
  script tasks or task scripts."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from lxml import etree

from .engine import ASSIGNEE_PROPERTY, OPERATIONS_PROPERTY, STEP_OPERATIONS, TIME_LIMIT_PROPERTY

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


# What a gateway condition may read: set when the process starts (the ticket's fields)
# and by the steps (the callback's verdict).
PROCESS_DATA = {
    "satisfied": "回访满意(布尔)",
    "customer_level": "客户级别 normal/silver/gold/vip",
    "is_enterprise": "集团客户(布尔)",
    "city": "地市编码",
    "region": "区域编码",
    "channel": "受理渠道",
    "order_type": "工单类型编码",
    "category": "分类编码",
    "category_path": "分类路径,如 /01/0101/",
    "urgency": "紧急程度 normal/urgent/critical",
    "product": "产品编码",
    "sp": "SP 编码",
}
_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Tuple,
    ast.List,
)


def condition_problem(text: str) -> str | None:
    """Why a condition is not allowed, or None when it is a plain comparison."""
    try:
        tree = ast.parse((text or "").strip(), mode="eval")
    except SyntaxError:
        return _("条件不是合法的表达式")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            return _("条件只能比较流程数据与常量(不允许 %(what)s)") % {"what": type(node).__name__}
        if (
            isinstance(node, ast.Name)
            and node.id not in PROCESS_DATA
            and node.id
            not in (
                "True",
                "False",
                "None",
            )
        ):
            return _("条件中的「%(name)s」不是流程数据,可用:%(all)s") % {
                "name": node.id,
                "all": "、".join(PROCESS_DATA),
            }
        if isinstance(node, ast.Constant) and not isinstance(
            node.value, str | int | float | bool | type(None)
        ):
            return _("条件中的常量只能是文字、数字或 True/False")
    return None


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

    for flow in flows:
        expression = flow.find("bpmn:conditionExpression", NS)
        if expression is not None:
            reason = condition_problem(expression.text or "")
            if reason:
                problems.append(Problem(flow.get("id", "?"), "condition", reason))
    for element in process.iter():
        kind = _local(element.tag) if isinstance(element.tag, str) else ""
        if kind not in ("scriptTask", "preScript", "postScript"):
            continue
        owner = element
        while owner is not None and not owner.get("id"):
            owner = owner.getparent()
        problems.append(
            Problem(
                owner.get("id", pid) if owner is not None else pid,
                "script",
                _("不允许脚本:条件用网关,处理用用户任务"),
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
            unknown = sorted(
                {o.strip() for o in props.get(OPERATIONS_PROPERTY, "").split(",") if o.strip()}
                - set(STEP_OPERATIONS)
            )
            if unknown:
                problems.append(
                    Problem(
                        node_id,
                        "operations",
                        _("%(node)s 的可用操作只能是 %(all)s(不认识 %(bad)s)")
                        % {
                            "node": _label(node),
                            "all": ", ".join(STEP_OPERATIONS),
                            "bad": ", ".join(unknown),
                        },
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
