"""Formatting of indicator values on the quality pages."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.filter
def iname(indicator) -> str:
    """The indicator's name in the page's language."""
    if (get_language() or "").startswith("en") and indicator.name_en:
        return indicator.name_en
    return indicator.name_zh


@register.filter
def fmt(value, indicator) -> str:
    """A value with the indicator's unit: 75.0%, 12 件, 3.4 小时."""
    if value is None:
        return "—"
    unit = indicator.unit
    if unit == "%":
        return f"{value:.2f}%"
    if unit == "件":
        return f"{value:,.0f}"
    if unit == "件/万户":
        return f"{value:.2f}"
    return f"{value:,.1f}"


@register.filter
def unitlabel(indicator) -> str:
    """The unit next to a column header (translated where it is words)."""
    from ..models import UnitLabel

    try:
        return str(UnitLabel(indicator.unit).label)
    except ValueError:
        return indicator.unit


@register.filter
def num(value) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


@register.filter
def err(errors, field: str) -> str:
    """The error text of one field, or ''."""
    return (errors or {}).get(field, "")


@register.simple_tag
def cell(result, indicator, drill: str, group_param: str = "", key: str = ""):
    """A coloured value linking to the tickets behind it (the dashboard renders a few
    hundred of these: a tag, not an include)."""
    if result is None or result.value is None:
        return format_html('<span class="cell st-no_data">—</span>')
    if indicator.target is None and indicator.warning is None:
        status = "plain"
    else:
        status = result.status
    href = f"/quality/tickets/?indicator={indicator.code}&{drill}"
    if key:
        href += f"&group_by={group_param}&key={key}"
    if result.denominator is not None:
        title = f"{num(result.numerator)} / {num(result.denominator)}"
    else:
        title = num(result.numerator)
    return format_html(
        '<a class="cell st-{}" href="{}" title="{}">{}</a>',
        status,
        href,
        title,
        fmt(result.value, indicator),
    )
