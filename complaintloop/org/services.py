"""Organisation writes: system administrators maintain the unit tree (R29)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from complaintloop.core.errors import Conflict, Forbidden, Invalid

from .models import AssignmentMode, Role, Staff, Unit, UnitKind

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


def _require_team_lead(actor: Staff, unit: Unit) -> None:
    """A supervisor (or sysadmin) over the unit: its own unit or one in their scope."""
    if not (actor.is_superuser or actor.role in (Role.SUPERVISOR, Role.SYSTEM_ADMIN)):
        raise Forbidden("team.forbidden", _("仅班长/主管可调整班组"))
    scope = actor.scope_path
    if not (scope == "/" or scope.count("/") == 2 or unit.path.startswith(scope)):
        raise Forbidden("team.out_of_scope", _("该单位不在您的管理范围内"))


@transaction.atomic
def set_assignment_mode(unit: Unit, mode: str, *, actor: Staff) -> Unit:
    """How new work items of the unit are handed out (audited as configuration)."""
    _require_team_lead(actor, unit)
    if mode not in AssignmentMode.values:
        raise Invalid("team.bad_mode", _("分配方式不正确"), {"mode": AssignmentMode.values})
    unit.assignment_mode = mode
    unit.save(update_fields=["assignment_mode"])
    return unit


@transaction.atomic
def set_member(
    person: Staff,
    *,
    actor: Staff,
    is_available: bool,
    max_open_items: int | None,
    skills: list[str],
) -> Staff:
    """A member's presence (在岗/不在岗), open-item limit and skills."""
    if person.unit is None:
        raise Invalid("team.no_unit", _("该人员没有所属单位"), {})
    _require_team_lead(actor, person.unit)
    if max_open_items is not None and not 1 <= max_open_items <= 500:
        raise Invalid("team.bad_limit", _("在办上限应为 1–500"), {"max_open_items": ["1–500"]})
    cleaned = sorted({s.strip()[:32] for s in skills if s and s.strip()})[:30]
    person.is_available = is_available
    person.max_open_items = max_open_items
    person.skills = cleaned
    person.save(update_fields=["is_available", "max_open_items", "skills"])
    return person
