"""What each retention policy applies to now, and the runs so far."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from complaintloop.attachments.models import Attachment
from complaintloop.customers.models import ContactRecord, Customer, CustomerListEntry
from complaintloop.tickets.models import Channel, Status, Ticket

from .models import DataClass, PseudonymisedCustomer, RetentionPolicy, RetentionRun, RunStatus

RECENT_RUNS = 20

# A recording is any audio filed with a ticket (a call recording an agent uploaded, a
# voicemail) and whatever a voicemail or fax ticket brought in (the fax's pages).
RECORDING = Q(content_type__startswith="audio/") | Q(
    ticket__channel__in=[Channel.VOICEMAIL, Channel.FAX]
)


def policies() -> list[RetentionPolicy]:
    return list(RetentionPolicy.objects.select_related("updated_by").order_by("id"))


def runs(limit: int = RECENT_RUNS) -> list[RetentionRun]:
    return list(RetentionRun.objects.select_related("actor").order_by("-started_at", "-id")[:limit])


def active_real_run() -> RetentionRun | None:
    return (
        RetentionRun.objects.filter(dry_run=False, status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        .order_by("-id")
        .first()
    )


def files_held(data_class: str) -> QuerySet[Attachment]:
    """Attachments of ``data_class`` on closed tickets: what the policy will erase one day."""
    held = Attachment.objects.filter(ticket__status=Status.CLOSED)
    if data_class == DataClass.RECORDINGS:
        return held.filter(RECORDING)
    return held.exclude(RECORDING)


def files_due(data_class: str, cutoff: datetime) -> QuerySet[Attachment]:
    """Attachments whose ticket was closed (and which were filed) before ``cutoff``."""
    return files_held(data_class).filter(ticket__closed_at__lt=cutoff, uploaded_at__lt=cutoff)


def _not_pseudonymised() -> Q:
    return ~Exists(PseudonymisedCustomer.objects.filter(customer=OuterRef("pk")))


def customers_held() -> QuerySet[Customer]:
    """Customers with a closed ticket whose data has not been pseudonymised yet."""
    closed = Ticket.objects.filter(customer=OuterRef("pk"), status=Status.CLOSED)
    return Customer.objects.filter(Exists(closed)).filter(_not_pseudonymised())


def customers_due(cutoff: datetime, now: datetime) -> QuerySet[Customer]:
    """Customers whose every ticket was closed before ``cutoff``, with no contact since
    and not on an active blacklist or key-risk list (those lists have their own expiry
    and reason to keep the person known)."""
    recent_ticket = Ticket.objects.filter(customer=OuterRef("pk")).filter(
        ~Q(status=Status.CLOSED) | Q(closed_at__isnull=True) | Q(closed_at__gte=cutoff)
    )
    recent_contact = ContactRecord.objects.filter(customer=OuterRef("pk"), at__gte=cutoff)
    listed = CustomerListEntry.objects.active(now).filter(customer=OuterRef("pk"))
    return (
        customers_held()
        .exclude(Exists(recent_ticket))
        .exclude(Exists(recent_contact))
        .exclude(Exists(listed))
    )
