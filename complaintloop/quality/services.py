"""Writes on the indicator registry: validate a formula and create a custom indicator."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from complaintloop.core.errors import Conflict, Forbidden, Invalid
from complaintloop.org.models import Role, Staff, Unit
from complaintloop.taxonomy.models import Category, OrderType

from . import formulas
from .models import DateField, Direction, Indicator, Kind, Period, Phase, UnitLabel

MANAGER_ROLES = {Role.QUALITY_MANAGER, Role.SYSTEM_ADMIN}
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
UNITS_BY_KIND = {
    Kind.COUNT: {UnitLabel.PIECES},
    Kind.RATE: {UnitLabel.PERCENT},
    Kind.AVERAGE_DURATION: {UnitLabel.MINUTES, UnitLabel.HOURS, UnitLabel.WORKING_DAYS},
    Kind.PERCENTILE_DURATION: {UnitLabel.MINUTES, UnitLabel.HOURS, UnitLabel.WORKING_DAYS},
    Kind.PER_10K_CUSTOMERS: {UnitLabel.PER_10K},
}
FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "description",
    "phase",
    "owner_label",
    "kind",
    "numerator",
    "denominator",
    "complement",
    "date_field",
    "duration",
    "percentile",
    "unit",
    "direction",
    "target",
    "warning",
    "period",
    "source",
    "is_active",
)


def require_manager(actor: Staff) -> None:
    if not (actor.is_superuser or actor.role in MANAGER_ROLES):
        raise Forbidden("indicator.forbidden", "仅质量经理或系统管理员可定义指标")


def _choice(errors: dict, data: dict, field: str, choices) -> None:
    if data.get(field) not in choices.values:
        errors[field] = [f"应为 {', '.join(choices.values)}"]


def _decimal(errors: dict, data: dict, field: str) -> Decimal | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = ["应为数字 / must be a number"]
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e8"):
        errors[field] = ["超出范围 / out of range"]
        return None
    return number


def _unknown_codes(errors: dict, spec: dict, where: str) -> None:
    """Codes that name no order type, category or unit (after the shape is valid)."""
    wanted = formulas.tree_codes(spec)
    known_categories = set(
        Category.objects.filter(code__in=wanted["category"]).values_list("code", flat=True)
    )
    known_units = set(Unit.objects.filter(code__in=wanted["region"]).values_list("code", flat=True))
    order_types = set()
    for sub in [spec, *spec.get("any", [])]:
        value = sub.get("order_type")
        order_types |= set([value] if isinstance(value, str) else value or [])
    known_types = set(OrderType.objects.filter(code__in=order_types).values_list("code", flat=True))
    for key, wanted_codes, known in (
        ("category", wanted["category"], known_categories),
        ("region", wanted["region"], known_units),
        ("order_type", order_types, known_types),
    ):
        missing = sorted(wanted_codes - known)
        if missing:
            errors[f"{where}.{key}"] = [f"未知编码 / unknown code: {', '.join(missing)}"]


def validate(data: dict[str, Any]) -> dict[str, Any]:
    """The cleaned fields of an indicator definition, or ``Invalid`` with every
    field error at once."""
    errors: dict[str, list[str]] = {}
    code = str(data.get("code") or "").strip()
    if not CODE_RE.match(code):
        errors["code"] = ["小写字母、数字、-、_,2–64 位 / lowercase slug, 2–64 chars"]
    if not str(data.get("name_zh") or "").strip():
        errors["name_zh"] = ["必填 / required"]
    _choice(errors, data, "phase", Phase)
    _choice(errors, data, "kind", Kind)
    _choice(errors, data, "direction", Direction)
    _choice(errors, data, "period", Period)
    _choice(errors, data, "date_field", DateField)
    kind = data.get("kind")
    numerator = data.get("numerator") or {}
    denominator = data.get("denominator")
    errors.update(formulas.filter_errors(numerator, where="numerator"))
    if kind == Kind.RATE:
        if not denominator:
            errors["denominator"] = ["比率指标必须定义分母 / a rate needs a denominator"]
        else:
            errors.update(formulas.filter_errors(denominator, where="denominator"))
    elif denominator:
        errors["denominator"] = ["仅比率指标使用分母 / only rates have a denominator"]
    if data.get("complement") and kind != Kind.RATE:
        errors["complement"] = ["仅比率指标可取补 / only rates can be complemented"]
    if kind in (Kind.AVERAGE_DURATION, Kind.PERCENTILE_DURATION):
        errors.update(formulas.duration_errors(data.get("duration")))
    elif data.get("duration"):
        errors["duration"] = ["仅时长指标使用时长定义 / only duration kinds"]
    percentile = data.get("percentile")
    if kind == Kind.PERCENTILE_DURATION:
        if (
            not isinstance(percentile, int)
            or isinstance(percentile, bool)
            or not 1 <= percentile <= 99
        ):
            errors["percentile"] = ["应为 1–99 的整数 / an integer 1–99"]
    elif percentile is not None:
        errors["percentile"] = ["仅分位数指标使用 / only percentile_duration"]
    if kind in UNITS_BY_KIND and data.get("unit") not in UNITS_BY_KIND[kind]:
        errors["unit"] = [f"应为 {', '.join(sorted(UNITS_BY_KIND[kind]))}"]
    target = _decimal(errors, data, "target")
    warning = _decimal(errors, data, "warning")
    if target is not None and warning is not None:
        higher = data.get("direction") == Direction.HIGHER_BETTER
        if (higher and warning > target) or (not higher and warning < target):
            errors["warning"] = ["预警阈值应在目标值之外 / warning must lie beyond the target"]
    if not errors:
        _unknown_codes(errors, numerator, "numerator")
        if denominator:
            _unknown_codes(errors, denominator, "denominator")
    if errors:
        raise Invalid("indicator.invalid", "指标定义无效 / invalid indicator", errors)
    cleaned = {field: data.get(field) for field in FIELDS if field in data}
    cleaned.update(
        code=code,
        numerator=numerator,
        denominator=denominator or {},
        duration=data.get("duration") or {},
        target=target,
        warning=warning,
    )
    return cleaned


@transaction.atomic
def create(data: dict[str, Any], *, actor: Staff, owner_unit: str | None = None) -> Indicator:
    """Define a custom indicator (quality managers and system admins only)."""
    require_manager(actor)
    cleaned = validate(data)
    unit = None
    if owner_unit:
        unit = Unit.objects.filter(code=owner_unit).first()
        if unit is None:
            raise Invalid("indicator.invalid", "责任单位不存在", {"owner_unit": ["未知编码"]})
    if Indicator.objects.filter(code=cleaned["code"]).exists():
        raise Conflict("indicator.code_taken", "指标编码已存在", {"code": ["已存在"]})
    try:
        with transaction.atomic():
            return Indicator.objects.create(**cleaned, owner_unit=unit, is_builtin=False)
    except IntegrityError as exc:  # a concurrent create with the same code
        raise Conflict("indicator.code_taken", "指标编码已存在", {"code": ["已存在"]}) from exc
