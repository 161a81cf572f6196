"""Indicator endpoints: the registry, scoped values with target status, custom indicators."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from ninja import Query, Router, Schema

from complaintloop.core.errors import Invalid
from complaintloop.core.schemas import ERRORS

from . import engine, selectors, services
from .models import Indicator

router = Router(tags=["quality"])


class IndicatorOut(Schema):
    code: str
    name_zh: str
    name_en: str
    description: str
    phase: str
    owner_unit: str | None
    owner_label: str
    kind: str
    numerator: dict
    denominator: dict
    complement: bool
    date_field: str
    duration: dict
    percentile: int | None
    unit: str
    direction: str
    target: float | None
    warning: float | None
    period: str
    source: str
    is_builtin: bool
    is_active: bool


class IndicatorIn(Schema):
    code: str
    name_zh: str
    name_en: str = ""
    description: str = ""
    phase: Literal["before", "during", "after"]
    owner_unit: str | None = None
    owner_label: str = ""
    kind: Literal["count", "rate", "average_duration", "percentile_duration", "per_10k_customers"]
    numerator: dict = {}
    denominator: dict | None = None
    complement: bool = False
    date_field: Literal["created_at", "resolved_at", "closed_at"] = "created_at"
    duration: dict | None = None
    percentile: int | None = None
    unit: str
    direction: Literal["higher_better", "lower_better"]
    target: Decimal | None = None
    warning: Decimal | None = None
    period: Literal["day", "week", "month"] = "month"
    source: str = ""


class ResultOut(Schema):
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    breaches_target: bool
    breaches_warning: bool


class GroupOut(ResultOut):
    key: str


class ValuesOut(Schema):
    indicator: IndicatorOut
    start: date
    end: date
    scope: str | None
    group_by: str | None
    total: ResultOut | None
    groups: list[GroupOut] | None


class ValuesQuery(Schema):
    start: date | None = None
    end: date | None = None
    group_by: str | None = None
    region: str | None = None


def indicator_out(i: Indicator) -> dict:
    return {
        **{f: getattr(i, f) for f in IndicatorOut.model_fields if f != "owner_unit"},
        "owner_unit": i.owner_unit.code if i.owner_unit_id else None,
        "target": float(i.target) if i.target is not None else None,
        "warning": float(i.warning) if i.warning is not None else None,
    }


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS})
def list_indicators(request):
    return [indicator_out(i) for i in selectors.indicators()]


@router.get("/indicators/{code}/values", response={200: ValuesOut, **ERRORS})
def indicator_values(request, code: str, q: Query[ValuesQuery]):
    if q.start and q.end and (q.end - q.start) > timedelta(days=366 * 3):
        raise Invalid("indicator.range_too_long", "统计区间过长", {"start": ["最多三年"]})
    group_by = q.group_by or None
    if group_by is not None and group_by not in engine.GROUP_BY:
        raise Invalid(
            "indicator.bad_group_by",
            f"不支持的分组 / unsupported group_by: {group_by}",
            {"group_by": [f"应为 {', '.join(engine.GROUP_BY)}"]},
        )
    data = selectors.values(
        request.auth, code, start=q.start, end=q.end, group_by=group_by, region=q.region or None
    )
    groups = data["groups"]
    return {
        "indicator": indicator_out(data["indicator"]),
        "start": data["start"],
        "end": data["end"],
        "scope": data["scope"].code if data["scope"] else None,
        "group_by": group_by,
        "total": data["total"].as_dict() if data["total"] else None,
        "groups": [{"key": k, **r.as_dict()} for k, r in groups.items()]
        if groups is not None
        else None,
    }


@router.post("/indicators", response={201: IndicatorOut, **ERRORS})
def create_indicator(request, body: IndicatorIn):
    data = body.model_dump()
    owner_unit = data.pop("owner_unit")
    indicator = services.create(data, actor=request.auth, owner_unit=owner_unit)
    return 201, indicator_out(indicator)


class EvaluationIn(Schema):
    side: Literal["dispatch", "handling"]
    score: int
    comment: str = ""
    complete: bool | None = None
    correctly_classified: bool | None = None


class EvaluationOut(Schema):
    id: int
    ticket: str
    side: str
    score: int
    complete: bool | None
    correctly_classified: bool | None
    comment: str
    rater: str
    rater_unit: str
    rated_unit: str
    rated_staff: str | None
    created_at: datetime


def evaluation_out(e) -> dict:
    return {
        "id": e.pk,
        "ticket": e.ticket.number,
        "side": e.side,
        "score": e.score,
        "complete": e.complete,
        "correctly_classified": e.correctly_classified,
        "comment": e.comment,
        "rater": e.rater.username,
        "rater_unit": e.rater_unit.code,
        "rated_unit": e.rated_unit.code,
        "rated_staff": e.rated_staff.username if e.rated_staff_id else None,
        "created_at": e.created_at,
    }


@router.get("/tickets/{number}/evaluations", response={200: list[EvaluationOut], **ERRORS})
def list_evaluations(request, number: str):
    """内部评价 of a ticket: the dispatch rating (by the handling unit) and the handling
    rating (by the accepting unit)."""
    return [evaluation_out(e) for e in selectors.evaluations(request.auth, number)]


@router.post("/tickets/{number}/evaluations", response={201: EvaluationOut, **ERRORS})
def create_evaluation(request, number: str, body: EvaluationIn):
    """Rate one side of a ticket, once: 403 for a unit that may not rate that side, 409
    when already rated or before the handling is done, 422 for a bad score."""
    evaluation = services.evaluate(number, actor=request.auth, **body.model_dump())
    return 201, evaluation_out(evaluation)
