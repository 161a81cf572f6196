"""The trace timeline: each event's payload said in words."""

from __future__ import annotations

from datetime import datetime

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from complaintloop.core import clock
from complaintloop.org.models import AssignmentMode
from complaintloop.routing import reasons
from complaintloop.routing.models import Urgency
from complaintloop.tickets.models import EventKind, LinkKind, Status, TicketEvent, WorkItemKind

SATISFACTION = {
    "satisfied": gettext_lazy("满意"),
    "neutral": pgettext_lazy("satisfaction", "一般"),
    "dissatisfied": gettext_lazy("不满意"),
}


def _when(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return clock.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _assignment(item: dict, unit) -> str:
    """One assignment reason (tickets.services.assignment) in the reader's language."""
    code = item.get("code")
    where = unit(item.get("unit"))
    mode = _label(AssignmentMode, item.get("mode", "")) if item.get("mode") else ""
    if code == "assigned":
        text = _("%(unit)s按「%(mode)s」分给 %(name)s(当时在办 %(load)s 件)") % {
            "unit": where,
            "mode": mode,
            "name": item.get("name") or item.get("staff"),
            "load": item.get("load", 0),
        }
        if item.get("skills"):
            text += _(",技能匹配:%(s)s") % {"s": "、".join(item["skills"])}
        return text
    if code == "nobody_present":
        return _("%(unit)s 无在岗人员,留在单位待办池") % {"unit": where}
    if code == "all_full":
        return _("%(unit)s 在岗人员均已达在办上限,留在单位待办池") % {"unit": where}
    if code == "pushed":
        return _("分配给 %(name)s") % {"name": item.get("name") or item.get("staff")}
    if code == "pulled_back":
        return _("收回到 %(unit)s 待办池") % {"unit": where}
    return str(code)


def details(event: TicketEvent, unit_names: dict[str, str]) -> list[dict]:
    """[{label, text, ticket?}] for the payload keys a reader cares about."""

    def unit(code):
        return unit_names.get(code, code) if code else "—"

    p = event.payload or {}
    out: list[dict] = []
    routing = p.get("routing")
    if isinstance(routing, dict):
        out.append({"label": _("分派"), "text": unit(routing.get("unit"))})
        said = reasons.say(routing, unit_names)
        if said:
            out.append({"label": _("路由依据"), "text": said})
    out.extend(
        {"label": _("单位内分配"), "text": _assignment(item, unit)}
        for item in p.get("assignments") or []
        if isinstance(item, dict)
    )
    if isinstance(p.get("assigned"), dict):
        out.append({"label": _("分配"), "text": _assignment(p["assigned"], unit)})
    if p.get("from_unit") or p.get("to_unit"):
        if p.get("from_unit"):
            out.append({"label": _("原单位"), "text": unit(p.get("from_unit"))})
        if p.get("to_unit"):
            out.append({"label": _("目标单位"), "text": unit(p.get("to_unit"))})
    if p.get("units"):
        out.append({"label": _("协办单位"), "text": "、".join(unit(c) for c in p["units"])})
    if p.get("unit") and event.kind not in (EventKind.CREATED, EventKind.ASSIGNED):
        out.append({"label": _("单位"), "text": unit(p["unit"])})
    if "result" in p:
        out.append(
            {"label": _("回访结果"), "text": str(SATISFACTION.get(p["result"], p["result"]))}
        )
    if p.get("second_handling"):
        out.append({"label": _("二次处理"), "text": _("是")})
    for key, label in (("into", _("合并至")), ("from", _("被合并工单")), ("target", _("目标工单"))):
        if p.get(key):
            out.append({"label": label, "text": p[key], "ticket": p[key]})
    if p.get("parent"):
        out.append({"label": _("主工单"), "text": p["parent"], "ticket": p["parent"]})
    if event.kind == EventKind.LINKED and p.get("kind"):
        out.append({"label": _("关联类型"), "text": _label(LinkKind, p["kind"])})
    if p.get("kind") in WorkItemKind.values and event.kind != EventKind.LINKED:
        out.append({"label": _("待办类型"), "text": _label(WorkItemKind, p["kind"])})
    if "due_at_before" in p:
        out.append({"label": _("原时限"), "text": _when(p.get("due_at_before"))})
    if p.get("due_at"):
        out.append({"label": _("时限"), "text": _when(p["due_at"])})
    if p.get("first_response_due_at"):
        out.append({"label": _("首次响应时限"), "text": _when(p["first_response_due_at"])})
    if p.get("suspended_minutes"):
        out.append(
            {"label": _("挂起时长"), "text": _("%(m)s 分钟") % {"m": p["suspended_minutes"]}}
        )
    if "on_time" in p:
        out.append({"label": _("是否及时"), "text": _("及时") if p["on_time"] else _("超时")})
    if p.get("urge_count"):
        out.append({"label": _("催办次数"), "text": str(p["urge_count"])})
    if p.get("escalation_level"):
        out.append({"label": _("升级级别"), "text": str(p["escalation_level"])})
    if p.get("urgency"):
        out.append({"label": _("紧急程度"), "text": _label(Urgency, p["urgency"])})
    if p.get("pre_handling"):
        out.append({"label": _("预处理"), "text": p["pre_handling"]})
    if isinstance(p.get("attachments"), list):
        out.append(
            {
                "label": _("附件"),
                "text": "、".join(
                    f"{f.get('name', '')} ({filesizeformat(f.get('size') or 0)})"
                    for f in p["attachments"]
                    if isinstance(f, dict)
                ),
            }
        )
    if p.get("incident"):
        out.append({"label": _("重大故障"), "text": p["incident"]})
    if p.get("resolved_at_first_contact"):
        out.append({"label": _("首问解决"), "text": _("是")})
    return out


def kind_label(event: TicketEvent) -> str:
    """The event's name in the timeline; a note that only files attachments says so."""
    if event.kind == EventKind.COMMENTED and (event.payload or {}).get("attachments"):
        return str(_("上传附件"))
    return event.get_kind_display()


def units_in(events: list[TicketEvent]) -> set[str]:
    codes: set[str] = set()
    for e in events:
        p = e.payload or {}
        for key in ("from_unit", "to_unit", "unit"):
            if isinstance(p.get(key), str):
                codes.add(p[key])
        if isinstance(p.get("routing"), dict) and p["routing"].get("unit"):
            codes.add(p["routing"]["unit"])
        codes.update(c for c in p.get("units") or [] if isinstance(c, str))
    return codes


def status_label(value: str) -> str:
    return _label(Status, value) if value else ""
