"""Customer writes: registration and list membership."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintloop.core.errors import Conflict, Forbidden, Invalid
from complaintloop.org.models import Staff, Unit

from . import phones
from .models import Customer, CustomerLevel


@transaction.atomic
def register(
    *,
    actor: Staff,
    name: str,
    phone: str,
    level: str = CustomerLevel.ORDINARY,
    region: str = "",
    id_number: str = "",
    email: str = "",
    is_enterprise: bool = False,
    enterprise_name: str = "",
) -> Customer:
    if not (actor.can_operate or actor.can_supervise):
        raise Forbidden("customer.forbidden", _("当前角色无权登记客户"))
    fields: dict[str, list[str]] = {}
    if not name.strip():
        fields["name"] = [_("必填")]
    try:
        # An enterprise (集团客户) may be known by its 400/800 or short service number.
        phone = phones.normalize(phone, allow_service_numbers=is_enterprise, field="phone")
    except Invalid as exc:
        fields.update(exc.fields)
    if level not in CustomerLevel.values:
        fields["level"] = CustomerLevel.values
    unit = None
    if region:
        unit = Unit.objects.filter(code=region).first()
        if unit is None:
            fields["region"] = [_("未知地市")]
    if fields:
        raise Invalid("customer.invalid", _("客户信息不完整或格式不正确"), fields)
    if Customer.objects.filter(phone=phone).exists():
        raise Conflict("customer.exists", _("该号码已登记"), {"phone": [phone]})
    try:
        with transaction.atomic():
            return Customer.objects.create(
                name=name.strip(),
                phone=phone,
                level=level,
                region=unit or (actor.unit.region if actor.unit else None),
                id_number=id_number,
                email=email,
                is_enterprise=is_enterprise,
                enterprise_name=enterprise_name,
            )
    except IntegrityError as exc:
        raise Conflict("customer.exists", _("该号码已登记"), {"phone": [phone]}) from exc
