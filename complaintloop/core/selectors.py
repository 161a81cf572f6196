"""Reads of the audit log for auditors: filtered, newest first, keyset-paged."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import AuditLog

# The families of audited actions, by prefix, as the auditor filters them.
FAMILIES = ("pii", "export", "config", "retention", "login", "security")


@dataclass(frozen=True)
class AuditFilter:
    family: str = ""  # one of FAMILIES, or "" for all
    action: str = ""  # an exact action, e.g. config.changed
    actor: str = ""  # username
    object_type: str = ""  # app_label.model, e.g. routing.routingrule
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None
    before_id: int | None = None  # keyset cursor: entries older than this id


def audit_log(flt: AuditFilter) -> QuerySet[AuditLog]:
    qs = AuditLog.objects.select_related("actor")
    if flt.family:
        qs = qs.filter(action__startswith=f"{flt.family}.")
    if flt.action:
        qs = qs.filter(action=flt.action)
    if flt.actor:
        qs = qs.filter(Q(actor__username=flt.actor))
    if flt.object_type:
        qs = qs.filter(object_type=flt.object_type)
    if flt.since:
        qs = qs.filter(at__gte=flt.since)
    if flt.until:
        qs = qs.filter(at__lt=flt.until)
    if flt.before_id:
        qs = qs.filter(id__lt=flt.before_id)
    return qs.order_by("-id")


def object_types() -> list[str]:
    return list(AuditLog.objects.order_by().values_list("object_type", flat=True).distinct())
