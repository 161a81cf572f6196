"""Organisation writes: system administrators maintain the unit tree (R29)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from complaintloop.core.errors import Conflict, Forbidden, Invalid

from .models import Role, Staff, Unit, UnitKind

# A child's kind must sit below its parent's.
KIND_ORDER = [
    UnitKind.PROVINCE,
    UnitKind.CITY,
    UnitKind.DISTRICT,
    UnitKind.DEPARTMENT,
    UnitKind.TEAM,
]


@transaction.atomic
def add_unit(
    *,
    actor: Staff,
    code: str,
    name: str,
    kind: str,
    parent: str = "",
    email: str = "",
    is_offline: bool = False,
) -> Unit:
    if not (actor.is_superuser or actor.role == Role.SYSTEM_ADMIN):
        raise Forbidden("unit.forbidden", _("仅系统管理员可维护组织"))
    fields: dict[str, list[str]] = {}
    if not code.strip() or "/" in code:
        fields["code"] = [_("必填,且不能包含 /")]
    if not name.strip():
        fields["name"] = [_("必填")]
    if kind not in UnitKind.values:
        fields["kind"] = UnitKind.values
    parent_unit = Unit.objects.filter(code=parent).first() if parent else None
    if parent and parent_unit is None:
        fields["parent"] = [_("未知上级单位")]
    if kind in UnitKind.values and parent_unit is None and kind != UnitKind.PROVINCE:
        fields["parent"] = [_("必填")]
    if (
        parent_unit is not None
        and kind in UnitKind.values
        and KIND_ORDER.index(kind) < KIND_ORDER.index(parent_unit.kind)
    ):
        fields["kind"] = [_("不能高于上级单位的层级")]
    if fields:
        raise Invalid("unit.invalid", _("单位信息不正确"), fields)
    if Unit.objects.filter(code=code).exists():
        raise Conflict("unit.exists", _("单位编码已存在"), {"code": [code]})
    return Unit.objects.create(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        parent=parent_unit,
        email=email,
        is_offline=is_offline,
    )
