"""Routing decisions (R11, R12) and the decision tables behind them.

``decide`` reads the published ``routing`` table (unit, urgency, time limit, process)
and then the ``time_limits`` table (category × urgency), and says why. Tables change
only through ``save_draft`` / ``publish_version``: every way in is checked by the same
parser (routing.dmn) and the output checks (routing.tables); nothing invalid is stored
and a published version never changes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintloop.core import audit, clock
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.org import selectors as org_selectors
from complaintloop.org.models import Staff, Unit
from complaintloop.taxonomy.models import Category, OrderType
from complaintloop.taxonomy.selectors import inherited

from . import dmn, selectors, tables
from . import reasons as codes
from .models import DecisionTable, TableStatus, Urgency

KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MAX_XML_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Decision:
    unit: Unit
    urgency: str
    time_limit_minutes: int
    time_basis: str
    process_key: str
    reasons: tuple[dict, ...]  # language-neutral: {"code": ..., params} (routing.reasons)
    rule_id: str | None  # the routing table's rule that chose the unit
    tables: tuple[dict, ...] = field(default=())  # [{key, version, rules: [ids]}]

    @property
    def reason(self) -> str:
        """The reasons said in the active language."""
        return codes.join(self.reasons)


def clear_cache() -> None:
    selectors.clear_cache()


# ------------------------------------------------------------------ decisions


def ticket_context(
    *,
    order_type: OrderType | None,
    category: Category | None,
    region: Unit | None,
    customer_level: str = "",
    channel: str = "",
    product: str = "",
    sp: str = "",
    text: str = "",
    is_enterprise: bool = False,
    urgency: str = "",
    at: datetime | None = None,
) -> dict[str, tuple]:
    """The values a table's inputs read, from a ticket's fields."""
    local = timezone.localtime(at or clock.now())
    city = org_selectors.region_of(region) or region if region is not None else None
    return {
        "order_type": (order_type.code,) if order_type else (),
        "category": dmn.codes_with_ancestors(category.path) if category else (),
        "city": (city.code,) if city is not None else (),
        "region": dmn.codes_with_ancestors(region.path) if region is not None else (),
        "customer_level": (customer_level,) if customer_level else (),
        "is_enterprise": (bool(is_enterprise),),
        "channel": (channel,) if channel else (),
        "product": (product,) if product else (),
        "sp": (sp,) if sp else (),
        "urgency": (urgency,) if urgency else (),
        "text": (text,) if text else (),
        "hour": (local.hour,),
        "weekday": (local.isoweekday(),),
    }


def _evaluate(table: dmn.Table, context: dict[str, tuple], reasons: list[dict]) -> dmn.Result:
    try:
        return table.evaluate(context)
    except dmn.NotUnique as exc:
        # A UNIQUE table with overlapping rows must not refuse a complaint: take the
        # first and say so in the trace.
        reasons.append(
            codes.reason("table_not_unique", table=table.key, rules=", ".join(exc.rule_ids))
        )
        return dmn.Result(table, tuple(r for r in table.matches(context)))


def _department(region: Unit, code: str) -> Unit | None:
    city = org_selectors.region_of(region) or region
    return org_selectors.unit_by_code(f"{city.code}-{code}")


def decide(
    *,
    order_type: OrderType,
    category: Category | None,
    region: Unit,
    customer_level: str,
    vip_factor: float = 0.5,
    urgency: str = "",
    channel: str = "",
    product: str = "",
    sp: str = "",
    text: str = "",
    is_enterprise: bool = False,
    at: datetime | None = None,
) -> Decision:
    """The routing table's rules in order (each output from the first rule that gives
    one); without a unit there, the category's default unit, then the city itself. Then
    the time-limit table on the final urgency."""
    context = ticket_context(
        order_type=order_type,
        category=category,
        region=region,
        customer_level=customer_level,
        channel=channel,
        product=product,
        sp=sp,
        text=text,
        is_enterprise=is_enterprise,
        urgency=urgency,
        at=at,
    )
    unit: Unit | None = None
    chosen_urgency = ""
    limit: int | None = None
    process_key = ""
    reasons: list[dict] = []
    rule_id: str | None = None
    used: list[dict] = []
    table = selectors.in_use(tables.ROUTING)
    if table is not None:
        result = _evaluate(table, context, reasons)
        used.append(
            {"key": table.key, "version": table.version, "rules": [r.id for r in result.rules]}
        )
        for rule in result.rules:
            out = rule.outputs
            if unit is None and (out.get("unit") or out.get("department")):
                target = (
                    org_selectors.unit_by_code(out["unit"])
                    if out.get("unit")
                    else _department(region, out["department"])
                )
                if target is not None:
                    unit, rule_id = target, rule.id
                    reasons.append(
                        codes.reason(
                            "rule_unit", rule=rule.title, unit=target.name, unit_code=target.code
                        )
                    )
            if not chosen_urgency and out.get("urgency"):
                chosen_urgency = out["urgency"]
                reasons.append(
                    codes.reason("rule_urgency", rule=rule.title, urgency=out["urgency"])
                )
            if limit is None and out.get("time_limit_minutes"):
                limit = int(out["time_limit_minutes"])
                reasons.append(codes.reason("rule_limit", rule=rule.title, minutes=limit))
            process_key = process_key or out.get("process_key") or ""
            if unit is not None and chosen_urgency and limit is not None and process_key:
                break
    if unit is None and category is not None:
        unit = inherited(category, "default_unit")
        if unit is not None:
            reasons.append(codes.reason("category_unit", unit=unit.name, unit_code=unit.code))
    if unit is None:
        unit = region
        reasons.append(codes.reason("region_fallback", unit=region.name, unit_code=region.code))
    basis = inherited(category, "time_basis") or order_type.time_basis
    if limit is None:
        limit = inherited(category, "time_limit_minutes") or order_type.time_limit_minutes
        if customer_level == "vip":
            # VIP customers get shorter limits unless a rule said otherwise (003 客户分层服务).
            limit = max(60, int(limit * vip_factor))
            reasons.append(codes.reason("vip_limit", minutes=limit))
    final_urgency = urgency or chosen_urgency or Urgency.NORMAL
    limit = _urgency_limit(int(limit), final_urgency, context, reasons, used)
    process_key = (
        process_key or inherited(category, "default_process_key") or order_type.default_process_key
    )
    return Decision(
        unit=unit,
        urgency=final_urgency,
        time_limit_minutes=int(limit),
        time_basis=basis,
        process_key=process_key,
        reasons=tuple(reasons),
        rule_id=rule_id,
        tables=tuple(used),
    )


def _urgency_limit(
    base: int, urgency: str, context: dict[str, tuple], reasons: list[dict], used: list[dict]
) -> int:
    """Urgency shortens the limit as the time-limit table says (category × urgency)."""
    table = selectors.in_use(tables.TIME_LIMITS)
    if table is None:
        return base
    result = _evaluate(table, {**context, "urgency": (urgency,)}, reasons)
    used.append({"key": table.key, "version": table.version, "rules": [r.id for r in result.rules]})
    minutes, rule = result.first("time_limit_minutes")
    if minutes is not None and rule is not None:
        limit = min(base, int(minutes))
        reasons.append(
            codes.reason("urgency_limit", rule=rule.title, urgency=urgency, minutes=limit)
        )
        return limit
    percent, rule = result.first("limit_percent")
    if percent is not None and rule is not None:
        limit = max(30, round(base * float(percent) / 100))
        reasons.append(
            codes.reason("urgency_limit", rule=rule.title, urgency=urgency, minutes=limit)
        )
        return limit
    return base


# ------------------------------------------------------------------ table versions


def may_manage(actor: Staff | None) -> bool:
    """Decision tables belong to the process administrator (and sysadmin)."""
    return bool(actor and actor.can_manage_processes)


def _require_manager(actor: Staff | None) -> None:
    if not may_manage(actor):
        raise Forbidden("decision.forbidden", _("仅流程管理员可修改决策表"))


def validate(key: str, dmn_xml: str) -> dmn.Table:
    """The compiled table, or Invalid (422) with one entry in ``fields`` per element at
    fault (the DMN ids of the column, row or cell)."""
    if key not in tables.SPECS:
        raise NotFound("decision.table_not_found", _("决策表不存在"))
    if not (dmn_xml or "").strip():
        raise Invalid("decision.invalid_dmn", _("请提供 DMN XML"), {"dmn_xml": [_("必填")]})
    if len(dmn_xml.encode("utf-8")) > MAX_XML_BYTES:
        raise Invalid("decision.invalid_dmn", _("决策表过大(上限 2 MB)"), {"dmn_xml": [_("过大")]})
    try:
        return dmn.parse(dmn_xml, key=key, outputs=tables.checks(key))
    except dmn.TableError as exc:
        code = "decision.lint_failed" if exc.problems else "decision.invalid_dmn"
        raise Invalid(code, exc.message, exc.problems or {"dmn_xml": [exc.message]}) from exc


def _next_version(key: str) -> int:
    versions = list(
        DecisionTable.objects.select_for_update().filter(key=key).values_list("version", flat=True)
    )
    return max(versions, default=0) + 1


def _store(key: str, dmn_xml: str, table: dmn.Table, actor: Staff | None, comment: str):
    return DecisionTable.objects.create(
        key=key,
        version=_next_version(key),
        name=(table.name or str(tables.SPECS[key].name))[:128],
        hit_policy=table.hit_policy,
        dmn_xml=dmn_xml,
        rule_count=len(table.rules),
        status=TableStatus.DRAFT,
        comment=comment[:255],
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def save_draft(key: str, dmn_xml: str, *, actor: Staff | None, comment: str = "") -> DecisionTable:
    """A new draft version of ``key``; checked like a publication."""
    _require_manager(actor)
    return _store(key, dmn_xml, validate(key, dmn_xml), actor, comment)


def _make_current(row: DecisionTable, actor: Staff | None) -> DecisionTable:
    row.status = TableStatus.PUBLISHED
    row.published_at = clock.now()
    row.published_by = actor if getattr(actor, "pk", None) else None
    row.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        actor,
        "decision.published",
        row,
        label=f"{row.key} v{row.version}",
        rules=row.rule_count,
        hit_policy=row.hit_policy,
    )
    transaction.on_commit(selectors.clear_cache)
    selectors.clear_cache()
    return row


@transaction.atomic
def publish_version(key: str, version: int, *, actor: Staff | None) -> DecisionTable:
    """Publish a draft: tickets created from now on are routed by it."""
    _require_manager(actor)
    row = DecisionTable.objects.select_for_update().filter(key=key, version=version).first()
    if row is None:
        raise NotFound("decision.version_not_found", _("决策表版本不存在"))
    if row.status == TableStatus.PUBLISHED:
        raise Conflict("decision.already_published", _("该版本已发布,不能再次发布"))
    validate(key, row.dmn_xml)  # units or processes may have gone since it was saved
    return _make_current(row, actor)


@transaction.atomic
def publish_sheet(
    sheet: dmn.Sheet, *, actor: Staff | None = None, comment: str = ""
) -> DecisionTable:
    """Write, check and publish a table built in code (seed, shipped defaults)."""
    xml = dmn.render(sheet)
    return _make_current(_store(sheet.key, xml, validate(sheet.key, xml), actor, comment), actor)


def ensure_default_tables() -> list[DecisionTable]:
    """Publish the shipped time-limit table if the key has no version yet."""
    if DecisionTable.objects.filter(key=tables.TIME_LIMITS).exists():
        return []
    return [publish_sheet(tables.default_time_limits(), comment="内置")]


def evaluate(
    key: str, fields: dict[str, Any], *, version: int | None = None, dmn_xml: str | None = None
) -> tuple[dmn.Table, dmn.Result]:
    """Run a table on sample fields (the test panel, the API): the version in use, a
    stored version, or unsaved XML from the editor."""
    unknown = sorted(set(fields) - set(dmn.FIELDS))
    if unknown:
        raise Invalid(
            "decision.unknown_field",
            _("未知字段:%(f)s") % {"f": ", ".join(unknown)},
            {name: [_("不是可用的工单字段")] for name in unknown},
        )
    table: dmn.Table | None
    if dmn_xml:
        table = validate(key, dmn_xml)
    else:
        if key not in tables.SPECS:
            raise NotFound("decision.table_not_found", _("决策表不存在"))
        number = version or selectors.published_version(key)
        table = selectors.compiled(key, number) if number else None
    if table is None:
        raise NotFound("decision.version_not_found", _("决策表版本不存在"))
    context = _sample_context(fields)
    try:
        return table, table.evaluate(context)
    except dmn.NotUnique as exc:
        raise Conflict(
            "decision.not_unique",
            _("UNIQUE 决策表有多条规则同时命中:%(r)s") % {"r": ", ".join(exc.rule_ids)},
            {rule_id: [_("同时命中")] for rule_id in exc.rule_ids},
        ) from exc


def _sample_context(fields: dict[str, Any]) -> dict[str, tuple]:
    """Sample fields as a ticket would give them: a category or region code brings its
    ancestors, as on a real ticket."""
    from complaintloop.taxonomy.models import Category as CategoryModel

    problems: dict[str, list[str]] = {}
    context: dict[str, tuple] = {}
    for name, value in fields.items():
        kind = dmn.FIELDS[name].kind
        if value is None or value == "":
            context[name] = ()
            continue
        if kind == "number":
            try:
                context[name] = (float(value),)
            except (TypeError, ValueError):
                problems[name] = [_("应为数字")]
            continue
        if kind == "boolean":
            if isinstance(value, str):
                value = value.lower() in ("1", "true", "yes", "是")
            context[name] = (bool(value),)
            continue
        if not isinstance(value, str):
            problems[name] = [_("应为文字")]
            continue
        if name == "category":
            found = CategoryModel.objects.filter(code=value).first()
            if found is None:
                problems[name] = [_("分类编码不存在")]
                continue
            context[name] = dmn.codes_with_ancestors(found.path)
        elif name == "region":
            unit = org_selectors.unit_by_code(value)
            if unit is None:
                problems[name] = [_("单位编码不存在")]
                continue
            context[name] = dmn.codes_with_ancestors(unit.path)
        else:
            context[name] = (value,)
    if problems:
        raise Invalid("decision.bad_sample", _("样例字段有误"), problems)
    return context
