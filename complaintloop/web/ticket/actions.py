"""The ticket page's action forms: which fields each action asks for and which
service it calls. The services decide; the page only offers what
``permissions.available_actions`` allows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaintloop.org.models import Staff
from complaintloop.tickets import services
from complaintloop.tickets.models import Ticket


@dataclass(frozen=True)
class ActionSpec:
    label: str
    fields: tuple[str, ...]
    call: Callable[[str, Staff, QueryDict, int | None], Ticket]
    comment_label: str = _("说明")
    comment_required: bool = False
    style: str = "secondary"


def _c(data: QueryDict) -> str:
    return data.get("comment", "")


ACTIONS: dict[str, ActionSpec] = {
    "dispatch": ActionSpec(
        _("派单"),
        ("to_unit", "comment"),
        lambda n, a, d, v: services.dispatch(
            n, actor=a, to_unit=d.get("to_unit", ""), comment=_c(d), version=v
        ),
        style="primary",
    ),
    "accept": ActionSpec(
        _("签收"),
        ("comment",),
        lambda n, a, d, v: services.accept(n, actor=a, comment=_c(d), version=v),
        style="primary",
    ),
    "transfer": ActionSpec(
        _("转派"),
        ("to_unit", "comment"),
        lambda n, a, d, v: services.transfer(
            n, actor=a, to_unit=d.get("to_unit", ""), comment=_c(d), version=v
        ),
        comment_label=_("转派说明"),
    ),
    "return": ActionSpec(
        _("回退"),
        ("comment",),
        lambda n, a, d, v: services.return_(n, actor=a, comment=_c(d), version=v),
        comment_label=_("回退原因"),
        comment_required=True,
    ),
    "request_assistance": ActionSpec(
        _("发起协办"),
        ("units", "comment"),
        lambda n, a, d, v: services.request_assistance(
            n, actor=a, units=d.getlist("units"), comment=_c(d), version=v
        ),
        comment_label=_("协办要求"),
        comment_required=True,
    ),
    "complete_assistance": ActionSpec(
        _("完成协办"),
        ("assist_unit", "comment"),
        lambda n, a, d, v: services.complete_assistance(
            n, actor=a, comment=_c(d), unit=d.get("unit", ""), version=v
        ),
        comment_label=_("协办结果"),
        comment_required=True,
        style="primary",
    ),
    "suspend": ActionSpec(
        pgettext_lazy("action", "挂起"),
        ("comment",),
        lambda n, a, d, v: services.suspend(n, actor=a, comment=_c(d), version=v),
        comment_label=_("挂起原因"),
        comment_required=True,
    ),
    "resume": ActionSpec(
        _("解挂"),
        ("comment",),
        lambda n, a, d, v: services.resume(n, actor=a, comment=_c(d), version=v),
        style="primary",
    ),
    "reply": ActionSpec(
        _("回复"),
        ("template", "comment"),
        lambda n, a, d, v: services.reply(n, actor=a, comment=_c(d), version=v),
        comment_label=_("处理结果"),
        comment_required=True,
        style="primary",
    ),
    "callback": ActionSpec(
        _("回访"),
        ("result", "comment"),
        lambda n, a, d, v: services.callback(
            n, actor=a, result=d.get("result", ""), comment=_c(d), version=v
        ),
        comment_label=_("回访记录"),
        style="primary",
    ),
    "close": ActionSpec(
        _("归档"),
        ("comment",),
        lambda n, a, d, v: services.close(n, actor=a, comment=_c(d), version=v),
        comment_label=_("归档说明"),
        comment_required=True,
    ),
    "reopen": ActionSpec(
        _("重启"),
        ("comment",),
        lambda n, a, d, v: services.reopen(n, actor=a, comment=_c(d), version=v),
        comment_label=_("重启原因"),
        comment_required=True,
    ),
    "urge": ActionSpec(
        _("催办"),
        ("comment",),
        lambda n, a, d, v: services.urge(n, actor=a, comment=_c(d), version=v),
    ),
    "supervise": ActionSpec(
        pgettext_lazy("action", "督办"),
        ("comment",),
        lambda n, a, d, v: services.supervise(n, actor=a, comment=_c(d), version=v),
    ),
    "escalate": ActionSpec(
        _("升级"),
        ("comment",),
        lambda n, a, d, v: services.escalate(n, actor=a, comment=_c(d), version=v),
        style="danger",
    ),
    "merge": ActionSpec(
        _("合并"),
        ("target", "comment"),
        lambda n, a, d, v: services.merge(
            n, actor=a, target=d.get("target", "").strip(), comment=_c(d), version=v
        ),
    ),
    "link": ActionSpec(
        _("关联"),
        ("target", "link_kind", "comment"),
        lambda n, a, d, v: services.link(
            n,
            actor=a,
            target=d.get("target", "").strip(),
            kind=d.get("kind", "related"),
            comment=_c(d),
            version=v,
        ),
    ),
    "set_parent": ActionSpec(
        _("设置主工单"),
        ("target", "comment"),
        lambda n, a, d, v: services.set_parent(
            n, actor=a, target=d.get("target", "").strip(), comment=_c(d), version=v
        ),
    ),
    "comment": ActionSpec(
        _("备注"),
        ("comment",),
        lambda n, a, d, v: services.comment(n, actor=a, comment=_c(d), version=v),
        comment_label=_("备注内容"),
        comment_required=True,
    ),
}
