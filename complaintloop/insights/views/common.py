"""What every insights page shares: access, date parsing, form errors, SLA badges."""

from __future__ import annotations

from datetime import date, datetime
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from complaintloop.core.errors import DomainError, Invalid


def quality_required(view):
    """Quality pages: supervisors, quality managers, admins and auditors (R29), always
    inside their own data scope (the selectors apply it)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.can_view_quality:
            return render(request, "insights/forbidden.html", {"nav": "quality"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def parse_day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("insights.date", _("日期格式应为 YYYY-MM-DD"), {field: [_("无效")]}) from None


def parse_int(value: str | None, field: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise Invalid("insights.number", _("请输入整数"), {field: [_("无效")]}) from None


def form_errors(exc: DomainError) -> dict:
    """A domain error as the page shows it: the message on top, a line under each field."""
    fields = {}
    for name, problems in (exc.fields or {}).items():
        if isinstance(problems, list | tuple):
            fields[name] = "; ".join(str(p) for p in problems)
        else:
            fields[name] = str(problems)
    return {"message": exc.message, "fields": fields}


def span(minutes: int) -> str:
    minutes = abs(minutes)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": mins}
    return _("%(m)s分") % {"m": mins}


def sla_badge(due: datetime | None, now: datetime, *, done: bool = False) -> dict:
    """The countdown a notice shows like a ticket: ok, near (under a day) or breached;
    the page's ticker refreshes the text from ``due`` every 30 s."""
    if due is None or done:
        return {"cls": "", "text": "—", "due": ""}
    minutes = int((due - now).total_seconds() // 60)
    if minutes < 0:
        return {"cls": "breached", "text": _("超时 %(t)s") % {"t": span(minutes)},
                "due": due.isoformat()}  # fmt: skip
    cls = "near" if minutes < 24 * 60 else "ok"
    return {"cls": cls, "text": _("剩余 %(t)s") % {"t": span(minutes)}, "due": due.isoformat()}
