"""关键词词典: the domain words jieba keeps whole and the stop words it drops. Quality
managers edit them; the change reaches every process through the outbox."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintloop.core.errors import DomainError, Invalid

from .. import keywords, services
from ..models import DomainTerm, StopWord
from .common import form_errors, parse_int, quality_required


def _page(request, *, errors=None, values=None, status=200):
    sample = request.GET.get("sample", "")[:2000]
    return render(
        request,
        "insights/dictionary.html",
        {
            "nav": "quality",
            "subnav": "hotspots",
            "terms": list(DomainTerm.objects.order_by("word")),
            "stops": list(StopWord.objects.order_by("word")),
            "can_edit": services.can_administer(request.user),
            "sample": sample,
            "extracted": keywords.extract(sample, top=10) if sample else [],
            "errors": errors,
            "values": values or {},
            "max_days": services.REEXTRACT_MAX_DAYS,
        },
        status=status,
    )


@require_GET
@quality_required
def index(request):
    return _page(request)


def _weight(value: str | None) -> float:
    try:
        return float(value or 1.5)
    except ValueError:
        raise Invalid("dictionary.weight", _("权重须为数字"), {"weight": [_("无效")]}) from None


@require_POST
@quality_required
def act(request, action: str):
    actor = request.user
    post = request.POST
    try:
        if action == "term":
            term = services.save_domain_term(
                actor=actor, word=post.get("word", ""), weight=_weight(post.get("weight"))
            )
            messages.success(request, _("已保存领域词「%(w)s」") % {"w": term.word})
        elif action == "term_delete":
            services.delete_domain_term(actor=actor, word=post.get("word", ""))
            messages.success(request, _("已删除领域词"))
        elif action == "stop":
            stop = services.add_stop_word(actor=actor, word=post.get("word", ""))
            messages.success(request, _("已添加停用词「%(w)s」") % {"w": stop.word})
        elif action == "stop_delete":
            services.delete_stop_word(actor=actor, word=post.get("word", ""))
            messages.success(request, _("已删除停用词"))
        elif action == "reextract":
            days = parse_int(post.get("days"), "days", 7)
            services.request_reextraction(actor=actor, days=days)
            messages.success(
                request, _("已提交:后台将重新提取近 %(n)s 天工单的关键词") % {"n": days}
            )
        else:
            return redirect("insights:dictionary")
    except DomainError as exc:
        return _page(request, errors={"action": action, **form_errors(exc)}, values=post.dict(),
                     status=exc.status)  # fmt: skip
    return redirect("insights:dictionary")
