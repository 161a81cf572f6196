"""Delivery of ticket events to people: in-app notices for staff, SMS and email for
customers (R14), VIP and overdue alerts for supervisors (R31).

The outbox consumer only decides who hears what and writes one row per (outbox event,
recipient, channel); unique constraints make a redelivered outbox row write nothing
new. Sending is a second, claimed step (``send_due``), retried with backoff; SMS in
quiet hours wait in ``held`` until the quiet period ends."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, translation
from django.utils.translation import gettext as _

from complaintloop.core import clock, outbox
from complaintloop.core.errors import Invalid
from complaintloop.core.models import Outbox
from complaintloop.org.models import Role, Staff

from . import defaults, gateways, retry
from .models import (
    Channel,
    CustomerPreference,
    EmailMessage,
    Language,
    Notification,
    NotificationTemplate,
    SendStatus,
    SmsMessage,
    StaffAlertSetting,
)
from .rendering import render

log = logging.getLogger(__name__)
MOBILE = re.compile(r"^1\d{10}$")
CUSTOMER_KINDS = {"created", "accepted", "transferred", "replied", "closed"}
SUPERVISOR_KINDS = {"escalated", "supervised"}
OPEN = Q(status__in=[SendStatus.PENDING, SendStatus.HELD])


# ---- templates ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    urgent: bool


_template_cache: dict[tuple[str, str, str], NotificationTemplate | None] = {}
_template_cache_at: list[datetime] = []
TEMPLATE_CACHE_SECONDS = 10


def clear_template_cache() -> None:
    _template_cache.clear()
    _template_cache_at.clear()


def _template(event: str, channel: str, language: str) -> NotificationTemplate | None:
    now = clock.now()
    if _template_cache_at and now - _template_cache_at[0] > timedelta(
        seconds=TEMPLATE_CACHE_SECONDS
    ):
        clear_template_cache()
    if not _template_cache_at:
        _template_cache_at.append(now)
        for row in NotificationTemplate.objects.all():
            _template_cache[(row.event, row.channel, row.language)] = row
    return _template_cache.get((event, channel, language))


def render_message(
    event: str, channel: str, language: str, context: dict[str, Any]
) -> Rendered | None:
    """The message for one recipient, or None when the template is switched off."""
    row = _template(event, channel, language)
    shipped = defaults.get(event, channel, language) or defaults.get(event, channel, Language.ZH)
    if row is not None and not row.is_active:
        return None
    if row is None and shipped is None:
        return None
    if row is not None:
        subject, body, urgent = row.subject, row.body, row.is_urgent
    else:
        assert shipped is not None
        subject, body, urgent = shipped.subject, shipped.body, shipped.urgent
    try:
        return Rendered(render(subject, context), render(body, context), urgent)
    except Exception:  # a saved template that no longer renders must not lose the message
        log.exception(
            "template %s/%s/%s failed; using the shipped default", event, channel, language
        )
        if shipped is None:
            return None
        return Rendered(render(shipped.subject, context), render(shipped.body, context), urgent)


# ---- quiet hours -------------------------------------------------------------------


def _parse_quiet_hours() -> tuple[time, time] | None:
    spec = (settings.NOTIFY_QUIET_HOURS or "").strip()
    if not spec:
        return None
    start, end = (time.fromisoformat(part.strip()) for part in spec.split("-"))
    return start, end


def quiet_until(at: datetime) -> datetime | None:
    """When the quiet period containing ``at`` ends (local time), or None if ``at`` is
    outside quiet hours."""
    window = _parse_quiet_hours()
    if window is None:
        return None
    start, end = window
    local = at.astimezone(ZoneInfo(settings.TIME_ZONE))
    now_t = local.time()
    if start <= end:
        inside = start <= now_t < end
    else:  # the window spans midnight, e.g. 21:00-08:00
        inside = now_t >= start or now_t < end
    if not inside:
        return None
    end_at = datetime.combine(local.date(), end, tzinfo=local.tzinfo)
    if end_at <= local:
        end_at += timedelta(days=1)
    return end_at


# ---- customers' own choices --------------------------------------------------------


@transaction.atomic
def set_customer_preference(
    customer_id: int, *, language: str, sms_enabled: bool, email_enabled: bool
) -> CustomerPreference:
    """The customer's language and channels for ticket news (R14), as they chose them."""
    if language not in Language.values:
        raise Invalid(
            "preference.language", _("不支持的语言"), {"language": [_("请选择中文或 English")]}
        )
    pref, _created = CustomerPreference.objects.update_or_create(
        customer_id=customer_id,
        defaults={
            "language": language,
            "sms_enabled": sms_enabled,
            "email_enabled": email_enabled,
        },
    )
    return pref


# ---- who hears what ----------------------------------------------------------------


def _local(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return formats.date_format(dt.astimezone(ZoneInfo(settings.TIME_ZONE)), "Y-m-d H:i")


def _context(ticket, event_row, kind: str, language: str, recipient: str = "") -> dict[str, Any]:
    # ``handling_unit`` is set by fan_out: the unit working on it now, else the owner.
    """Plain strings only: a template cannot reach a model method through them."""
    from complaintloop.tickets.models import EventKind

    with translation.override(language):
        return {
            "ticket": {
                "number": ticket.number,
                "title": ticket.title,
                "status": str(ticket.get_status_display()),
                "type": str(ticket.order_type) if ticket.order_type_id else "",
                "category": str(ticket.category) if ticket.category_id else "",
                "urgency": str(ticket.get_urgency_display()),
                "due_at": _local(ticket.due_at),
            },
            "customer": {
                "name": ticket.customer.name,
                "level": str(ticket.get_customer_level_display()),
            },
            "unit": {"name": getattr(ticket, "handling_unit", "")},
            "event": {
                "kind": str(EventKind(kind).label) if kind in EventKind.values else kind,
                "comment": event_row.comment if event_row is not None else "",
                "at": _local(event_row.at if event_row is not None else clock.now()),
            },
            "recipient": {"name": recipient},
            "portal_url": settings.PORTAL_URL,
        }


def _customer_event(kind: str, ticket) -> str | None:
    if kind == "called_back" and ticket.status == "closed":
        kind = "closed"
    if kind not in CUSTOMER_KINDS or ticket.is_fcr:
        return None
    return f"customer.{kind}"


def _queue_sms(
    outbox_id: int, phone: str, rendered: Rendered, event: str, language: str
) -> SmsMessage | None:
    now = clock.now()
    held = None if rendered.urgent else quiet_until(now)
    try:
        with transaction.atomic():
            return SmsMessage.objects.create(
                outbox_id=outbox_id,
                phone=phone,
                text=rendered.body,
                event=event,
                language=language,
                status=SendStatus.HELD if held else SendStatus.PENDING,
                next_attempt_at=held,
                gateway=gateways.sms_gateway().name,
                created_at=now,
            )
    except IntegrityError:
        return None  # this outbox event already has its SMS for this phone


def _queue_email(
    outbox_id: int, to: str, rendered: Rendered, event: str, language: str
) -> EmailMessage | None:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "complaintloop"
    try:
        with transaction.atomic():
            return EmailMessage.objects.create(
                outbox_id=outbox_id,
                to=to,
                subject=rendered.subject,
                body=rendered.body,
                event=event,
                language=language,
                message_id=f"<event-{outbox_id}.{hashlib.sha256(to.encode()).hexdigest()[:16]}@{domain}>",
                created_at=clock.now(),
            )
    except IntegrityError:
        return None


@dataclass
class _Loaded:
    """What a poll's ticket events need, read in a fixed number of queries whatever the
    number of events (the worker used to spend ~9 queries on every event)."""

    tickets: dict[str, Any]
    events: dict[int, Any]
    open_units: dict[int, list[int]]
    unit_names: dict[str, str]
    actor_units: dict[int, str]
    preferences: dict[int, CustomerPreference]
    staff_by_unit: dict[int, list[Staff]]
    alert_settings: dict[int, StaffAlertSetting]


def _load(rows: list[Outbox]) -> _Loaded:
    from complaintloop.org.models import Unit
    from complaintloop.tickets.models import Ticket, TicketEvent, WorkItem

    numbers = {r.payload.get("ticket") for r in rows} - {None}
    tickets = {
        t.number: t
        for t in Ticket.objects.select_related(
            "customer", "owner_unit", "order_type", "category"
        ).filter(number__in=numbers)
    }
    event_ids = {r.payload.get("event_id") for r in rows} - {None}
    events = {e.pk: e for e in TicketEvent.objects.filter(pk__in=event_ids)}
    open_units: dict[int, list[int]] = {}
    for ticket_id, unit_id in (
        WorkItem.objects.filter(ticket__in=[t.pk for t in tickets.values()], status="open")
        .values_list("ticket_id", "unit_id")
        .distinct()
        .order_by()
    ):
        open_units.setdefault(ticket_id, []).append(unit_id)
    codes = {e.payload.get("to_unit") for e in events.values() if e.payload} - {None, ""}
    actor_ids = {e.actor_id for e in events.values()} - {None}
    unit_ids = {u for units in open_units.values() for u in units}
    unit_ids |= {t.accepting_unit_id for t in tickets.values()}
    unit_ids |= {t.owner_unit_id for t in tickets.values()}
    staff_by_unit: dict[int, list[Staff]] = {}
    for person in Staff.objects.filter(unit_id__in=unit_ids - {None}, is_active=True).order_by(
        "id"
    ):
        staff_by_unit.setdefault(person.unit_id, []).append(person)
    everyone = [p.pk for people in staff_by_unit.values() for p in people]
    return _Loaded(
        tickets=tickets,
        events=events,
        open_units=open_units,
        unit_names=dict(Unit.objects.filter(code__in=codes).values_list("code", "name")),
        actor_units={
            pk: name
            for pk, name in Staff.objects.filter(pk__in=actor_ids, unit__isnull=False).values_list(
                "pk", "unit__name"
            )
        },
        preferences={
            p.customer_id: p
            for p in CustomerPreference.objects.filter(
                customer_id__in={t.customer_id for t in tickets.values()}
            )
        },
        staff_by_unit=staff_by_unit,
        alert_settings={
            s.staff_id: s for s in StaffAlertSetting.objects.filter(staff__in=everyone)
        },
    )


def _notify_customer(loaded: _Loaded, row: Outbox, ticket, event_row, event: str) -> list:
    pref = loaded.preferences.get(ticket.customer_id)
    language = pref.language if pref else Language.ZH
    context = _context(ticket, event_row, event.split(".", 1)[1], language, ticket.customer.name)
    queued: list = []
    phone = ticket.customer.phone
    if MOBILE.match(phone or "") and (pref is None or pref.sms_enabled):
        rendered = render_message(event, Channel.SMS, language, context)
        if rendered:
            queued.append(_queue_sms(row.pk, phone, rendered, event, language))
    if ticket.customer.email and (pref is None or pref.email_enabled):
        rendered = render_message(event, Channel.EMAIL, language, context)
        if rendered:
            queued.append(_queue_email(row.pk, ticket.customer.email, rendered, event, language))
    return queued


def _notify_staff(
    loaded: _Loaded,
    notes: list[Notification],
    row: Outbox,
    ticket,
    event_row,
    event: str,
    people: list[Staff],
    *,
    alerts: bool,
) -> list:
    """In-app (appended to ``notes``) for everyone named; SMS/email too when ``alerts``
    and their settings say so."""
    kind = event.split(".", 1)[1]
    queued = []
    shared: dict[str, dict[str, Any]] = {}  # per language: only the recipient differs
    for person in people:
        pref = loaded.alert_settings.get(person.pk)
        language = pref.language if pref else Language.ZH
        if language not in shared:
            shared[language] = _context(ticket, event_row, kind, language)
        context = {**shared[language], "recipient": {"name": str(person)}}
        rendered = render_message(event, Channel.IN_APP, language, context)
        if rendered:
            notes.append(
                Notification(
                    outbox_id=row.pk,
                    recipient=person,
                    ticket_number=ticket.number,
                    title=rendered.subject[:200],
                    body=rendered.body,
                    created_at=clock.now(),
                )
            )
        if not alerts or pref is None:
            continue
        if pref.by_sms and MOBILE.match(person.phone or ""):
            msg = render_message(event, Channel.SMS, language, context)
            if msg:
                queued.append(_queue_sms(row.pk, person.phone, msg, event, language))
        if pref.by_email and person.email:
            msg = render_message(event, Channel.EMAIL, language, context)
            if msg:
                queued.append(_queue_email(row.pk, person.email, msg, event, language))
    return queued


def in_app(notes: list[Notification]) -> None:
    """Store in-app notifications; (outbox_id, recipient) is unique, so an outbox row
    delivered again adds nothing. Other apps' consumers notify people through here."""
    Notification.objects.bulk_create(notes, ignore_conflicts=True)


def _staff_of(
    loaded: _Loaded, unit_ids: list[int], *, supervisors: bool | None = None
) -> list[Staff]:
    people = sorted(
        {p.pk: p for u in unit_ids if u for p in loaded.staff_by_unit.get(u, [])}.values(),
        key=lambda p: p.pk,
    )
    if supervisors is True:
        people = [p for p in people if p.role == Role.SUPERVISOR]
    elif supervisors is False:
        people = [p for p in people if p.role != Role.SUPERVISOR]
    return people[:200]


def _unit_of_event(loaded: _Loaded, ticket, event_row) -> str:
    """The unit the customer should hear about: where a transfer sent the ticket, the
    unit that acted (accepted, answered), else the owner. Taken from the event, not
    from the ticket now, since delivery may run after later steps."""
    payload = event_row.payload if event_row is not None else {}
    if payload.get("to_unit") in loaded.unit_names:
        return loaded.unit_names[payload["to_unit"]]
    if event_row is not None and event_row.actor_id in loaded.actor_units:
        return loaded.actor_units[event_row.actor_id]
    return ticket.owner_unit.name if ticket.owner_unit_id else ""


def _fan_out_one(loaded: _Loaded, notes: list[Notification], row: Outbox) -> list:
    p = row.payload
    ticket = loaded.tickets.get(p.get("ticket"))
    if ticket is None:
        return []
    kind = p["kind"]
    event_row = loaded.events.get(p.get("event_id"))
    # Per event: the same ticket object may serve several events of one poll.
    ticket.handling_unit = _unit_of_event(loaded, ticket, event_row)
    queued: list = []
    customer_event = _customer_event(kind, ticket)
    if customer_event:
        queued += _notify_customer(loaded, row, ticket, event_row, customer_event)
    units = loaded.open_units.get(ticket.pk, [])
    overseers = units + [ticket.accepting_unit_id]
    staff_args = (loaded, notes, row, ticket, event_row)
    if kind == "sla_breached":
        bosses = _staff_of(loaded, overseers, supervisors=True)
        queued += _notify_staff(*staff_args, "supervisor.sla_breached", bosses, alerts=True)
        staff = _staff_of(loaded, units, supervisors=False)
        queued += _notify_staff(*staff_args, "staff.sla_breached", staff, alerts=False)
    elif kind in SUPERVISOR_KINDS:
        bosses = _staff_of(loaded, overseers, supervisors=True)
        queued += _notify_staff(*staff_args, f"staff.{kind}", bosses, alerts=False)
    elif f"staff.{kind}" in defaults.STAFF:
        staff = _staff_of(loaded, units)
        queued += _notify_staff(*staff_args, f"staff.{kind}", staff, alerts=False)
    if ticket.customer_level == "vip" and kind == "created":
        heads = [ticket.accepting_unit_id, ticket.owner_unit_id]
        bosses = _staff_of(loaded, heads, supervisors=True)
        queued += _notify_staff(*staff_args, "supervisor.vip", bosses, alerts=True)
    return queued


def fan_out_many(rows: list[Outbox]) -> list:
    """Write the notices and queued messages these ticket events owe; returns the
    queued SMS/email rows this call created (none on a redelivery)."""
    loaded = _load(rows)
    notes: list[Notification] = []
    queued: list = []
    for row in rows:
        queued += _fan_out_one(loaded, notes, row)
    in_app(notes)
    return [m for m in queued if m is not None]


@outbox.batch_consumer("ticket.event")
def deliver_ticket_events(rows: list[Outbox]) -> None:
    for message in fan_out_many(rows):
        if message.status == SendStatus.PENDING:
            send_one(type(message), message.pk)


# ---- sending -----------------------------------------------------------------------


def _send(message: SmsMessage | EmailMessage) -> None:
    if isinstance(message, SmsMessage):
        gateways.sms_gateway().send(message)
    else:
        gateways.send_email(message)


def send_one(model: type[SmsMessage] | type[EmailMessage], pk: int) -> bool:
    """Claim, send and record one due message; True if this call sent it."""
    if not retry.claim(model, pk, OPEN):
        return False
    message = model.objects.get(pk=pk)
    attempts = message.attempts + 1
    try:
        _send(message)
    except Exception as exc:  # every failure is recorded and retried, none is raised
        log.warning("%s %s failed (try %s): %r", model.__name__, pk, attempts, exc)
        dead = attempts >= settings.NOTIFY_MAX_ATTEMPTS
        delay = retry.backoff(
            attempts, base_seconds=settings.NOTIFY_RETRY_BASE_SECONDS, cap_seconds=3600
        )
        model.objects.filter(pk=pk).update(
            attempts=attempts,
            last_error=repr(exc)[:2000],
            status=SendStatus.FAILED if dead else SendStatus.PENDING,
            next_attempt_at=None if dead else clock.now() + delay,
            claimed_at=None,
        )
        return False
    model.objects.filter(pk=pk).update(
        status=SendStatus.SENT, sent_at=clock.now(), attempts=attempts, claimed_at=None
    )
    return True


def send_due(limit: int = 200) -> int:
    """Send SMS and email whose time has come (retries, and SMS held over quiet hours)."""
    now = clock.now()
    sent = 0
    for model in (SmsMessage, EmailMessage):
        ids = list(
            model.objects.filter(OPEN & retry.due(now) & retry.claimable(now))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        sent += sum(1 for pk in ids if send_one(model, pk))
    return sent


def send_sms(outbox_id: int, phone: str, text: str) -> bool:
    """An SMS that must go now whatever the hour (e.g. a portal verification code);
    sent after the caller's transaction commits. False if already queued for this id."""
    try:
        with transaction.atomic():
            message = SmsMessage.objects.create(
                outbox_id=outbox_id,
                phone=phone,
                text=text,
                event="direct",
                gateway=gateways.sms_gateway().name,
                created_at=clock.now(),
            )
    except IntegrityError:
        return False
    transaction.on_commit(lambda: send_one(SmsMessage, message.pk))
    return True


def mark_read(actor: Staff, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=clock.now())
