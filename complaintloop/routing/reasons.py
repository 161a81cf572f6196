"""Why a ticket went where it went, stored language-neutrally (a code and its
parameters) and said in the reader's language when shown (R11, R34).

Events from before the codes keep their reason as text (``routing.reason``); ``say``
shows that text as it was stored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Urgency

TEMPLATES = {
    "rule_unit": gettext_lazy("规则「%(rule)s」派往 %(unit)s"),
    "rule_urgency": gettext_lazy("规则「%(rule)s」定为%(urgency)s"),
    "rule_limit": gettext_lazy("规则「%(rule)s」时限 %(minutes)s 分钟"),
    "category_unit": gettext_lazy("分类默认处理单位 %(unit)s"),
    "region_fallback": gettext_lazy("无匹配规则,派往地市 %(unit)s"),
    "vip_limit": gettext_lazy("VIP 客户时限缩短为 %(minutes)s 分钟"),
    "urgency_limit": gettext_lazy("规则「%(rule)s」:%(urgency)s时限 %(minutes)s 分钟"),
    "calendar_fallback": gettext_lazy("工作日历未包含 %(year)s 年的节假日,时限按自然时间计算"),
    "table_not_unique": gettext_lazy("决策表 %(table)s 有多条规则同时命中(%(rules)s),取第一条"),
}


def reason(code: str, **params: Any) -> dict[str, Any]:
    """One stored reason: ``{"code": ..., <params>}`` (JSON-ready)."""
    assert code in TEMPLATES, code
    return {"code": code, **params}


def _param(key: str, value: Any, unit_names: Mapping[str, str]) -> str:
    if key == "urgency":
        try:
            return str(Urgency(value).label)
        except ValueError:
            return str(value)
    if key == "unit_code":
        return unit_names.get(value, value)
    return str(value)


def say_one(item: Mapping[str, Any], unit_names: Mapping[str, str] | None = None) -> str:
    template = TEMPLATES.get(item.get("code", ""))
    params = {k: _param(k, v, unit_names or {}) for k, v in item.items() if k != "code"}
    if template is None:
        return " ".join(f"{k}={v}" for k, v in item.items())
    # The unit's current name when known, else the name stored at the time.
    if "unit_code" in params and params["unit_code"] != item.get("unit_code"):
        params["unit"] = params["unit_code"]
    try:
        return str(template) % params
    except (KeyError, ValueError, TypeError):
        return str(template)


def say(routing: Mapping[str, Any], unit_names: Mapping[str, str] | None = None) -> str:
    """The routing reasons of a creation event in the active language."""
    items = routing.get("reasons")
    if isinstance(items, list) and items:
        return _("；").join(say_one(i, unit_names) for i in items if isinstance(i, Mapping))
    return str(routing.get("reason") or "")


def join(items: Iterable[Mapping[str, Any]]) -> str:
    return _("；").join(say_one(i) for i in items)
