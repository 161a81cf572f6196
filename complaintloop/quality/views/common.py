"""What every quality page shares: access, period parsing, form errors."""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaintloop.core import clock
from complaintloop.core.errors import DomainError, Invalid

PERIODS = (
    ("day", gettext_lazy("日")),
    ("week", gettext_lazy("周")),
    ("month", gettext_lazy("月")),
)
BYS = (
    ("region", gettext_lazy("按地市")),
    ("unit", gettext_lazy("按受理单位")),
)


def quality_required(view):
    """Quality pages: supervisors, quality managers, admins and auditors, always inside
    their own data scope (the selectors apply it)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.can_view_quality:
            return render(request, "quality/forbidden.html", {"nav": "quality"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def today() -> date:
    return clock.localtime().date()


def parse_day(value: str | None, field: str, default: date | None = None) -> date | None:
    if not value:
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("quality.date", _("日期格式应为 YYYY-MM-DD"), {field: [_("无效")]}) from None


def parse_month(value: str | None) -> date:
    if not value:
        return today().replace(day=1)
    try:
        year, month = value.strip().split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        raise Invalid("quality.month", _("月份格式应为 YYYY-MM"), {"month": [_("无效")]}) from None


def parse_choice(value: str | None, field: str, choices, default: str) -> str:
    if not value:
        return default
    allowed = [c for c, _label in choices]
    if value not in allowed:
        raise Invalid(
            "quality.choice",
            _("不支持的取值:%(v)s") % {"v": value},
            {field: [", ".join(allowed)]},
        )
    return value


def form_errors(exc: DomainError) -> dict:
    """A domain error as a page shows it: the message on top, a line under each field."""
    fields = {}
    for name, problems in (exc.fields or {}).items():
        if isinstance(problems, list | tuple):
            fields[name] = "; ".join(str(p) for p in problems)
        else:
            fields[name] = str(problems)
    return {"message": exc.message, "fields": fields}
