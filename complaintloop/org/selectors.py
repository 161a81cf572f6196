"""Reference reads of the organisation tree, cached briefly (intake reads them every time)."""

from __future__ import annotations

from complaintloop.core.cache import ttl_cached

from .models import Unit


@ttl_cached(10)
def unit(unit_id: int | None) -> Unit | None:
    if unit_id is None:
        return None
    return Unit.objects.filter(pk=unit_id).first()


@ttl_cached(10)
def unit_by_code(code: str) -> Unit | None:
    return Unit.objects.filter(code=code, is_active=True).first()


def region_of(unit_obj: Unit | None) -> Unit | None:
    return unit(unit_obj.region_id) if unit_obj is not None and unit_obj.region_id else None
