"""What changed between two versions of a process, element by element (R2: a visual diff
before publishing): added, removed and changed flow nodes and sequence flows, with what
changed on each (name, owner, time limit, condition, source or target)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from . import lint

NS = lint.NS


@dataclass(frozen=True)
class Change:
    element_id: str
    kind: str  # "added" | "removed" | "changed"
    label: str
    details: tuple[str, ...] = ()


def _elements(xml: str) -> dict[str, dict[str, str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(xml.encode("utf-8"), parser=parser)
    found: dict[str, dict[str, str]] = {}
    for process in root.iterfind("bpmn:process", NS):
        for element in process:
            if not isinstance(element.tag, str) or not element.get("id"):
                continue
            kind = etree.QName(element.tag).localname
            if kind not in lint.NODE_TAGS and kind != "sequenceFlow":
                continue
            facts = {"type": kind, "name": element.get("name") or ""}
            if kind == "userTask":
                props = lint._properties(element)
                facts["assignee"] = props.get("assignee", "")
                facts["timeLimitMinutes"] = props.get("timeLimitMinutes", "")
            if kind == "sequenceFlow":
                condition = element.find("bpmn:conditionExpression", NS)
                facts["source"] = element.get("sourceRef", "")
                facts["target"] = element.get("targetRef", "")
                facts["condition"] = (condition.text or "").strip() if condition is not None else ""
            if element.get("default"):
                facts["default"] = element.get("default")
            found[element.get("id")] = facts
    return found


def compare(old_xml: str, new_xml: str) -> list[Change]:
    old, new = _elements(old_xml), _elements(new_xml)
    changes: list[Change] = []
    for element_id, facts in new.items():
        label = facts["name"] or element_id
        if element_id not in old:
            changes.append(Change(element_id, "added", label))
            continue
        before = old[element_id]
        details = tuple(
            f"{key}: {before.get(key, '') or '—'} → {facts.get(key, '') or '—'}"
            for key in sorted(set(before) | set(facts))
            if before.get(key, "") != facts.get(key, "")
        )
        if details:
            changes.append(Change(element_id, "changed", label, details))
    for element_id, facts in old.items():
        if element_id not in new:
            changes.append(Change(element_id, "removed", facts["name"] or element_id))
    order = {"changed": 0, "added": 1, "removed": 2}
    return sorted(changes, key=lambda c: (order[c.kind], c.element_id))
