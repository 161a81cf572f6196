"""Number formatting shared by the report PDF and page: units, changes, status colours."""

from __future__ import annotations

from django import template

register = template.Library()

PERCENT = "%"
STATUS_LABELS = {"ok": "达标", "off_target": "未达标", "alarm": "预警", "no_data": "无数据"}


def value_text(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == PERCENT:
        return f"{value:.2f}%"
    if unit == "件":
        return f"{value:,.0f}"
    if unit == "件/万户":
        return f"{value:.2f}"
    if unit in ("小时", "分钟", "工作日"):
        return f"{value:,.1f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@register.filter
def fmt(value: float | None, unit: str = "") -> str:
    return value_text(value, unit)


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a signed percentage (0.123 → +12.3%)."""
    if value is None:
        return "—"
    return f"{value * 100:+.{digits}f}%"


@register.filter
def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def change_text(now: float | None, before: float | None, unit: str) -> str:
    """Rates change in percentage points; everything else relatively."""
    if now is None or before is None:
        return "—"
    if unit == PERCENT:
        return f"{now - before:+.2f} pp"
    if not before:
        return "新增" if now else "持平"
    return f"{(now - before) / before * 100:+.1f}%"


@register.filter
def pop(figure) -> str:
    return change_text(figure.value, figure.previous, figure.unit)


@register.filter
def yoy(figure) -> str:
    return change_text(figure.value, figure.last_year, figure.unit)


@register.filter
def trend_class(figure, against: str = "previous") -> str:
    """``better`` / ``worse`` colouring of a change, by the indicator's direction."""
    before = getattr(figure, against, None)
    if figure.value is None or before is None or figure.value == before:
        return ""
    up = figure.value > before
    return "better" if up == (figure.direction == "higher_better") else "worse"


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key) if mapping else None
