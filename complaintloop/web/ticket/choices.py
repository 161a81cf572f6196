"""Choices the action forms offer."""

from __future__ import annotations

from django.db.models import QuerySet

from complaintloop.org.models import Staff, Unit, UnitKind


def target_units(actor: Staff) -> QuerySet[Unit]:
    """Departments and teams of the actor's province, the units work can be sent to."""
    if actor.unit_id:
        province = "/" + actor.unit.path.strip("/").split("/")[0] + "/"
    else:
        province = "/"
    return (
        Unit.objects.filter(
            path__startswith=province,
            kind__in=[UnitKind.DEPARTMENT, UnitKind.TEAM],
            is_active=True,
        )
        .select_related("region")
        .order_by("path")
    )
