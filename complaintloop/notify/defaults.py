"""The shipped notification templates: every event, channel and language has one.

A data migration loads them; the renderer also falls back to them when a row is
missing (e.g. an administrator deleted it), so an event is never silently dropped."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy as _

# The only names a template may use; the renderer fills them with plain strings.
VARIABLES: dict[str, Any] = {
    "ticket.number": _("工单号"),
    "ticket.title": _("标题"),
    "ticket.status": _("状态"),
    "ticket.type": _("工单类型"),
    "ticket.category": _("投诉分类"),
    "ticket.urgency": _("紧急程度"),
    "ticket.due_at": _("办结时限"),
    "customer.name": _("客户姓名"),
    "customer.level": _("客户级别"),
    "unit.name": _("当前处理部门"),
    "event.kind": _("事件名称"),
    "event.comment": _("处理意见或回复内容"),
    "event.at": _("事件时间"),
    "recipient.name": _("收件人"),
    "portal_url": _("进度查询地址"),
}


class Default(NamedTuple):
    subject: str
    body: str
    urgent: bool = False


_PORTAL_ZH = "进度查询:{{ portal_url }}"
_PORTAL_EN = "Track it at {{ portal_url }}"

# Customers hear about intake, acceptance, transfer, the answer and the close (R14).
CUSTOMER: dict[str, dict[str, dict[str, Default]]] = {
    "customer.created": {
        "zh-hans": {
            "sms": Default(
                "", "【客服】您反映的问题已受理,工单号 {{ ticket.number }},我们将尽快处理。"
            ),
            "email": Default(
                "您的工单 {{ ticket.number }} 已受理",
                "{{ customer.name }},您好:\n\n您反映的问题「{{ ticket.title }}」已受理,"
                "工单号 {{ ticket.number }}。我们将尽快处理并告知您进展。\n\n" + _PORTAL_ZH,
            ),
        },
        "en": {
            "sms": Default(
                "", "[Service] We have registered your request, ticket {{ ticket.number }}."
            ),
            "email": Default(
                "Your ticket {{ ticket.number }} has been registered",
                "Dear {{ customer.name }},\n\nwe have registered your request "
                '"{{ ticket.title }}" as ticket {{ ticket.number }} and will keep you '
                "informed.\n\n" + _PORTAL_EN,
            ),
        },
    },
    "customer.accepted": {
        "zh-hans": {
            "sms": Default("", "【客服】您的工单 {{ ticket.number }} 已由处理部门签收,正在处理。"),
            "email": Default(
                "您的工单 {{ ticket.number }} 正在处理",
                "{{ customer.name }},您好:\n\n您的工单 {{ ticket.number }}「{{ ticket.title }}」"
                "已由{{ unit.name }}签收,正在处理。\n\n" + _PORTAL_ZH,
            ),
        },
        "en": {
            "sms": Default(
                "", "[Service] Ticket {{ ticket.number }} has been accepted and is being handled."
            ),
            "email": Default(
                "Your ticket {{ ticket.number }} is being handled",
                "Dear {{ customer.name }},\n\nticket {{ ticket.number }} "
                '("{{ ticket.title }}") has been accepted by {{ unit.name }} and is being '
                "handled.\n\n" + _PORTAL_EN,
            ),
        },
    },
    "customer.transferred": {
        "zh-hans": {
            "sms": Default("", "【客服】您的工单 {{ ticket.number }} 已转交相关部门处理。"),
            "email": Default(
                "您的工单 {{ ticket.number }} 已转交处理",
                "{{ customer.name }},您好:\n\n您的工单 {{ ticket.number }} 已转交"
                "{{ unit.name }}处理。\n\n" + _PORTAL_ZH,
            ),
        },
        "en": {
            "sms": Default(
                "", "[Service] Ticket {{ ticket.number }} has been passed to the right team."
            ),
            "email": Default(
                "Your ticket {{ ticket.number }} was passed on",
                "Dear {{ customer.name }},\n\nticket {{ ticket.number }} has been passed to "
                "{{ unit.name }}.\n\n" + _PORTAL_EN,
            ),
        },
    },
    "customer.replied": {
        "zh-hans": {
            "sms": Default("", "【客服】您的工单 {{ ticket.number }} 已处理完毕,稍后将回访您。"),
            "email": Default(
                "您的工单 {{ ticket.number }} 已处理完毕",
                "{{ customer.name }},您好:\n\n您的工单 {{ ticket.number }} 已处理完毕。"
                "{% if event.comment %}处理结果:\n{{ event.comment }}\n{% endif %}\n"
                "我们稍后将回访您。\n\n" + _PORTAL_ZH,
            ),
        },
        "en": {
            "sms": Default(
                "", "[Service] Ticket {{ ticket.number }} has been answered; we will call back."
            ),
            "email": Default(
                "Your ticket {{ ticket.number }} has been answered",
                "Dear {{ customer.name }},\n\nticket {{ ticket.number }} has been answered."
                "{% if event.comment %}\nOur answer:\n{{ event.comment }}\n{% endif %}\n"
                "We will call you back shortly.\n\n" + _PORTAL_EN,
            ),
        },
    },
    "customer.closed": {
        "zh-hans": {
            "sms": Default("", "【客服】您的工单 {{ ticket.number }} 已办结,感谢您的支持。"),
            "email": Default(
                "您的工单 {{ ticket.number }} 已办结",
                "{{ customer.name }},您好:\n\n您的工单 {{ ticket.number }}「{{ ticket.title }}」"
                "已办结,感谢您的支持。",
            ),
        },
        "en": {
            "sms": Default("", "[Service] Ticket {{ ticket.number }} is closed. Thank you."),
            "email": Default(
                "Your ticket {{ ticket.number }} is closed",
                'Dear {{ customer.name }},\n\nticket {{ ticket.number }} ("{{ ticket.title }}")'
                " is closed. Thank you for your patience.",
            ),
        },
    },
}

# In-app notices for the staff of the units holding the ticket.
_STAFF_TITLES = {
    "created": ("新工单待签收", "New ticket to accept"),
    "dispatched": ("新工单待签收", "New ticket to accept"),
    "transferred": ("工单转派给您", "Ticket transferred to you"),
    "returned": ("工单被回退", "Ticket returned"),
    "assist_requested": ("协办请求", "Assistance requested"),
    "urged": ("工单催办", "Ticket urged"),
    "supervised": ("工单督办", "Ticket under supervision"),
    "escalated": ("工单升级", "Ticket escalated"),
    "sla_near": ("工单即将超时", "Ticket about to breach its deadline"),
    "sla_breached": ("工单已超时", "Ticket overdue"),
    "first_response_breached": ("工单首次响应超时", "First response overdue"),
    "called_back": ("回访结果", "Callback result"),
    "reopened": ("工单重启", "Ticket reopened"),
}
STAFF: dict[str, dict[str, dict[str, Default]]] = {
    f"staff.{kind}": {
        "zh-hans": {"in_app": Default(f"{zh}:{{{{ ticket.number }}}}", "{{ ticket.title }}")},
        "en": {"in_app": Default(f"{en}: {{{{ ticket.number }}}}", "{{ ticket.title }}")},
    }
    for kind, (zh, en) in _STAFF_TITLES.items()
}

# Supervisors: VIP tickets and SLA breaches, in-app plus SMS/email per their settings.
SUPERVISOR: dict[str, dict[str, dict[str, Default]]] = {
    "supervisor.vip": {
        "zh-hans": {
            "in_app": Default("VIP 客户工单:{{ ticket.number }}", "{{ ticket.title }}"),
            "sms": Default(
                "",
                "【工单提醒】VIP 客户{{ customer.name }}的工单 {{ ticket.number }}"
                "「{{ ticket.title }}」已受理,请关注。",
            ),
            "email": Default(
                "VIP 客户工单 {{ ticket.number }}",
                "{{ recipient.name }}:\n\nVIP 客户{{ customer.name }}的工单 {{ ticket.number }}"
                "「{{ ticket.title }}」已受理({{ ticket.category }}),当前处理部门:"
                "{{ unit.name }},办结时限:{{ ticket.due_at }}。",
            ),
        },
        "en": {
            "in_app": Default("VIP customer ticket: {{ ticket.number }}", "{{ ticket.title }}"),
            "sms": Default(
                "",
                "[Alert] VIP customer {{ customer.name }}: ticket {{ ticket.number }} "
                '"{{ ticket.title }}" was registered.',
            ),
            "email": Default(
                "VIP customer ticket {{ ticket.number }}",
                "{{ recipient.name }},\n\nVIP customer {{ customer.name }} has ticket "
                '{{ ticket.number }} "{{ ticket.title }}" ({{ ticket.category }}), '
                "now with {{ unit.name }}, due {{ ticket.due_at }}.",
            ),
        },
    },
    "supervisor.sla_breached": {
        "zh-hans": {
            "in_app": Default("工单已超时:{{ ticket.number }}", "{{ ticket.title }}"),
            "sms": Default(
                "",
                "【超时告警】工单 {{ ticket.number }} 已超过办结时限 {{ ticket.due_at }},"
                "当前处理部门:{{ unit.name }}。",
                urgent=True,
            ),
            "email": Default(
                "工单 {{ ticket.number }} 已超时",
                "{{ recipient.name }}:\n\n工单 {{ ticket.number }}「{{ ticket.title }}」"
                "已超过办结时限 {{ ticket.due_at }},当前处理部门:{{ unit.name }},"
                "状态:{{ ticket.status }}。",
            ),
        },
        "en": {
            "in_app": Default("Ticket overdue: {{ ticket.number }}", "{{ ticket.title }}"),
            "sms": Default(
                "",
                "[SLA] Ticket {{ ticket.number }} passed its deadline {{ ticket.due_at }}; "
                "with {{ unit.name }}.",
                urgent=True,
            ),
            "email": Default(
                "Ticket {{ ticket.number }} is overdue",
                '{{ recipient.name }},\n\nticket {{ ticket.number }} "{{ ticket.title }}" '
                "passed its deadline {{ ticket.due_at }}; it is with {{ unit.name }}, "
                "status {{ ticket.status }}.",
            ),
        },
    },
}

ALL: dict[str, dict[str, dict[str, Default]]] = {**CUSTOMER, **STAFF, **SUPERVISOR}
EVENTS: list[str] = list(ALL)


def get(event: str, channel: str, language: str) -> Default | None:
    return ALL.get(event, {}).get(language, {}).get(channel)


def rows() -> list[dict]:
    """Every shipped template as field values for ``NotificationTemplate``."""
    return [
        {
            "event": event,
            "channel": channel,
            "language": language,
            "subject": d.subject,
            "body": d.body,
            "is_urgent": d.urgent,
        }
        for event, by_language in ALL.items()
        for language, by_channel in by_language.items()
        for channel, d in by_channel.items()
    ]
