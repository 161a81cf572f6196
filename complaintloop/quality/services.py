"""Writes of the quality app: the indicator registry (validate, create, update), the
internal evaluation of tickets (R15) and the scorecard weights (R27)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintloop.core import audit, clock, outbox
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.org.models import Role, Staff, Unit
from complaintloop.taxonomy.models import Category, OrderType
from complaintloop.tickets.models import EventKind, Status, Ticket, WorkItem, WorkItemKind
from complaintloop.tickets.services import _base as ticket_base

from . import formulas
from .models import (
    DateField,
    Direction,
    Evaluation,
    EvaluationSide,
    Indicator,
    Kind,
    Period,
    Phase,
    ScorecardItem,
    ScoreSource,
    UnitLabel,
)

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
        with transaction.atomic(), audit.acting_as(actor):  # audited configuration (R33)
            return Indicator.objects.create(**cleaned, owner_unit=unit, is_builtin=False)
    except IntegrityError as exc:  # a concurrent create with the same code
        raise Conflict("indicator.code_taken", "指标编码已存在", {"code": ["已存在"]}) from exc


@transaction.atomic
def update(
    code: str, data: dict[str, Any], *, actor: Staff, owner_unit: str | None = None
) -> Indicator:
    """Change a custom indicator's definition, or a built-in one's targets, period,
    owner and activity (a built-in formula stays as shipped)."""
    require_manager(actor)
    indicator = Indicator.objects.select_for_update().filter(code=code).first()
    if indicator is None:
        raise NotFound("indicator.not_found", f"指标「{code}」不存在")
    if indicator.is_builtin:
        # The formula of a built-in is the documented one; only tuning is allowed.
        current = {field: getattr(indicator, field) for field in FIELDS}
        for field in ("target", "warning", "period", "owner_label", "is_active", "description"):
            if field in data:
                current[field] = data[field]
        data = current
    cleaned = validate({**data, "code": code})
    unit = None
    if owner_unit:
        unit = Unit.objects.filter(code=owner_unit).first()
        if unit is None:
            raise Invalid("indicator.invalid", "责任单位不存在", {"owner_unit": ["未知编码"]})
    for field, value in cleaned.items():
        if field != "code":
            setattr(indicator, field, value)
    indicator.owner_unit = unit
    with audit.acting_as(actor):  # audited configuration (R33)
        indicator.save()
    return indicator


# Internal evaluation (内部评价, R15) -------------------------------------------------


def handling_items(ticket: Ticket):
    """Main work items a unit other than the accepting one took on: the downstream
    handling of a dispatched order."""
    qs = WorkItem.objects.filter(
        ticket=ticket, kind=WorkItemKind.MAIN, accepted_at__isnull=False
    ).select_related("unit", "accepted_by")
    if ticket.accepting_unit_id:
        qs = qs.exclude(unit_id=ticket.accepting_unit_id)
    return qs.order_by("-id")


def _in_unit(actor: Staff, unit: Unit | None) -> bool:
    return bool(unit and actor.unit and actor.unit.path.startswith(unit.path))


def evaluation_target(ticket: Ticket, side: str, actor: Staff) -> dict | None:
    """Who ``actor`` would rate on ``side`` of the ticket, or None when the actor's
    unit may not rate that side (now). Pages use it to offer the form."""
    if side == EvaluationSide.DISPATCH:
        # The handling unit rates the order it received (complete, rightly classified).
        for item in handling_items(ticket):
            if _in_unit(actor, item.unit) and ticket.accepting_unit_id:
                return {
                    "rater_unit": item.unit,
                    "rated_unit": ticket.accepting_unit,
                    "rated_staff": ticket.created_by,
                }
        return None
    if side == EvaluationSide.HANDLING:
        # The accepting unit rates the handling once it is done (replied or archived).
        done = ticket.resolved_at is not None or ticket.status in (Status.REPLIED, Status.CLOSED)
        item = handling_items(ticket).first()
        if done and item is not None and _in_unit(actor, ticket.accepting_unit):
            return {
                "rater_unit": ticket.accepting_unit,
                "rated_unit": item.unit,
                "rated_staff": item.accepted_by,
            }
        return None
    return None


def _score(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        value = None
    try:
        score = int(value) if value not in (None, "") else None
    except ValueError:
        score = None
    if score is None or not 1 <= score <= 5:
        raise Invalid("evaluation.bad_score", _("评分应为 1–5 的整数"), {"score": [_("应为 1–5")]})
    return score


@transaction.atomic
def evaluate(
    number: str,
    *,
    actor: Staff,
    side: str,
    score: int | str,
    comment: str = "",
    complete: bool | None = None,
    correctly_classified: bool | None = None,
) -> Evaluation:
    """Record one side's rating of a ticket, with a trace event on the ticket."""
    if side not in EvaluationSide.values:
        raise Invalid(
            "evaluation.bad_side",
            _("评价类型应为 dispatch 或 handling"),
            {"side": list(EvaluationSide.values)},
        )
    value = _score(score)
    comment = (comment or "").strip()[:2000]
    if side == EvaluationSide.DISPATCH:
        missing = {
            f: [_("必填")]
            for f, v in (("complete", complete), ("correctly_classified", correctly_classified))
            if v is None
        }
        if missing:
            raise Invalid(
                "evaluation.incomplete", _("请说明工单信息是否完整、分类是否正确"), missing
            )
    else:
        complete = correctly_classified = None
    ticket = ticket_base.lock_visible(number, actor)
    if Evaluation.objects.filter(ticket=ticket, side=side).exists():
        raise Conflict(
            "evaluation.exists", _("该工单的%(side)s已评价") % {"side": EvaluationSide(side).label}
        )
    target = evaluation_target(ticket, side, actor)
    if target is None:
        if side == EvaluationSide.HANDLING and _in_unit(actor, ticket.accepting_unit):
            raise Conflict("evaluation.not_yet", _("处理完成(已回复)后才能评价处理质量"))
        raise Forbidden("evaluation.forbidden", _("您所在单位不能对该工单作此评价"))
    evaluation = Evaluation.objects.create(
        ticket=ticket,
        side=side,
        rater=actor,
        score=value,
        complete=complete,
        correctly_classified=correctly_classified,
        comment=comment,
        created_at=clock.now(),
        **target,
    )
    label = EvaluationSide(side).label
    ticket_base.record(
        ticket,
        EventKind.COMMENTED,
        actor=actor,
        from_status=ticket.status,
        comment=f"{label} {value}/5" + (f":{comment}" if comment else ""),
        payload={
            "evaluation": side,
            "score": value,
            "rated_unit": target["rated_unit"].code,
            "complete": complete,
            "correctly_classified": correctly_classified,
        },
        notify=False,
    )
    outbox.emit(
        "quality.evaluation",
        {"evaluation_id": evaluation.pk, "ticket": ticket.number, "side": side, "score": value},
    )
    return evaluation


# Scorecard weights (R27) ----------------------------------------------------------


@transaction.atomic
def set_weights(weights: dict[int, Any], *, actor: Staff) -> int:
    """Set the weight (and activity: weight 0 turns a line off) of scorecard lines."""
    require_manager(actor)
    items = {i.pk: i for i in ScorecardItem.objects.select_for_update().filter(pk__in=weights)}
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, Decimal] = {}
    for pk, raw in weights.items():
        if pk not in items:
            errors[f"weight_{pk}"] = [_("考核项不存在")]
            continue
        try:
            value = Decimal(str(raw).strip() or "0")
        except (InvalidOperation, ValueError):
            errors[f"weight_{pk}"] = [_("应为数字")]
            continue
        if not value.is_finite() or value < 0 or value > 1000:
            errors[f"weight_{pk}"] = [_("应在 0–1000 之间")]
            continue
        cleaned[pk] = value
    if errors:
        raise Invalid("scorecard.invalid", _("权重无效"), errors)
    for pk, value in cleaned.items():
        item = items[pk]
        item.is_active = value > 0
        if value > 0:
            item.weight = value
        item.save(update_fields=["weight", "is_active"])
    return len(cleaned)


@transaction.atomic
def add_scorecard_item(
    *, actor: Staff, subject: str, source: str, indicator: str | None, weight: Any
) -> ScorecardItem:
    require_manager(actor)
    errors: dict[str, list[str]] = {}
    found = None
    if source == ScoreSource.INDICATOR:
        found = Indicator.objects.filter(code=indicator or "", is_active=True).first()
        if found is None:
            errors["indicator"] = [_("请选择启用的指标")]
        elif found.target is None:
            errors["indicator"] = [_("该指标没有目标值,无法计分")]
    elif source not in ScoreSource.values:
        errors["source"] = [_("未知来源")]
    if subject not in ("department", "staff"):
        errors["subject"] = [_("未知考核对象")]
    try:
        value = Decimal(str(weight))
        if not value.is_finite() or not 0 < value <= 1000:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["weight"] = [_("应为 0–1000 之间的正数")]
        value = Decimal(0)
    if errors:
        raise Invalid("scorecard.invalid", _("考核项无效"), errors)
    item, created = ScorecardItem.objects.get_or_create(
        subject=subject, source=source, indicator=found, defaults={"weight": value}
    )
    if not created:
        item.weight, item.is_active = value, True
        item.save(update_fields=["weight", "is_active"])
    return item
