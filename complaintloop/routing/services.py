"""Routing decisions (R11): the decision table picks the handling unit, urgency, time
limit and process for a new ticket, and says why."""

from __future__ import annotations

import time
from dataclasses import dataclass

from complaintloop.org import selectors as org_selectors
from complaintloop.org.models import Unit
from complaintloop.taxonomy.models import Category, OrderType
from complaintloop.taxonomy.selectors import inherited

from . import reasons as codes
from .models import RoutingRule, Urgency

RULE_CACHE_SECONDS = 30.0
_rules: tuple[float, list[RoutingRule]] | None = None


@dataclass(frozen=True)
class Decision:
    unit: Unit
    urgency: str
    time_limit_minutes: int
    time_basis: str
    process_key: str
    reasons: tuple[dict, ...]  # language-neutral: {"code": ..., params} (routing.reasons)
    rule_id: int | None

    @property
    def reason(self) -> str:
        """The reasons said in the active language."""
        return codes.join(self.reasons)


def clear_cache() -> None:
    global _rules
    _rules = None


def _active_rules() -> list[RoutingRule]:
    global _rules
    if _rules is None or time.monotonic() - _rules[0] > RULE_CACHE_SECONDS:
        rules = list(
            RoutingRule.objects.filter(is_active=True)
            .select_related("category", "region", "target_unit", "order_type")
            .order_by("priority", "id")
        )
        _rules = (time.monotonic(), rules)
    return _rules[1]


def _matches(
    rule: RoutingRule, order_type: OrderType, category: Category | None, region: Unit, level: str
) -> bool:
    if rule.order_type_id and rule.order_type_id != order_type.pk:
        return False
    if rule.category_id and (category is None or not category.path.startswith(rule.category.path)):
        return False
    if rule.region_id and not region.path.startswith(rule.region.path):
        return False
    return not (rule.customer_level and rule.customer_level != level)


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
) -> Decision:
    """First matching rule by priority; without a target in the rules, the category's
    default unit, then the city itself."""
    unit: Unit | None = None
    urgency = ""
    limit: int | None = None
    process_key = ""
    reasons: list[dict] = []
    rule_id = None
    for rule in _active_rules():
        if not _matches(rule, order_type, category, region, customer_level):
            continue
        target = rule.target_unit
        if target is None and rule.target_department_code:
            target = _department(region, rule.target_department_code)
        if unit is None and target is not None:
            unit, rule_id = target, rule.pk
            reasons.append(
                codes.reason("rule_unit", rule=rule.name, unit=target.name, unit_code=target.code)
            )
        if not urgency and rule.urgency:
            urgency = rule.urgency
            reasons.append(codes.reason("rule_urgency", rule=rule.name, urgency=rule.urgency))
        if limit is None and rule.time_limit_minutes:
            limit = rule.time_limit_minutes
            reasons.append(codes.reason("rule_limit", rule=rule.name, minutes=limit))
        process_key = process_key or rule.process_key
        if unit is not None and urgency and limit is not None:
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
    process_key = (
        process_key or inherited(category, "default_process_key") or order_type.default_process_key
    )
    return Decision(
        unit=unit,
        urgency=urgency or Urgency.NORMAL,
        time_limit_minutes=int(limit),
        time_basis=basis,
        process_key=process_key,
        reasons=tuple(reasons),
        rule_id=rule_id,
    )
