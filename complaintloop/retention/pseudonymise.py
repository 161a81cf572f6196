"""Customer data past its period: the person behind closed tickets becomes a pseudonym,
every place that repeats their number, name or address is scrubbed, and everything a
figure is computed from stays: the customer row (region, level), the tickets (type,
category, region, times, status, satisfaction, counters), work items, evaluation
scores, the quality facts and rollups.

The ticket trace (TicketEvent) is append-only and left as it is; see
docs/decisions/0004-retention-leaves-the-ticket-trace-append-only.md."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q

from complaintloop.channels.models import EmailIdentity, InboundMessage, Transcription
from complaintloop.customers.models import ContactRecord, Customer, CustomerListEntry
from complaintloop.insights.models import TicketKeyword
from complaintloop.notify.models import EmailMessage, Notification, SendStatus, SmsMessage
from complaintloop.partners.models import TicketEnrichment
from complaintloop.portal.models import PortalVerification
from complaintloop.quality.models import Evaluation
from complaintloop.tickets import search
from complaintloop.tickets.models import Status, Ticket, WorkItem

from . import redact, selectors
from .models import PseudonymisedCustomer, RetentionPolicy, RetentionRun

TICKET_TITLE_MAX = Ticket._meta.get_field("title").max_length
# Messages still to be sent are left alone: the sender owns them until they are final.
FINAL = [SendStatus.SENT, SendStatus.FAILED]


def report(policy: RetentionPolicy, now: datetime) -> dict:
    """What a run would do now: customers due and their tickets, and the oldest close
    among tickets whose customer is still known."""
    cutoff = policy.cutoff(now)
    due = selectors.customers_due(cutoff, now)
    tickets = Ticket.objects.filter(customer__in=due.values("pk")).count()
    known = ~Exists(PseudonymisedCustomer.objects.filter(customer=OuterRef("customer_id")))
    oldest = (
        Ticket.objects.filter(status=Status.CLOSED)
        .filter(known)
        .aggregate(at=Min("closed_at"))["at"]
    )
    return {
        "cutoff": cutoff,
        "count": due.aggregate(n=Count("pk"))["n"],
        "tickets": tickets,
        "oldest": oldest,
    }


def apply(
    policy: RetentionPolicy,
    *,
    run: RetentionRun,
    now: datetime,
    batch: int,
    progress: Callable[[], None],
) -> dict:
    """Pseudonymise every customer who is due, ``batch`` customers per transaction."""
    result = report(policy, now)
    cutoff = result["cutoff"]
    customers = tickets = 0
    after = 0
    while True:
        ids = list(
            selectors.customers_due(cutoff, now)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        after = ids[-1]
        with transaction.atomic():
            done, touched = _batch(ids, run=run, cutoff=cutoff, now=now)
        customers += done
        tickets += touched
        progress()
    result.update(count=customers, tickets=tickets)
    return result


def _batch(ids: list[int], *, run: RetentionRun, cutoff: datetime, now: datetime):
    # Locked, then asked again: a ticket opened for one of them since the ids were
    # read keeps that customer as they are.
    locked = list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    due = set(selectors.customers_due(cutoff, now).filter(pk__in=ids).values_list("pk", flat=True))
    people = [c for c in locked if c.pk in due]
    if not people:
        return 0, 0
    emails = _emails(people)
    known = {c.pk: _known(c, emails[c.pk]) for c in people}
    tickets = list(
        Ticket.objects.filter(customer__in=people).only(
            "pk", "number", "customer_id", "title", "description", "resolution"
        )
    )
    by_ticket = {t.pk: known[t.customer_id] for t in tickets}
    everyone = [value for values in known.values() for value in values]

    _tickets(tickets, by_ticket)
    _rows(WorkItem.objects.filter(ticket__in=tickets), ("request", "result"), by_ticket)
    _rows(Evaluation.objects.filter(ticket__in=tickets), ("comment",), by_ticket)
    _rows(
        ContactRecord.objects.filter(customer__in=people),
        ("summary",),
        known,
        owner="customer_id",
    )
    _rows(
        CustomerListEntry.objects.filter(customer__in=people),
        ("reason",),
        known,
        owner="customer_id",
    )
    numbers = [t.number for t in tickets]
    _rows(Notification.objects.filter(ticket_number__in=numbers), ("title", "body"), everyone)
    _channels(people, tickets, emails, everyone)
    _messages(people, emails, everyone)
    names = {c.name for c in people if len(c.name) >= 2}
    TicketKeyword.objects.filter(ticket__in=tickets, word__in=names).delete()
    TicketEnrichment.objects.filter(ticket__in=tickets).delete()
    PortalVerification.objects.filter(ticket_number__in=numbers).delete()
    EmailIdentity.objects.filter(customer__in=people).delete()
    _customers(people)
    PseudonymisedCustomer.objects.bulk_create(
        [PseudonymisedCustomer(customer=c, run=run, at=now) for c in people]
    )
    return len(people), len(tickets)


def _emails(people: list[Customer]) -> dict[int, set[str]]:
    """Every address a customer is known by: their own and the ones mail came from."""
    found: dict[int, set[str]] = defaultdict(set)
    for c in people:
        if c.email:
            found[c.pk].add(c.email.lower())
    for address, owner in EmailIdentity.objects.filter(customer__in=people).values_list(
        "address", "customer_id"
    ):
        found[owner].add(address.lower())
    return found


def _known(customer: Customer, emails: set[str]) -> list[str]:
    names = [customer.name] if customer.name != redact.ANONYMOUS_NAME else []
    return [*names, customer.phone, customer.id_number, customer.address, *emails]


def _tickets(tickets: list[Ticket], known: dict[int, list[str]]) -> None:
    for t in tickets:
        t.title = redact.scrub(t.title, known[t.pk])[:TICKET_TITLE_MAX]
        t.description = redact.scrub(t.description, known[t.pk])
        t.resolution = redact.scrub(t.resolution, known[t.pk])
    # Text only: status, times, version and counters stay, and so do the figures.
    Ticket.objects.bulk_update(tickets, ["title", "description", "resolution"])
    for t in tickets:
        # The search document is rebuilt from the scrubbed text: words of comments in
        # the trace are no longer found (they may name the person).
        search.index(t)


def _rows(qs, fields: tuple[str, ...], known, *, owner: str = "ticket_id") -> None:
    """Scrub ``fields`` of every row of ``qs``; ``known`` maps the row's owner (ticket
    or customer id) to the values to take out, or is one list for all rows."""
    rows = list(qs.only("pk", owner if isinstance(known, dict) else "pk", *fields))
    for row in rows:
        values = known[getattr(row, owner)] if isinstance(known, dict) else known
        for field in fields:
            setattr(row, field, redact.scrub(getattr(row, field), values))
    if rows:
        type(rows[0]).objects.bulk_update(rows, list(fields), batch_size=500)


def _channels(people, tickets, emails, known: list[str]) -> None:
    phones = [c.phone for c in people]
    addresses = [a for found in emails.values() for a in found]
    messages = list(
        InboundMessage.objects.filter(
            Q(ticket__in=tickets) | Q(sender__in=phones) | Q(sender__in=addresses)
        ).exclude(sender__startswith=redact.PREFIX)
    )
    for m in messages:
        m.sender = _pseudonym(m.sender, known)
        m.subject = redact.scrub(m.subject, known)[:255]
        m.message_id = redact.scrub(m.message_id, known)[:255]
        m.detail = redact.scrub(m.detail, known)
        m.body = redact.scrub(m.body, known)
        m.html = redact.scrub(m.html, known)
        if m.dedupe_key and not m.dedupe_key.startswith(redact.PREFIX):
            # Still unique (an HMAC of a unique key), no longer the caller's number.
            m.dedupe_key = redact.PREFIX + redact.digest(m.dedupe_key, 40)
    InboundMessage.objects.bulk_update(
        messages,
        ["sender", "subject", "message_id", "detail", "body", "html", "dedupe_key"],
        batch_size=200,
    )
    calls = list(Transcription.objects.filter(ticket__in=tickets).only("pk", "caller"))
    for call in calls:
        call.caller = redact.phone(call.caller)
    Transcription.objects.bulk_update(calls, ["caller"])


def _messages(people, emails, known: list[str]) -> None:
    """SMS and email sent to these customers: the log keeps that and when, not to whom
    or what it said about them."""
    sms = list(SmsMessage.objects.filter(phone__in=[c.phone for c in people], status__in=FINAL))
    for m in sms:
        m.phone = redact.phone(m.phone)
        m.text = redact.scrub(m.text, known)
    SmsMessage.objects.bulk_update(sms, ["phone", "text"], batch_size=500)
    addresses = [a for found in emails.values() for a in found]
    mails = list(EmailMessage.objects.filter(to__in=addresses, status__in=FINAL))
    for m in mails:
        m.to = redact.email(m.to)
        m.subject = redact.scrub(m.subject, known)[:255]
        m.body = redact.scrub(m.body, known)
    EmailMessage.objects.bulk_update(mails, ["to", "subject", "body"], batch_size=500)


def _pseudonym(sender: str, known: Iterable[str]) -> str:
    if "@" in sender and not sender.startswith("@"):
        return redact.email(sender)
    if sender in known or sender.isdigit():
        return redact.phone(sender)
    return redact.scrub(sender, known)


def _customers(people: list[Customer]) -> None:
    taken = set(
        Customer.objects.filter(phone__in=[redact.phone(c.phone) for c in people])
        .exclude(pk__in=[c.pk for c in people])
        .values_list("phone", flat=True)
    )
    for c in people:
        pseudonym = redact.phone(c.phone)
        if pseudonym in taken:  # 60 bits of HMAC collided: make this one unique
            pseudonym = redact.phone(f"{c.phone}#{c.pk}")
        c.name = redact.ANONYMOUS_NAME
        c.phone = pseudonym
        c.id_number = c.email = c.address = ""
    Customer.objects.bulk_update(people, ["name", "phone", "id_number", "email", "address"])
