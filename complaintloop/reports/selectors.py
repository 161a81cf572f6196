"""Reads: the reports and recipients an actor may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from complaintloop.core.errors import NotFound
from complaintloop.org.models import Staff

from . import periods
from .models import Recipient, Report, ReportKind
from .services import scopes_for

PAGE_SIZE = 50


def reports(actor: Staff, *, kind: str = "", period: str = "", scope: str = "") -> QuerySet[Report]:
    """Reports in the actor's scope, newest first, filtered by kind, month
    (``YYYY-MM``: reports whose period starts in it) and scope unit code."""
    qs = Report.objects.visible_to(actor).select_related("scope_unit", "requested_by")
    if kind in ReportKind.values:
        qs = qs.filter(kind=kind)
    if period and (m := periods.MONTH_RE.match(period.strip())):
        qs = qs.filter(period_start__year=int(m[1]), period_start__month=int(m[2]))
    if scope:
        qs = qs.filter(scope_unit__code=scope)
    return qs.order_by("-period_start", "scope_unit__path", "-created_at", "-id")


def report(actor: Staff, report_id: int) -> Report:
    """One report; absent and out of scope look the same (404)."""
    found = reports(actor).filter(pk=report_id).first()
    if found is None:
        raise NotFound("report.not_found", _("报告不存在"))
    return found


def recipients(actor: Staff) -> QuerySet[Recipient]:
    units = [u.pk for u in scopes_for(actor)]
    return Recipient.objects.filter(scope_unit_id__in=units).select_related("scope_unit")
