"""指标库: list the indicators; quality managers and admins define new ones from the
building blocks (filters, durations) and tune targets, with errors under each field."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaintloop.core.errors import DomainError, NotFound
from complaintloop.customers.models import CustomerLevel
from complaintloop.org.models import Unit, UnitKind
from complaintloop.taxonomy.models import Category, OrderType
from complaintloop.tickets.models import Channel

from .. import board, formulas, selectors, services
from ..models import DateField, Direction, Indicator, Kind, Period, Phase, UnitLabel
from .common import form_errors, quality_required

FLAG_LABELS = {
    "is_fcr": gettext_lazy("首问解决"),
    "is_pre_handled": gettext_lazy("已预处理"),
    "second_handling": gettext_lazy("二次处理"),
    "supervised": gettext_lazy("督办"),
    "escalated": gettext_lazy("升级"),
    "handled": gettext_lazy("已处理"),
    "replied": gettext_lazy("已回复"),
    "closed": gettext_lazy("已归档"),
    "replied_on_time": gettext_lazy("按时回复"),
    "overdue": gettext_lazy("超时"),
    "responded": gettext_lazy("已首次响应"),
    "responded_on_time": gettext_lazy("按时首次响应"),
    "sla_breached": gettext_lazy("当前超时"),
    "reopened": gettext_lazy("重启过"),
    "transferred": gettext_lazy("转派过"),
    "returned": gettext_lazy("回退过"),
    "urged": gettext_lazy("催办过"),
    "suspended": gettext_lazy("挂起过"),
    "called_back": gettext_lazy("已回访"),
    "repeat": gettext_lazy("重复投诉"),
}
SATISFACTION_LABELS = {
    "satisfied": gettext_lazy("满意"),
    "neutral": gettext_lazy("一般"),
    "dissatisfied": gettext_lazy("不满意"),
}
TIMESTAMP_LABELS = {
    "created_at": gettext_lazy("受理时间"),
    "first_response_due_at": gettext_lazy("首次响应时限"),
    "first_response_at": gettext_lazy("首次响应"),
    "due_at": gettext_lazy("办结时限"),
    "resolved_at": gettext_lazy("回复时间"),
    "closed_at": gettext_lazy("归档时间"),
}
MULTI = ("order_type", "channel", "customer_level", "satisfaction")


def _manager(actor) -> bool:
    return actor.is_superuser or actor.role in services.MANAGER_ROLES


def _choices() -> dict:
    return {
        "phases": Phase.choices,
        "kinds": Kind.choices,
        "directions": Direction.choices,
        "period_choices": Period.choices,
        "date_fields": DateField.choices,
        "unit_labels": UnitLabel.choices,
        "order_types": list(OrderType.objects.order_by("code").values_list("code", "name")),
        "channels": Channel.choices,
        "levels": CustomerLevel.choices,
        "satisfactions": list(SATISFACTION_LABELS.items()),
        "flags": list(FLAG_LABELS.items()),
        "categories": list(
            Category.objects.filter(path__regex=r"^/[^/]+/([^/]+/)?$")
            .order_by("path")
            .values_list("code", "name", "path")
        ),
        "regions": list(
            Unit.objects.filter(kind__in=[UnitKind.PROVINCE, UnitKind.CITY])
            .order_by("path")
            .values_list("code", "name")
        ),
        "owner_units": list(
            Unit.objects.filter(is_active=True).order_by("path").values_list("code", "name")
        ),
        "timestamps": list(TIMESTAMP_LABELS.items()),
        "minute_columns": formulas.MINUTE_COLUMNS,
    }


def _filter_from_post(post, prefix: str) -> dict:
    spec: dict = {}
    for key in MULTI:
        values = [v for v in post.getlist(f"{prefix}_{key}") if v]
        if values:
            spec[key] = values[0] if len(values) == 1 else values
    for key in ("category", "region"):
        value = (post.get(f"{prefix}_{key}") or "").strip()
        if value:
            spec[key] = value
    for flag in post.getlist(f"{prefix}_yes"):
        spec[flag] = True
    for flag in post.getlist(f"{prefix}_no"):
        if flag in spec:
            spec[flag] = "conflict"  # both yes and no: the validator names the field
        else:
            spec[flag] = False
    return spec


def _data_from_post(post) -> tuple[dict, str | None]:
    kind = post.get("kind") or ""
    data = {
        "code": (post.get("code") or "").strip(),
        "name_zh": (post.get("name_zh") or "").strip(),
        "name_en": (post.get("name_en") or "").strip(),
        "description": (post.get("description") or "").strip(),
        "phase": post.get("phase"),
        "kind": kind,
        "unit": post.get("unit"),
        "direction": post.get("direction"),
        "period": post.get("period") or "month",
        "date_field": post.get("date_field") or "created_at",
        "owner_label": (post.get("owner_label") or "").strip(),
        "target": (post.get("target") or "").strip() or None,
        "warning": (post.get("warning") or "").strip() or None,
        "complement": post.get("complement") == "on",
        "is_active": post.get("is_active") == "on" if "is_active_present" in post else True,
        "source": (post.get("source") or "").strip(),
        "numerator": _filter_from_post(post, "num"),
        "denominator": _filter_from_post(post, "den") if kind == Kind.RATE else None,
    }
    if kind in (Kind.AVERAGE_DURATION, Kind.PERCENTILE_DURATION):
        if post.get("duration_mode") == "column":
            data["duration"] = {"column": post.get("duration_column") or ""}
        else:
            data["duration"] = {
                "from": post.get("duration_from") or "",
                "to": post.get("duration_to") or "",
                "basis": post.get("duration_basis") or "working",
            }
    if kind == Kind.PERCENTILE_DURATION:
        raw = (post.get("percentile") or "").strip()
        data["percentile"] = int(raw) if raw.isdigit() else raw or None
    return data, (post.get("owner_unit") or "").strip() or None


def _values(indicator: Indicator | None) -> dict:
    """The form's values from an indicator (for editing) or blank defaults."""
    if indicator is None:
        return {
            "phase": "during",
            "kind": "rate",
            "unit": "%",
            "direction": "higher_better",
            "period": "month",
            "date_field": "created_at",
            "is_active": True,
            "numerator": {},
            "denominator": {"order_type": "complaint"},
            "duration": {},
        }
    values = {f: getattr(indicator, f) for f in services.FIELDS}
    values["owner_unit"] = indicator.owner_unit.code if indicator.owner_unit_id else ""
    return values


def _lists(spec: dict | None) -> dict:
    """A filter spec as the form shows it: lists for multi-selects, yes/no flags."""
    spec = spec or {}
    shown: dict = {}
    for key in MULTI:
        value = spec.get(key)
        shown[key] = [value] if isinstance(value, str) else list(value or [])
    shown["category"] = spec.get("category", "")
    shown["region"] = spec.get("region", "")
    shown["yes"] = [k for k in formulas.FLAG_KEYS if spec.get(k) is True]
    shown["no"] = [k for k in formulas.FLAG_KEYS if spec.get(k) is False]
    shown["any"] = spec.get("any")
    return shown


def _render_form(request, *, indicator, values, errors=None, status=200):
    context = {
        "nav": "quality",
        "subnav": "dashboard",
        "ind": indicator,
        "values": values,
        "num": _lists(values.get("numerator")),
        "den": _lists(values.get("denominator")),
        "errors": errors,
        "field_errors": (errors or {}).get("fields", {}),
        **_choices(),
    }
    return render(request, "quality/indicator_form.html", context, status=status)


@quality_required
def index(request):
    indicators = list(selectors.indicators(include_inactive=True))
    rows = [{"ind": i, "rollup": board.plan(i) is not None} for i in indicators]
    return render(
        request,
        "quality/registry.html",
        {"nav": "quality", "subnav": "dashboard", "rows": rows, "can_edit": _manager(request.user)},
    )


@quality_required
def new(request):
    if not _manager(request.user):
        return render(request, "quality/forbidden.html", {"nav": "quality"}, status=403)
    if request.method != "POST":
        return _render_form(request, indicator=None, values=_values(None))
    data, owner_unit = _data_from_post(request.POST)
    try:
        created = services.create(data, actor=request.user, owner_unit=owner_unit)
    except DomainError as exc:
        return _render_form(
            request,
            indicator=None,
            values={**data, "owner_unit": owner_unit or ""},
            errors=form_errors(exc),
            status=exc.status,
        )
    messages.success(request, _("已创建指标「%(name)s」") % {"name": created.name_zh})
    return redirect(f"/quality/indicators/{created.code}/")


@quality_required
def edit(request, code: str):
    if not _manager(request.user):
        return render(request, "quality/forbidden.html", {"nav": "quality"}, status=403)
    indicator = Indicator.objects.select_related("owner_unit").filter(code=code).first()
    if indicator is None:
        missing = NotFound("indicator.not_found", _("指标不存在"))
        return render(
            request,
            "quality/registry.html",
            {"nav": "quality", "errors": form_errors(missing), "rows": []},
            status=404,
        )
    if request.method != "POST":
        return _render_form(request, indicator=indicator, values=_values(indicator))
    data, owner_unit = _data_from_post(request.POST)
    # "any" (either-or) conditions come from the API; the form keeps them as they are.
    for part in ("numerator", "denominator"):
        either = (getattr(indicator, part) or {}).get("any")
        if either and data.get(part) is not None:
            data[part]["any"] = either
    try:
        services.update(code, data, actor=request.user, owner_unit=owner_unit)
    except DomainError as exc:
        return _render_form(
            request,
            indicator=indicator,
            values={**data, "code": code, "owner_unit": owner_unit or ""},
            errors=form_errors(exc),
            status=exc.status,
        )
    messages.success(request, _("已保存指标「%(name)s」") % {"name": indicator.name_zh})
    return redirect(f"/quality/indicators/{code}/")
