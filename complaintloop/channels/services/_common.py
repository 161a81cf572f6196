"""Shared steps of the inbound channels: the system actor each channel acts as, the
inbound log with its idempotency claim, customers found by address or phone."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from complaintloop.attachments import services as attachments
from complaintloop.core import clock
from complaintloop.core.cache import ttl_cached
from complaintloop.core.errors import Invalid
from complaintloop.customers.models import ContactRecord, Customer, CustomerLevel
from complaintloop.org import selectors as org
from complaintloop.org.models import Role, Staff, Unit, UnitKind

from ..models import EmailIdentity, InboundMessage, Outcome


def city_of(unit: Unit) -> Unit:
    if unit.kind in (UnitKind.CITY, UnitKind.PROVINCE) or not unit.region_id:
        return unit
    return org.unit(unit.region_id) or unit


def home_unit(city: Unit) -> Unit:
    """Where a channel's tickets are accepted in a city: its 客服中心, else the city."""
    return Unit.objects.filter(code=f"{city.code}-KF", is_active=True).first() or city


def channel_actor(channel: str, unit: Unit, role: str = Role.AGENT) -> Staff:
    """The system staff account a channel acts as at ``unit`` (e.g. ``email-NJ-KF``),
    created on first use; like the portal's account it cannot log in and sees only
    its city."""
    username = f"{channel}-{unit.code}"
    staff = _existing(username)
    if staff is not None:
        return staff
    staff, _created = Staff.objects.get_or_create(
        username=username,
        defaults={
            "display_name": f"{channel}:{unit.name}",
            "role": role,
            "unit": unit,
            "scope_unit": city_of(unit),
            "is_active": True,
            "password": make_password(None),
        },
    )
    return staff


@ttl_cached(60)
def _existing(username: str) -> Staff | None:
    # Only committed accounts are worth caching; one created in a transaction that may
    # still roll back is looked up again (the miss is cached as None, not the row).
    return Staff.objects.select_related("unit", "scope_unit").filter(username=username).first()


def claim(channel: str, key: str, **fields) -> InboundMessage:
    """Log the message and take its idempotency key in the caller's transaction; a
    second message with the key fails the insert (IntegrityError)."""
    return InboundMessage.objects.create(
        channel=channel,
        dedupe_key=f"{channel}:{key}"[:300],
        outcome=Outcome.PROCESSING,
        received_at=clock.now(),
        **fields,
    )


def seen(channel: str, key: str) -> bool:
    return InboundMessage.objects.filter(dedupe_key=f"{channel}:{key}"[:300]).exists()


def log(channel: str, outcome: str, **fields) -> InboundMessage:
    """A log row that takes no key (duplicates, errors that may be retried)."""
    return InboundMessage.objects.create(
        channel=channel, outcome=outcome, received_at=clock.now(), **fields
    )


def finish(message: InboundMessage, outcome: str, *, ticket=None, detail: str = "") -> None:
    message.outcome = outcome
    message.ticket = ticket
    message.detail = detail[:4000]
    message.save(update_fields=["outcome", "ticket", "detail"])


def placeholder_phone(address: str) -> str:
    """Customer.phone is required and unique; a customer known only by email gets a
    marker no SMS gateway will take for a number (``@`` + hash of the address)."""
    return "@" + hashlib.sha1(address.encode()).hexdigest()[:19]  # noqa: S324 (not security)


def customer_by_email(address: str, *, name: str, region: Unit | None) -> Customer:
    """The customer who owns ``address`` (the identity table, kept in step with the
    customers' email field by a signal), else a new ordinary customer known by it."""
    identity = EmailIdentity.objects.select_related("customer").filter(address=address).first()
    if identity is not None:
        return identity.customer
    customer, _created = Customer.objects.get_or_create(
        phone=placeholder_phone(address),
        defaults={
            "name": (name or address.split("@")[0])[:64],
            "email": address[:254],
            "level": CustomerLevel.ORDINARY,
            "region": region,
        },
    )
    EmailIdentity.objects.get_or_create(address=address, defaults={"customer": customer})
    return customer


def contact(customer: Customer, channel: str, summary: str, ticket_number: str, actor) -> None:
    """R4: every inbound touch is a contact record on the customer."""
    ContactRecord.objects.create(
        customer=customer,
        channel=channel,
        direction="in",
        summary=summary[:500],
        ticket_number=ticket_number,
        staff=actor,
        at=clock.now(),
    )


def attach_files(ticket, files: Iterable[tuple[str, bytes]], *, actor: Staff) -> list[str]:
    """File what may be filed (type, size, count as the attachments app allows) and
    say what was left out instead of refusing the whole message."""
    kept: list[SimpleUploadedFile] = []
    skipped: list[str] = []
    for name, data in files:
        upload = SimpleUploadedFile(name or "attachment", data)
        if len(kept) >= attachments.MAX_FILES:
            skipped.append(_("「%(name)s」超过附件数量上限") % {"name": name})
            continue
        try:
            attachments.validate([upload])
        except Invalid as exc:
            skipped.append(exc.message)
            continue
        kept.append(upload)
    if kept:
        attachments.attach(ticket, kept, actor=actor)
    return skipped
