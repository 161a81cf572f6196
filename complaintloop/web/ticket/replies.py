"""Canned replies (回复模板) a handler can start a reply from; {customer} and {number}
are filled with the ticket's customer name and number."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REPLIES = [
    {
        "key": "broadband_fixed",
        "title": _("宽带故障已修复"),
        "text": _(
            "{customer}您好,您反映的宽带故障(工单 {number})经网管中心排查,"
            "系光猫/入户线路故障所致,现已更换设备并恢复正常,"
            "测试网速达标。如再有问题请致电 10000 号,感谢您的耐心。"
        ),
    },
    {
        "key": "billing_refund",
        "title": _("话费异常已退费"),
        "text": _(
            "{customer}您好,关于您反映的话费异常(工单 {number}),经核查系增值业务误订购所致,"
            "已为您退订该业务并将多扣费用退还至话费账户,预计 24 小时内到账。"
        ),
    },
    {
        "key": "billing_correct",
        "title": _("话费核查无误"),
        "text": _(
            "{customer}您好,关于工单 {number},经逐项核查您当月的通话、流量及套餐费用,"
            "计费准确无误,详细清单已通过短信发送,如有疑问可到营业厅打印详单。"
        ),
    },
    {
        "key": "coverage_plan",
        "title": _("信号覆盖已纳入规划"),
        "text": _(
            "{customer}您好,您反映的所在区域信号弱问题(工单 {number})已现场测试确认,"
            "该点位已纳入本年度基站建设规划,建成前已为您优化邻近小区参数,给您带来不便深表歉意。"
        ),
    },
    {
        "key": "visit_scheduled",
        "title": _("已预约上门"),
        "text": _(
            "{customer}您好,针对工单 {number},我们已安排装维人员上门处理,"
            "工程师将提前电话与您确认具体时间,请保持电话畅通。"
        ),
    },
    {
        "key": "service_apology",
        "title": _("服务态度致歉"),
        "text": _(
            "{customer}您好,对您在工单 {number} 中反映的服务问题我们深表歉意,"
            "已对相关人员进行批评教育并纳入考核,我们将持续改进服务质量。"
        ),
    },
    {
        "key": "policy_explained",
        "title": _("政策解释"),
        "text": _(
            "{customer}您好,关于工单 {number},您咨询的业务规则已向您详细解释:"
            "套餐变更次月生效,当月按原套餐计费,感谢您的理解与支持。"
        ),
    },
    {
        "key": "unsubscribed",
        "title": _("已退订业务"),
        "text": _(
            "{customer}您好,按您的要求(工单 {number}),相关业务已办理退订,"
            "即时生效且不再产生费用,退订结果短信已发送至您的手机。"
        ),
    },
]


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def filled(customer: str, number: str) -> list[dict]:
    """The replies with this ticket's values put in."""
    values = _Safe(customer=customer, number=number)
    return [
        {"key": r["key"], "title": str(r["title"]), "text": str(r["text"]).format_map(values)}
        for r in REPLIES
    ]
