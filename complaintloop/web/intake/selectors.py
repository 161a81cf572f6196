"""What the agent sees while the customer is on the line: the customer 360 (客户视图)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count

from complaintloop.core import audit, clock
from complaintloop.customers import selectors as customers
from complaintloop.customers.models import ContactRecord, Customer, CustomerListEntry
from complaintloop.org.models import Staff
from complaintloop.taxonomy import selectors as taxonomy
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Status, Ticket

# A second ticket from the same customer in the same category within this many days is
# flagged as a possible repeat (重复投诉, R3); settings.INTAKE_REPEAT_DAYS overrides it.
REPEAT_DAYS = 30
SATISFACTION_KEYS = ("satisfied", "neutral", "dissatisfied")


def repeat_days() -> int:
    return int(getattr(settings, "INTAKE_REPEAT_DAYS", REPEAT_DAYS))


@dataclass
class Customer360:
    customer: Customer
    masked_phone: str
    flags: list[CustomerListEntry]
    open_tickets: list[Ticket]
    past_tickets: list[Ticket]
    contacts: list[ContactRecord]
    satisfaction: dict[str, int]
    repeats: list[Ticket]
    repeat_days: int
    category: Category | None = None
    extra: dict = field(default_factory=dict)
    # The number belongs to a customer outside the agent's data scope: the panel says
    # "another region's customer" and shows nothing of theirs (R29).
    other_region: bool = False

    @property
    def satisfaction_total(self) -> int:
        return sum(self.satisfaction.values())


def normalize_phone(raw: str) -> str:
    return "".join(ch for ch in raw or "" if ch.isdigit())


def _tickets(customer: Customer, actor: Staff):
    # Data scope first: a ticket the agent may not open is not shown either.
    return Ticket.objects.visible_to(actor).filter(customer=customer)


def repeats(
    customer: Customer, actor: Staff, category: Category | None, *, limit: int = 10
) -> list[Ticket]:
    """The customer's tickets of the last repeat_days() days in ``category`` (or any
    category when none is chosen yet), newest first: one query."""
    since = clock.now() - timedelta(days=repeat_days())
    qs = _tickets(customer, actor).filter(created_at__gte=since)
    if category is not None:
        qs = qs.filter(category_path__startswith=category.path)
    return list(qs.select_related("category", "owner_unit").order_by("-created_at", "-id")[:limit])


def customer_360(phone: str, actor: Staff, *, category_code: str = "") -> Customer360 | None:
    """Everything intake shows about the caller in a fixed number of queries (no per-row
    reads): None when the number is unknown."""
    customer = customers.by_phone(normalize_phone(phone))
    if customer is None:
        return None
    if not customers.is_visible(customer, actor):
        return Customer360(
            customer=customer,
            masked_phone=audit.mask_phone(customer.phone),
            flags=[],
            open_tickets=[],
            past_tickets=[],
            contacts=[],
            satisfaction=dict.fromkeys(SATISFACTION_KEYS, 0),
            repeats=[],
            repeat_days=repeat_days(),
            other_region=True,
        )
    category = taxonomy.category(category_code) if category_code else None
    tickets = _tickets(customer, actor)
    open_tickets = list(
        tickets.open().select_related("category", "owner_unit").order_by("-created_at", "-id")[:20]
    )
    past = list(
        tickets.filter(status=Status.CLOSED)
        .select_related("category")
        .order_by("-created_at", "-id")[:10]
    )
    contacts = customers.recent_contacts(customer)
    # Contact records belong to the customer; their ticket is linked only when in scope.
    numbers = {r.ticket_number for r in contacts if r.ticket_number}
    linkable = (
        set(tickets.filter(number__in=numbers).values_list("number", flat=True))
        if numbers
        else set()
    )
    for record in contacts:
        record.ticket_visible = record.ticket_number in linkable
    counts = dict.fromkeys(SATISFACTION_KEYS, 0)
    for row in (
        tickets.filter(status=Status.CLOSED, satisfaction__in=SATISFACTION_KEYS)
        .order_by()
        .values("satisfaction")
        .annotate(n=Count("id"))
    ):
        counts[row["satisfaction"]] = row["n"]
    return Customer360(
        customer=customer,
        masked_phone=audit.mask_phone(customer.phone),
        flags=customers.active_flags(customer),
        open_tickets=open_tickets,
        past_tickets=past,
        contacts=contacts,
        satisfaction=counts,
        repeats=repeats(customer, actor, category),
        repeat_days=repeat_days(),
        category=category,
    )
