"""The decision tables our engine reads, their outputs and how each output is checked
(R11). A table's outputs are fixed by what intake does with them; the rows are the
process administrator's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import dmn
from .models import Urgency

ROUTING = "routing"
TIME_LIMITS = "time_limits"
MAX_MINUTES = 366 * 24 * 60


@dataclass(frozen=True)
class TableSpec:
    key: str
    name: Any
    purpose: Any
    outputs: tuple[tuple[str, Any, str], ...]  # (name, label, typeRef)


SPECS: dict[str, TableSpec] = {
    ROUTING: TableSpec(
        ROUTING,
        gettext_lazy("派单规则"),
        gettext_lazy(
            "新工单的处理单位、紧急程度、时限与流程;COLLECT 时每个输出取第一条给出它的规则"
        ),
        (
            ("unit", gettext_lazy("目标单位编码"), "string"),
            ("department", gettext_lazy("地市内部门编码"), "string"),
            ("urgency", gettext_lazy("紧急程度"), "string"),
            ("time_limit_minutes", gettext_lazy("时限(分钟)"), "number"),
            ("process_key", gettext_lazy("流程"), "string"),
        ),
    ),
    TIME_LIMITS: TableSpec(
        TIME_LIMITS,
        gettext_lazy("紧急程度时限"),
        gettext_lazy("按分类 × 紧急程度缩短时限:给出分钟数,或给出基础时限的百分比"),
        (
            ("time_limit_minutes", gettext_lazy("时限(分钟)"), "number"),
            ("limit_percent", gettext_lazy("基础时限百分比"), "number"),
        ),
    ),
}


def _minutes(name: str, value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MINUTES:
        return _("%(n)s 应为 1–%(max)s 的整数") % {"n": name, "max": MAX_MINUTES}
    return None


def _percent(name: str, value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 1 <= value <= 100:
        return _("%(n)s 应为 1–100") % {"n": name}
    return None


def _urgency(name: str, value: Any) -> str | None:
    if value not in Urgency.values:
        return _("紧急程度应为 %(all)s 之一") % {"all": ", ".join(Urgency.values)}
    return None


def checks(key: str) -> Mapping[str, dmn.OutputCheck | None]:
    """The output checks of ``key``'s table, with the reference codes read once."""
    from complaintloop.org.models import Unit, UnitKind
    from complaintloop.processes.models import ProcessDefinition

    if key == TIME_LIMITS:
        return {"time_limit_minutes": _minutes, "limit_percent": _percent}
    units = set(Unit.objects.filter(is_active=True).values_list("code", flat=True))
    departments = {
        code.split("-", 1)[1]
        for code in Unit.objects.filter(is_active=True, kind=UnitKind.DEPARTMENT).values_list(
            "code", flat=True
        )
        if "-" in code
    }
    processes = set(ProcessDefinition.objects.filter(is_active=True).values_list("key", flat=True))

    def unit(name: str, value: Any) -> str | None:
        return None if value in units else _("单位编码 %(c)s 不存在或已停用") % {"c": value}

    def department(name: str, value: Any) -> str | None:
        if value in departments:
            return None
        return _("没有编码以 -%(c)s 结尾的部门") % {"c": value}

    def process(name: str, value: Any) -> str | None:
        return None if value in processes else _("流程 %(c)s 没有已发布版本") % {"c": value}

    return {
        "unit": unit,
        "department": department,
        "urgency": _urgency,
        "time_limit_minutes": _minutes,
        "process_key": process,
    }


def default_time_limits() -> dmn.Sheet:
    """The shipped urgency table: 紧急 halves the limit, 特急 quarters it (R12)."""
    return dmn.Sheet(
        key=TIME_LIMITS,
        name=str(SPECS[TIME_LIMITS].name),
        hit_policy="FIRST",
        inputs=[("urgency", str(_("紧急程度"))), ("category", str(_("分类(含下级)")))],
        outputs=[(n, str(label), t) for n, label, t in SPECS[TIME_LIMITS].outputs],
        rows=[
            ("critical_all", str(_("特急:基础时限的 25%")), ['"critical"', "-"], ["", "25"]),
            ("urgent_all", str(_("紧急:基础时限的 50%")), ['"urgent"', "-"], ["", "50"]),
        ],
    )
