"""Customer reads, with PII masked unless the role may see it (and then audited)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from complaintloop.core import audit, clock
from complaintloop.core.errors import Forbidden, NotFound
from complaintloop.org.models import Staff

from .models import ContactRecord, Customer, CustomerListEntry


def search(actor: Staff, q: str = "", level: str = "") -> QuerySet[Customer]:
    """Customers in the actor's data scope matching ``q`` (exact number, name prefix or
    enterprise name)."""
    qs = Customer.objects.visible_to(actor).select_related("region")
    if q:
        qs = qs.filter(Q(phone=q) | Q(name__startswith=q) | Q(enterprise_name__icontains=q))
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("-id")


def get(customer_id: int, actor: Staff) -> Customer:
    """One customer in the actor's data scope; outside it the customer does not exist
    for them (404, like a ticket out of scope)."""
    customer = (
        Customer.objects.visible_to(actor).select_related("region").filter(pk=customer_id).first()
    )
    if customer is None:
        raise NotFound("customer.not_found", _("客户不存在"))
    return customer


def as_dict(customer: Customer, *, unmasked: bool = False) -> dict:
    at = clock.now()
    return {
        "id": customer.pk,
        "name": customer.name,
        "phone": customer.phone if unmasked else audit.mask_phone(customer.phone),
        "id_number": customer.id_number if unmasked else audit.mask_id_number(customer.id_number),
        "email": customer.email,
        "level": customer.level,
        "region": customer.region.code if customer.region_id else None,
        "is_enterprise": customer.is_enterprise,
        "enterprise_name": customer.enterprise_name,
        "flags": sorted({e.kind for e in customer.list_entries.active(at)}),
    }


def reveal(customer: Customer, actor: Staff) -> dict:
    """Full phone and ID number for roles allowed to see them; every call is audited (R33)."""
    if not actor.can_view_pii:
        raise Forbidden("pii.forbidden", _("当前角色无权查看完整号码"))
    audit.record(actor, "pii.unmask", customer, fields=["phone", "id_number"])
    return as_dict(customer, unmasked=True)


def by_phone(phone: str) -> Customer | None:
    """The customer calling from ``phone`` (unique index), with the region. Unscoped:
    callers decide what the actor may see (``is_visible``)."""
    return Customer.objects.select_related("region").filter(phone=phone).first()


def is_visible(customer: Customer, actor: Staff) -> bool:
    """Whether ``customer`` is inside the actor's data scope."""
    path = actor.scope_path
    if path and (actor.sees_whole_province or customer.region_path.startswith(path)):
        return True  # lives in scope: no query needed
    return Customer.objects.visible_to(actor).filter(pk=customer.pk).exists()


def active_flags(customer: Customer) -> list[CustomerListEntry]:
    """Blacklist and key-risk entries in force now, blacklist first."""
    return list(customer.list_entries.active(clock.now()).order_by("kind", "-created_at"))


def recent_contacts(customer: Customer, *, limit: int = 10) -> list[ContactRecord]:
    """The latest contact records across channels (接触记录), newest first."""
    return list(ContactRecord.objects.filter(customer=customer).order_by("-at", "-id")[:limit])
