"""Decision tables (DMN 1.3 decision tables, R11): parse, check, compile, evaluate, and
write the XML for tables built in code (the import of the old routing rules, the seed).

Cells are S-FEEL unary tests, the part of FEEL the DMN standard defines for decision
tables; we evaluate them ourselves, never as code:

    -                       anything (an empty cell too)
    "vip"                   equal ("a", "b": any of them)
    not("vip")              none of them
    < 5   >= 8              compared with a number
    [8..18]  ]0..6[         in an interval ([ ] include, ( ) ] [ exclude)
    starts with(?, "01")    text begins with
    contains(?, "断网")     text contains
    true  false             a flag

Inputs are ticket fields by name (``FIELDS``). A field may carry several values: the
category is its code and the codes of its ancestors, so ``"01"`` matches the whole
subtree; the region likewise. Outputs are literals (``"WG"``, ``240``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
HIT_POLICIES = ("FIRST", "UNIQUE", "COLLECT")
MAX_RULES = 5000


@dataclass(frozen=True)
class FieldSpec:
    label: Any
    kind: str  # "string" | "number" | "boolean"
    help: Any = ""


# The ticket and customer fields a table may read (the designer offers them as a picker).
FIELDS: dict[str, FieldSpec] = {
    "order_type": FieldSpec(gettext_lazy("工单类型"), "string", gettext_lazy("编码,如 complaint")),
    "category": FieldSpec(
        gettext_lazy("分类(含下级)"), "string", gettext_lazy("分类编码,上级编码匹配其下所有分类")
    ),
    "city": FieldSpec(gettext_lazy("地市"), "string", gettext_lazy("地市单位编码,如 NJ")),
    "region": FieldSpec(
        gettext_lazy("区域(含下级)"), "string", gettext_lazy("单位编码,上级匹配其下所有区县")
    ),
    "customer_level": FieldSpec(
        gettext_lazy("客户级别"), "string", gettext_lazy("normal / silver / gold / vip")
    ),
    "is_enterprise": FieldSpec(gettext_lazy("集团客户"), "boolean"),
    "channel": FieldSpec(gettext_lazy("受理渠道"), "string", gettext_lazy("如 phone、app、sms")),
    "product": FieldSpec(gettext_lazy("产品"), "string", gettext_lazy("产品编码")),
    "sp": FieldSpec(gettext_lazy("SP"), "string", gettext_lazy("SP 编码")),
    "urgency": FieldSpec(
        gettext_lazy("紧急程度"), "string", gettext_lazy("normal / urgent / critical")
    ),
    "text": FieldSpec(
        gettext_lazy("标题与描述"), "string", gettext_lazy('用 contains(?, "关键词") 匹配')
    ),
    "hour": FieldSpec(gettext_lazy("受理时刻(时)"), "number", gettext_lazy("0–23,如 [8..17]")),
    "weekday": FieldSpec(gettext_lazy("星期"), "number", gettext_lazy("1=周一 … 7=周日")),
}


class TableError(Exception):
    """A table that cannot be used: ``problems`` maps element ids to messages."""

    def __init__(self, message: str, problems: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or {}


class NotUnique(Exception):
    def __init__(self, rule_ids: list[str]):
        super().__init__(", ".join(rule_ids))
        self.rule_ids = rule_ids


# ------------------------------------------------------------------ unary tests

Test = Callable[[tuple], bool]

_STRING = r'"(?:[^"\\]|\\.)*"'
_NUMBER = r"-?\d+(?:\.\d+)?"
_RE_STRING = re.compile(rf"^{_STRING}$")
_RE_NUMBER = re.compile(rf"^{_NUMBER}$")
_RE_COMPARE = re.compile(rf"^(<=|>=|<|>)\s*({_NUMBER})$")
_RE_INTERVAL = re.compile(rf"^([\[(\]])\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*([\])\[])$")
_RE_FUNCTION = re.compile(rf"^(starts with|contains)\s*\(\s*\?\s*,\s*({_STRING})\s*\)$")
_RE_NOT = re.compile(r"^not\s*\((.*)\)$", re.S)


def _unquote(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def _split(text: str) -> list[str]:
    """Split at commas outside quotes and parentheses."""
    parts, depth, quoted, current = [], 0, False, []
    i = 0
    while i < len(text):
        ch = text[i]
        if quoted:
            current.append(ch)
            if ch == "\\" and i + 1 < len(text):
                current.append(text[i + 1])
                i += 1
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
            current.append(ch)
        elif ch in "([":
            depth += 1
            current.append(ch)
        elif ch in ")]" and depth:
            depth -= 1
            current.append(ch)
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    if quoted:
        raise ValueError(_("引号未闭合"))
    parts.append("".join(current).strip())
    return parts


def _number(values: tuple) -> float | None:
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            return float(value)
    return None


def _one(item: str, kind: str) -> Test:
    if _RE_STRING.match(item):
        wanted = _unquote(item)

        def equals(values: tuple) -> bool:
            return wanted in values

        equals.equals = frozenset([wanted])  # type: ignore[attr-defined]
        return equals
    if item in ("true", "false"):
        flag = item == "true"
        return lambda values: any(v is flag for v in values)
    if _RE_NUMBER.match(item):
        target = float(item)
        return lambda values: _number(values) == target
    if m := _RE_COMPARE.match(item):
        op, bound = m.group(1), float(m.group(2))
        compare = {
            "<": lambda x: x < bound,
            "<=": lambda x: x <= bound,
            ">": lambda x: x > bound,
            ">=": lambda x: x >= bound,
        }[op]
        return lambda values: (n := _number(values)) is not None and compare(n)
    if m := _RE_INTERVAL.match(item):
        low, high = float(m.group(2)), float(m.group(3))
        low_in, high_in = m.group(1) == "[", m.group(4) == "]"
        if low > high:
            raise ValueError(_("区间下限大于上限"))

        def inside(values: tuple) -> bool:
            n = _number(values)
            if n is None:
                return False
            return (n > low or (low_in and n == low)) and (n < high or (high_in and n == high))

        return inside
    if m := _RE_FUNCTION.match(item):
        name, needle = m.group(1), _unquote(m.group(2))
        if name == "starts with":
            return lambda values: any(isinstance(v, str) and v.startswith(needle) for v in values)
        return lambda values: any(isinstance(v, str) and needle in v for v in values)
    raise ValueError(_("无法识别的条件:%(text)s") % {"text": item[:60]})


def compile_test(text: str | None, kind: str = "string") -> Test | None:
    """A cell's unary tests as a predicate over the field's values; None matches all."""
    text = (text or "").strip()
    if text in ("", "-"):
        return None
    negate = False
    if m := _RE_NOT.match(text):
        negate, text = True, m.group(1).strip()
    tests = [_one(item, kind) for item in _split(text) if item]
    if not tests:
        raise ValueError(_("条件为空"))
    if negate:
        return lambda values: not any(t(values) for t in tests)
    if len(tests) == 1:
        return tests[0]

    def any_of(values: tuple) -> bool:
        return any(t(values) for t in tests)

    if all(hasattr(t, "equals") for t in tests):
        # A list of plain values: the table can index the rule by them.
        any_of.equals = frozenset().union(*(t.equals for t in tests))  # type: ignore[attr-defined]
    return any_of


def parse_literal(text: str | None) -> Any:
    """An output cell: a string or number literal; empty means no value."""
    text = (text or "").strip()
    if text in ("", "-"):
        return None
    if _RE_STRING.match(text):
        return _unquote(text)
    if _RE_NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() else number
    if text in ("true", "false"):
        return text == "true"
    raise ValueError(_("输出应为带引号的文字或数字:%(text)s") % {"text": text[:60]})


def literal(value: Any) -> str:
    """The FEEL literal of a value (for writing tables)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# ------------------------------------------------------------------ compiled tables


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    name: str  # the input field, or the output name


@dataclass(frozen=True)
class Rule:
    id: str
    index: int  # 1-based row number
    description: str
    tests: tuple[tuple[int, Test], ...]  # (input column, predicate); "-" cells left out
    outputs: Mapping[str, Any]

    @property
    def title(self) -> str:
        return self.description or self.id


@dataclass(frozen=True)
class Table:
    key: str
    name: str
    hit_policy: str
    inputs: tuple[Column, ...]
    outputs: tuple[Column, ...]
    rules: tuple[Rule, ...]
    version: int = 0
    # An index over the input column most rules compare with plain values: rules by
    # value, and the rules that must always be tried (no or other tests there).
    index_column: int | None = field(default=None, compare=False)
    by_value: Mapping[Any, tuple[int, ...]] = field(default_factory=dict, compare=False)
    always: tuple[int, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        best, best_count = None, 0
        for column in range(len(self.inputs)):
            count = sum(
                1
                for rule in self.rules
                for i, test in rule.tests
                if i == column and hasattr(test, "equals")
            )
            if count > best_count:
                best, best_count = column, count
        if best is None or best_count < 8:
            return  # a small table is scanned whole
        by_value: dict[Any, list[int]] = {}
        always: list[int] = []
        for position, rule in enumerate(self.rules):
            test = next((t for i, t in rule.tests if i == best), None)
            if test is not None and hasattr(test, "equals"):
                for value in test.equals:
                    by_value.setdefault(value, []).append(position)
            else:
                always.append(position)
        object.__setattr__(self, "index_column", best)
        object.__setattr__(self, "by_value", {k: tuple(v) for k, v in by_value.items()})
        object.__setattr__(self, "always", tuple(always))

    def _candidates(self, values: list[tuple]) -> Iterable[Rule]:
        if self.index_column is None:
            return self.rules
        lists = [self.always] + [self.by_value.get(v, ()) for v in values[self.index_column]]
        positions = sorted(set().union(*lists)) if len(lists) > 1 else self.always
        return (self.rules[p] for p in positions)

    def matches(self, context: Mapping[str, tuple]) -> list[Rule]:
        values = [context.get(column.name, ()) for column in self.inputs]
        found = []
        for rule in self._candidates(values):
            if all(test(values[i]) for i, test in rule.tests):
                found.append(rule)
                if self.hit_policy == "FIRST":
                    break
        return found

    def evaluate(self, context: Mapping[str, tuple]) -> Result:
        found = self.matches(context)
        if self.hit_policy == "UNIQUE" and len(found) > 1:
            raise NotUnique([r.id for r in found])
        return Result(self, tuple(found))


@dataclass(frozen=True)
class Result:
    table: Table
    rules: tuple[Rule, ...]

    @property
    def rule(self) -> Rule | None:
        return self.rules[0] if self.rules else None

    def first(self, output: str) -> tuple[Any, Rule | None]:
        """The value of ``output`` from the first matching rule that sets it (for
        COLLECT: each output from the first rule that has one)."""
        for rule in self.rules:
            value = rule.outputs.get(output)
            if value is not None:
                return value, rule
        return None, None

    @property
    def outputs(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for column in self.table.outputs:
            value, _rule = self.first(column.name)
            if value is not None:
                merged[column.name] = value
        return merged


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element, name: str) -> list:
    return [c for c in element if _local(c) == name]


def _child(element, name: str):
    found = _children(element, name)
    return found[0] if found else None


def _text(element) -> str:
    if element is None:
        return ""
    text = _child(element, "text")
    return (text.text or "") if text is not None else (element.text or "")


OutputCheck = Callable[[str, Any], str | None]


def parse(
    xml: str,
    *,
    key: str,
    outputs: Mapping[str, OutputCheck | None] | None = None,
) -> Table:
    """Parse and check a DMN document; the decision with id ``key`` (else the first
    decision table). ``outputs`` names the allowed outputs, each with a check of its
    values (returns a message when wrong). Raises TableError with every problem."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring((xml or "").encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise TableError(_("不是有效的 XML:%(e)s") % {"e": str(exc)[:200]}) from exc
    if _local(root) != "definitions":
        raise TableError(_("不是 DMN 文档(根元素应为 definitions)"))
    decisions = [d for d in _children(root, "decision") if _child(d, "decisionTable") is not None]
    if not decisions:
        raise TableError(_("文档中没有决策表"))
    decision = next((d for d in decisions if d.get("id") == key), decisions[0])
    table_el = _child(decision, "decisionTable")
    problems: dict[str, list[str]] = {}

    def problem(element_id: str, message: str) -> None:
        problems.setdefault(element_id or "_", []).append(message)

    hit_policy = table_el.get("hitPolicy", "UNIQUE")
    if hit_policy not in HIT_POLICIES:
        problem(
            table_el.get("id", ""),
            _("命中策略仅支持 FIRST、UNIQUE、COLLECT(当前 %(p)s)") % {"p": hit_policy},
        )
    if table_el.get("aggregation"):
        problem(table_el.get("id", ""), _("COLLECT 不支持聚合函数"))

    inputs: list[Column] = []
    kinds: list[str] = []
    for element in _children(table_el, "input"):
        expression = _text(_child(element, "inputExpression")).strip()
        if expression not in FIELDS:
            problem(
                element.get("id", ""),
                _("输入「%(e)s」不是可用的工单字段") % {"e": expression or "?"},
            )
        inputs.append(Column(element.get("id", ""), element.get("label", "") or "", expression))
        kinds.append(FIELDS[expression].kind if expression in FIELDS else "string")
    output_columns: list[Column] = []
    for element in _children(table_el, "output"):
        name = element.get("name", "") or ""
        if outputs is not None and name not in outputs:
            problem(
                element.get("id", ""),
                _("输出「%(n)s」不可用,可用:%(all)s")
                % {"n": name or "?", "all": ", ".join(outputs)},
            )
        output_columns.append(Column(element.get("id", ""), element.get("label", "") or "", name))
    if not output_columns:
        problem(table_el.get("id", ""), _("决策表至少需要一个输出列"))

    rule_elements = _children(table_el, "rule")
    if len(rule_elements) > MAX_RULES:
        problem(table_el.get("id", ""), _("规则过多(上限 %(n)s 行)") % {"n": MAX_RULES})
    rules: list[Rule] = []
    for index, element in enumerate(rule_elements, start=1):
        rule_id = element.get("id", "") or f"row_{index}"
        entries = _children(element, "inputEntry")
        out_entries = _children(element, "outputEntry")
        if len(entries) != len(inputs) or len(out_entries) != len(output_columns):
            problem(rule_id, _("第 %(i)s 行的列数与表头不一致") % {"i": index})
            continue
        tests = []
        for column_index, entry in enumerate(entries):
            try:
                test = compile_test(_text(entry), kinds[column_index])
            except ValueError as exc:
                problem(entry.get("id", "") or rule_id, f"{index}: {exc}")
                continue
            if test is not None:
                tests.append((column_index, test))
        values: dict[str, Any] = {}
        for column, entry in zip(output_columns, out_entries, strict=True):
            try:
                value = parse_literal(_text(entry))
            except ValueError as exc:
                problem(entry.get("id", "") or rule_id, f"{index}: {exc}")
                continue
            check = (outputs or {}).get(column.name)
            if value is not None and check is not None and (message := check(column.name, value)):
                problem(entry.get("id", "") or rule_id, f"{index}: {message}")
            values[column.name] = value
        description = _child(element, "description")
        rules.append(
            Rule(
                id=rule_id,
                index=index,
                description=((description.text or "").strip() if description is not None else ""),
                tests=tuple(tests),
                outputs=values,
            )
        )
    if problems:
        first = next(iter(problems.values()))[0]
        count = sum(len(v) for v in problems.values())
        message = (
            _("决策表校验未通过:%(first)s") % {"first": first}
            if count == 1
            else _("决策表校验未通过:%(first)s 等 %(n)s 处") % {"first": first, "n": count}
        )
        raise TableError(message, problems)
    return Table(
        key=key,
        name=decision.get("name", "") or key,
        hit_policy=hit_policy,
        inputs=tuple(inputs),
        outputs=tuple(output_columns),
        rules=tuple(rules),
    )


# ------------------------------------------------------------------ writing


@dataclass
class Sheet:
    """A table to write as DMN: columns and rows of FEEL cell texts."""

    key: str
    name: str
    hit_policy: str
    inputs: list[tuple[str, str]]  # (field, label)
    outputs: list[tuple[str, str, str]]  # (name, label, typeRef)
    rows: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)
    # (rule id, description, input cells, output cells)


def render(sheet: Sheet) -> str:
    """DMN 1.3 XML that dmn-js opens and ``parse`` reads back unchanged."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<definitions xmlns="{DMN_NS}" id="{sheet.key}_definitions" '
        f'name={quoteattr(sheet.name)} namespace="https://complaintloop.example/dmn">',
        f"  <decision id={quoteattr(sheet.key)} name={quoteattr(sheet.name)}>",
        f'    <decisionTable id="{sheet.key}_table" hitPolicy="{sheet.hit_policy}">',
    ]
    for i, (name, label) in enumerate(sheet.inputs, start=1):
        kind = FIELDS[name].kind if name in FIELDS else "string"
        out += [
            f'      <input id="input_{i}" label={quoteattr(label)}>',
            f'        <inputExpression id="input_{i}_expr" typeRef="{kind}">'
            f"<text>{escape(name)}</text></inputExpression>",
            "      </input>",
        ]
    for i, (name, label, type_ref) in enumerate(sheet.outputs, start=1):
        out.append(
            f'      <output id="output_{i}" label={quoteattr(label)} name={quoteattr(name)} '
            f'typeRef="{type_ref}" />'
        )
    for rule_id, description, cells, results in sheet.rows:
        out.append(f"      <rule id={quoteattr(rule_id)}>")
        if description:
            out.append(f"        <description>{escape(description)}</description>")
        for i, cell in enumerate(cells, start=1):
            out.append(
                f'        <inputEntry id="{rule_id}_in_{i}"><text>{escape(cell or "-")}</text>'
                "</inputEntry>"
            )
        for i, cell in enumerate(results, start=1):
            out.append(
                f'        <outputEntry id="{rule_id}_out_{i}"><text>{escape(cell)}</text>'
                "</outputEntry>"
            )
        out.append("      </rule>")
    out += ["    </decisionTable>", "  </decision>", "</definitions>", ""]
    return "\n".join(out)


def codes_with_ancestors(path: str) -> tuple[str, ...]:
    """``/01/0101/`` → ("0101", "01"): a code and its ancestors', nearest first."""
    return tuple(reversed([part for part in (path or "").split("/") if part]))


def as_values(value: Any) -> tuple:
    if value is None or value == "":
        return ()
    if isinstance(value, tuple | list | set | frozenset):
        return tuple(value)
    return (value,)


def context(fields: Mapping[str, Any]) -> dict[str, tuple]:
    return {name: as_values(value) for name, value in fields.items()}


def field_names() -> Iterable[str]:
    return FIELDS.keys()
