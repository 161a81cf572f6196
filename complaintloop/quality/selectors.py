"""Reads: the indicator registry and scoped indicator values."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from complaintloop.core import clock
from complaintloop.core.errors import Forbidden, NotFound
from complaintloop.org.models import Staff, Unit

from . import engine
from .models import Indicator


def indicators(*, include_inactive: bool = False) -> QuerySet[Indicator]:
    qs = Indicator.objects.select_related("owner_unit")
    return qs if include_inactive else qs.filter(is_active=True)


def indicator(code: str) -> Indicator:
    found = indicators().filter(code=code).first()
    if found is None:
        raise NotFound("indicator.not_found", f"指标「{code}」不存在")
    return found


def scope_unit(actor: Staff, region: str | None = None) -> Unit | None:
    """The unit whose subtree the actor may measure (None: the whole province),
    narrowed to ``region`` when it lies inside that scope."""
    path = actor.scope_path
    if not path:
        raise Forbidden("indicator.no_scope", "没有数据范围 / no data scope")
    own = None if path == "/" else Unit.objects.filter(path=path).first()
    if region:
        unit = Unit.objects.filter(code=region).first()
        if unit is None or (own is not None and not _inside(unit.path, own.path)):
            raise NotFound("region.not_found", f"地区「{region}」不存在或不在数据范围内")
        return unit
    return own


def _inside(path: str, scope: str) -> bool:
    return engine.is_whole_province(scope) or path.startswith(scope)


def current_period(period: str, today: date) -> date:
    """The first day of the indicator's period containing ``today``."""
    if period == "day":
        return today
    if period == "week":
        return today - timedelta(days=today.weekday())
    return today.replace(day=1)


def values(
    actor: Staff,
    code: str,
    *,
    start: date | None = None,
    end: date | None = None,
    group_by: str | None = None,
    region: str | None = None,
) -> dict:
    """An indicator's value(s) within the actor's data scope; without dates, the
    current period (day/week/month) of the indicator up to today."""
    found = indicator(code)
    unit = scope_unit(actor, region)
    end = end or clock.localtime().date()
    start = start or current_period(found.period, end)
    computed = engine.compute(found, start=start, end=end, scope_unit=unit, group_by=group_by)
    result = {"indicator": found, "scope": unit, "start": start, "end": end}
    if isinstance(computed, engine.Result):
        return {**result, "total": computed, "groups": None}
    return {**result, "total": None, "groups": computed}


def evaluations(actor: Staff, number: str):
    """The internal evaluations of a ticket the actor may see (404 otherwise)."""
    from complaintloop.tickets.models import Ticket

    from .models import Evaluation

    ticket = Ticket.objects.visible_to(actor).filter(number=number).first()
    if ticket is None:
        raise NotFound("ticket.not_found", f"工单 {number} 不存在")
    return (
        Evaluation.objects.filter(ticket=ticket)
        .select_related("rater", "rater_unit", "rated_unit", "rated_staff")
        .order_by("id")
    )
