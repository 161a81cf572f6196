"""Taxonomy writes: process administrators maintain the category tree (R5)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from complaintloop.core.errors import Conflict, Forbidden, Invalid
from complaintloop.org.models import Role, Staff, Unit

from .models import Category, TimeBasisChoice

MAX_LEVEL = 4


@transaction.atomic
def add_category(
    *,
    actor: Staff,
    code: str,
    name: str,
    parent: str = "",
    default_unit: str = "",
    default_process_key: str = "",
    time_limit_minutes: int | None = None,
    time_basis: str = "",
) -> Category:
    if not (actor.is_superuser or actor.role in (Role.PROCESS_ADMIN, Role.SYSTEM_ADMIN)):
        raise Forbidden("category.forbidden", _("仅流程管理员可维护分类"))
    fields: dict[str, list[str]] = {}
    if not code.strip():
        fields["code"] = [_("必填")]
    if not name.strip():
        fields["name"] = [_("必填")]
    if time_basis and time_basis not in TimeBasisChoice.values:
        fields["time_basis"] = TimeBasisChoice.values
    parent_node = Category.objects.filter(code=parent).first() if parent else None
    if parent and parent_node is None:
        fields["parent"] = [_("未知上级分类")]
    if parent_node is not None and parent_node.level >= MAX_LEVEL:
        fields["parent"] = [_("分类最多四级")]
    unit = Unit.objects.filter(code=default_unit).first() if default_unit else None
    if default_unit and unit is None:
        fields["default_unit"] = [_("未知单位")]
    if fields:
        raise Invalid("category.invalid", _("分类信息不正确"), fields)
    if Category.objects.filter(code=code).exists():
        raise Conflict("category.exists", _("分类编码已存在"), {"code": [code]})
    return Category.objects.create(
        code=code.strip(),
        name=name.strip(),
        level=1,
        parent=parent_node,
        is_local=parent_node is not None and parent_node.level == MAX_LEVEL - 1,
        default_unit=unit,
        default_process_key=default_process_key,
        time_limit_minutes=time_limit_minutes,
        time_basis=time_basis,
    )


@transaction.atomic
def update_category(
    code: str,
    *,
    actor: Staff,
    name: str,
    default_unit: str = "",
    default_process_key: str = "",
    time_limit_minutes: int | None = None,
    time_basis: str = "",
    is_active: bool = True,
) -> Category:
    """A node's name and the defaults its subtree inherits: process, unit, time limit
    and time basis (R5, R12); audited as configuration."""
    if not (actor.is_superuser or actor.role in (Role.PROCESS_ADMIN, Role.SYSTEM_ADMIN)):
        raise Forbidden("category.forbidden", _("仅流程管理员可维护分类"))
    node = Category.objects.select_for_update().filter(code=code).first()
    if node is None:
        raise Invalid("category.unknown", _("分类不存在"), {"code": [code]})
    fields: dict[str, list[str]] = {}
    if not name.strip():
        fields["name"] = [_("必填")]
    unit = (
        Unit.objects.filter(code=default_unit.strip(), is_active=True).first()
        if default_unit
        else None
    )
    if default_unit and unit is None:
        fields["default_unit"] = [_("未知单位")]
    if time_basis and time_basis not in TimeBasisChoice.values:
        fields["time_basis"] = TimeBasisChoice.values
    if time_limit_minutes is not None and not 1 <= time_limit_minutes <= 366 * 24 * 60:
        fields["time_limit_minutes"] = [_("应为 1–527040 分钟")]
    if default_process_key:
        # Processes sit beside the taxonomy; read lazily to keep the apps independent.
        from complaintloop.processes.models import ProcessDefinition

        if not ProcessDefinition.objects.filter(key=default_process_key, is_active=True).exists():
            fields["default_process_key"] = [_("流程不存在或未发布")]
    if fields:
        raise Invalid("category.invalid", _("分类信息不正确"), fields)
    node.name = name.strip()[:64]
    node.default_unit = unit
    node.default_process_key = default_process_key
    node.time_limit_minutes = time_limit_minutes
    node.time_basis = time_basis
    node.is_active = is_active
    node.save()
    # Children keep their full names in step with a renamed parent.
    for child in (
        Category.objects.filter(path__startswith=node.path).exclude(pk=node.pk).order_by("level")
    ):
        child.save()
    return node
