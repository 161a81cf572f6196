"""Simulate a process version on recent tickets before publishing it (R2): which
tickets it would receive (routing as configured now), how many take each path, and
how many would have broken each step's time limit given how long such steps really
took. Read-only; conditions are evaluated by a small interpreter over the comparison
language the lint allows (processes.lint), never executed."""

from __future__ import annotations

import ast
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from lxml import etree

from complaintloop.core import calendar, clock
from complaintloop.core.errors import Invalid
from complaintloop.org import selectors as org_selectors
from complaintloop.processes import lint
from complaintloop.processes import services as process_services
from complaintloop.routing import services as routing
from complaintloop.taxonomy.models import Category, OrderType

from .models import Ticket

NS = lint.NS
MAX_VISITS = 12  # a loop (second handling) is followed at most this deep


@dataclass
class Graph:
    nodes: dict[str, dict[str, Any]]
    outgoing: dict[str, list[dict[str, Any]]]
    start: str


@dataclass
class Result:
    key: str
    days: int
    tickets: int
    seconds: float
    nodes: Counter = field(default_factory=Counter)
    flows: Counter = field(default_factory=Counter)
    breaches: Counter = field(default_factory=Counter)
    limits: dict[str, int | None] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    stuck: int = 0

    def as_dict(self) -> dict[str, Any]:
        steps = [
            {
                "id": node_id,
                "name": self.names.get(node_id, node_id),
                "tickets": self.nodes[node_id],
                "limit_minutes": self.limits[node_id],
                "expected_breaches": self.breaches[node_id],
            }
            for node_id in self.limits
        ]
        return {
            "key": self.key,
            "days": self.days,
            "tickets": self.tickets,
            "seconds": round(self.seconds, 3),
            "steps": steps,
            "nodes": dict(self.nodes),
            "flows": dict(self.flows),
            "expected_breaches": sum(self.breaches.values()),
            "stuck": self.stuck,
        }


def _graph(bpmn_xml: str) -> Graph:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(bpmn_xml.encode("utf-8"), parser=parser)
    process = next(
        (
            p
            for p in root.iterfind("bpmn:process", NS)
            if p.get("isExecutable", "false").lower() == "true"
        ),
        None,
    )
    if process is None:
        raise Invalid("process.invalid_bpmn", "no executable process", {})
    nodes: dict[str, dict[str, Any]] = {}
    start = ""
    for element in process:
        if not isinstance(element.tag, str):
            continue
        kind = etree.QName(element.tag).localname
        if kind in lint.NODE_TAGS and element.get("id"):
            props = lint._properties(element) if kind == "userTask" else {}
            limit = props.get("timeLimitMinutes", "")
            nodes[element.get("id")] = {
                "kind": kind,
                "name": element.get("name") or element.get("id"),
                "assignee": props.get("assignee", ""),
                "limit": int(limit) if limit.isdigit() else None,
                "default": element.get("default"),
            }
            if kind == "startEvent" and not start:
                start = element.get("id")
    outgoing: dict[str, list[dict[str, Any]]] = {}
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        condition = flow.find("bpmn:conditionExpression", NS)
        outgoing.setdefault(flow.get("sourceRef", ""), []).append(
            {
                "id": flow.get("id"),
                "target": flow.get("targetRef"),
                "condition": ast.parse(condition.text.strip(), mode="eval").body
                if condition is not None and (condition.text or "").strip()
                else None,
            }
        )
    return Graph(nodes, outgoing, start)


_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def evaluate(node: ast.AST, data: dict[str, Any]) -> Any:
    """The value of a lint-approved condition over ``data`` (no eval)."""
    if isinstance(node, ast.BoolOp):
        values = (evaluate(v, data) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not evaluate(node.operand, data)
    if isinstance(node, ast.Compare):
        left = evaluate(node.left, data)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = evaluate(right_node, data)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return False
            left = right
        return True
    if isinstance(node, ast.Name):
        return {"True": True, "False": False, "None": None}.get(node.id, data.get(node.id))
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(evaluate(e, data) for e in node.elts)
    raise Invalid("process.bad_condition", "condition not allowed", {})


def _walk(graph: Graph, data: dict[str, Any], result: Result, actual: dict[str, Any]) -> None:
    current, visits = graph.start, 0
    dissatisfied_left = 1 if data.get("satisfied") is False else 0
    while current and visits < MAX_VISITS * 4:
        visits += 1
        node = graph.nodes.get(current)
        if node is None:
            result.stuck += 1
            return
        result.nodes[current] += 1
        if node["kind"] == "endEvent":
            return
        if node["kind"] == "userTask":
            took = actual["callback"] if node["assignee"] == "accepting" else actual["handling"]
            limit = node["limit"] if node["limit"] else actual["ticket_limit"]
            if took is not None and limit and took > limit:
                result.breaches[current] += 1
            if node["assignee"] == "accepting":
                # The second pass through the callback finds the customer satisfied.
                data["satisfied"] = not dissatisfied_left
                dissatisfied_left = 0
        flows = graph.outgoing.get(current, [])
        if not flows:
            result.stuck += 1
            return
        chosen = None
        if len(flows) > 1 or flows[0]["condition"] is not None:
            for flow in flows:
                if flow["condition"] is not None and evaluate(flow["condition"], data):
                    chosen = flow
                    break
            if chosen is None:
                chosen = next((f for f in flows if f["id"] == node["default"]), None)
            if chosen is None:
                chosen = next((f for f in flows if f["condition"] is None), None)
        else:
            chosen = flows[0]
        if chosen is None:
            result.stuck += 1
            return
        result.flows[chosen["id"]] += 1
        current = chosen["target"]
    result.stuck += 1


def simulate(key: str, bpmn_xml: str, *, days: int = 30) -> dict[str, Any]:
    """Run ``bpmn_xml`` (checked like a draft) on the tickets of the last ``days`` that
    routing, as configured now, sends to process ``key``."""
    process_services.validate(key, bpmn_xml)
    started = time.perf_counter()
    graph = _graph(bpmn_xml)
    since = clock.now() - timedelta(days=days)
    types = {t.pk: t for t in OrderType.objects.all()}
    categories = {c.pk: c for c in Category.objects.all()}
    rows = (
        Ticket.objects.filter(created_at__gte=since, merged_into__isnull=True)
        .values(
            "order_type_id",
            "category_id",
            "category_path",
            "region_id",
            "customer_level",
            "channel",
            "urgency",
            "created_at",
            "resolved_at",
            "closed_at",
            "satisfaction",
            "second_handling",
            "time_basis",
            "time_limit_minutes",
            "is_fcr",
        )
        .iterator(chunk_size=5000)
    )
    result = Result(key=key, days=days, tickets=0, seconds=0.0)
    for node_id, node in graph.nodes.items():
        if node["kind"] == "userTask":
            result.limits[node_id] = node["limit"]
            result.names[node_id] = node["name"]
    # A ticket's handling time is shared evenly by the process's handling steps (the
    # history records one handling period per ticket, not one per step).
    handling_steps = max(
        1,
        sum(
            1
            for n in graph.nodes.values()
            if n["kind"] == "userTask" and n["assignee"] != "accepting"
        ),
    )
    route_cache: dict[tuple, str] = {}
    for row in rows:
        if row["is_fcr"]:
            continue  # resolved at first contact: never entered a process
        region = org_selectors.unit(row["region_id"])
        if region is None:
            continue
        route = (row["order_type_id"], row["category_id"], row["region_id"], row["customer_level"])
        process_key = route_cache.get(route)
        if process_key is None:
            decision = routing.decide(
                order_type=types[row["order_type_id"]],
                category=categories.get(row["category_id"]),
                region=region,
                customer_level=row["customer_level"],
            )
            process_key = route_cache[route] = decision.process_key or "general_complaint"
        if process_key != key:
            continue
        result.tickets += 1
        city = org_selectors.region_of(region) or region
        category = categories.get(row["category_id"])
        data = {
            "customer_level": row["customer_level"],
            "city": city.code,
            "region": region.code,
            "channel": row["channel"],
            "order_type": types[row["order_type_id"]].code,
            "category": category.code if category else "",
            "category_path": row["category_path"],
            "urgency": row["urgency"],
            "is_enterprise": False,
            "product": "",
            "sp": "",
            "satisfied": False
            if (row["second_handling"] or row["satisfaction"] == "dissatisfied")
            else None,
        }
        basis = row["time_basis"]
        handling = (
            calendar.elapsed_minutes(row["created_at"], row["resolved_at"], basis) // handling_steps
            if row["resolved_at"]
            else None
        )
        callback = (
            calendar.elapsed_minutes(row["resolved_at"], row["closed_at"], basis)
            if row["resolved_at"] and row["closed_at"]
            else None
        )
        _walk(
            graph,
            data,
            result,
            {"handling": handling, "callback": callback, "ticket_limit": row["time_limit_minutes"]},
        )
    result.seconds = time.perf_counter() - started
    return result.as_dict()
