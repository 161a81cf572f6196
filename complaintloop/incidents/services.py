"""Incidents (重大故障/批量投诉, R16): declare one with its scope, attach complaints to it
(automatically at intake when they match, or by hand), and answer them all with one
reply. Each change is one transaction with its ticket events; the customers are told
through the tickets' REPLIED events (one per ticket, through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaintloop.core import audit, clock
from complaintloop.core.cache import ttl_cached
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.org.models import Staff, Unit, UnitKind
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket
from complaintloop.tickets.services import _base
from complaintloop.tickets.services import incident as ticket_side

from .models import ACTIVE_STATUSES, AttachedTicket, Incident, IncidentSource, IncidentStatus

RESOLVE_BATCH = 200  # tickets answered per transaction


def may_declare(actor: Staff | None) -> bool:
    return bool(actor and (actor.can_supervise or actor.is_superuser))


def in_scope(incident: Incident, actor: Staff) -> bool:
    """An incident is visible where one of its regions is in the actor's data scope."""
    path = actor.scope_path
    if not path:
        return False
    if path == "/" or path.count("/") == 2:
        return True
    return any(r.path.startswith(path) or path.startswith(r.path) for r in incident.regions.all())


def get_visible(incident_id: int, actor: Staff) -> Incident:
    if not 0 < incident_id < 2**31:  # ids beyond what the database stores are unknown
        raise NotFound("incident.not_found", _("重大故障不存在"))
    incident = Incident.objects.filter(pk=incident_id).prefetch_related("regions").first()
    if incident is None or not in_scope(incident, actor):
        raise NotFound("incident.not_found", _("重大故障不存在"))
    return incident


def _next_number(now: datetime) -> str:
    prefix = f"INC{now:%Y%m%d}"
    count = Incident.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:03d}"


@dataclass
class Scope:
    regions: list[Unit]
    category: Category | None
    keywords: list[str]


def _scope(regions: list[str], category: str, keywords: list[str]) -> Scope:
    fields: dict[str, list[str]] = {}
    units = list(
        Unit.objects.filter(
            code__in=regions, is_active=True, kind__in=(UnitKind.CITY, UnitKind.DISTRICT)
        )
    )
    unknown = sorted(set(regions) - {u.code for u in units})
    if not regions:
        fields["regions"] = [_("至少一个地市或区县")]
    elif unknown:
        fields["regions"] = [_("未知地市或区县:%(c)s") % {"c": ", ".join(unknown)}]
    node = Category.objects.filter(code=category).first() if category else None
    if category and node is None:
        fields["category"] = [_("分类编码不存在")]
    cleaned = [k.strip()[:32] for k in keywords if isinstance(k, str) and k.strip()][:20]
    if fields:
        raise Invalid("incident.bad_scope", _("影响范围有误"), fields)
    return Scope(units, node, cleaned)


@transaction.atomic
def declare(
    *,
    actor: Staff,
    title: str,
    regions: list[str],
    starts_at: datetime | None = None,
    description: str = "",
    category: str = "",
    keywords: list[str] | None = None,
    public_text: str = "",
    cause: str = "",
    source: str = IncidentSource.MANUAL,
) -> Incident:
    if not may_declare(actor):
        raise Forbidden("incident.forbidden", _("仅班长、主管或质量经理可申报重大故障"))
    if not title.strip():
        raise Invalid("field.required", _("请填写标题"), {"title": [_("必填")]})
    scope = _scope(regions, category, keywords or [])
    now = clock.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    number=_next_number(now),
                    title=title.strip()[:200],
                    description=description.strip(),
                    cause=cause.strip(),
                    public_text=public_text.strip(),
                    category=scope.category,
                    starts_at=starts_at or now,
                    keywords=scope.keywords,
                    owner_unit=actor.unit,
                    source=source,
                    created_by=actor,
                    created_at=now,
                )
            break
        except IntegrityError:
            continue  # two declared at once took the same number
    else:
        raise Conflict("incident.busy", _("请稍后重试"))
    incident.regions.set(scope.regions)
    audit.record(actor, "incident.declared", incident, number=incident.number)
    # Intake here matches at once, and the other processes within the cache's seconds.
    active_incidents.cache_clear()  # type: ignore[attr-defined]
    transaction.on_commit(active_incidents.cache_clear)  # type: ignore[attr-defined]
    return incident


@ttl_cached(5)
def active_incidents() -> list[dict[str, Any]]:
    """The matchers of the open incidents (intake asks on every create)."""
    incidents = (
        Incident.objects.filter(status__in=ACTIVE_STATUSES)
        .select_related("category")
        .prefetch_related("regions")
    )
    return [
        {
            "id": incident.pk,
            "number": incident.number,
            "starts_at": incident.starts_at,
            "ends_at": incident.ends_at,
            "region_paths": tuple(r.path for r in incident.regions.all()),
            "category_path": incident.category.path if incident.category_id else "",
            "keywords": tuple(incident.keywords or ()),
            "title": incident.title,
            "public_text": incident.public_text,
            "category_name": incident.category.full_name if incident.category_id else "",
        }
        for incident in incidents
    ]


def active_for_region(region_path: str) -> list[dict[str, Any]]:
    """The active incidents over a caller's region (the intake banner)."""
    if not region_path:
        return []
    return [
        rule
        for rule in active_incidents()
        if any(region_path.startswith(p) or p.startswith(region_path) for p in rule["region_paths"])
    ]


def matching(ticket: Ticket) -> dict[str, Any] | None:
    """The first active incident whose scope holds the ticket: region, category (with
    its subtree), window, and one of its keywords in the title or description."""
    text = f"{ticket.title}\n{ticket.description}"
    for rule in active_incidents():
        if ticket.created_at < rule["starts_at"]:
            continue
        if rule["ends_at"] and ticket.created_at > rule["ends_at"]:
            continue
        if not any(ticket.region_path.startswith(p) for p in rule["region_paths"]):
            continue
        if rule["category_path"] and not ticket.category_path.startswith(rule["category_path"]):
            continue
        if rule["keywords"] and not any(k in text for k in rule["keywords"]):
            continue
        return rule
    return None


class IntakeMatcher:
    """Registered with tickets (tickets.services.incident.MATCHERS) by the app config:
    new complaints in an active incident's scope attach in the create's transaction."""

    @staticmethod
    def match(ticket: Ticket) -> str | None:
        if ticket.created_at is None:
            return None
        rule = matching(ticket)
        return rule["number"] if rule else None

    @staticmethod
    def attached(ticket: Ticket, number: str, actor: Staff | None) -> None:
        incident_id = next((r["id"] for r in active_incidents() if r["number"] == number), None)
        if incident_id is None:
            incident_id = (
                Incident.objects.filter(number=number).values_list("pk", flat=True).first()
            )
        AttachedTicket.objects.create(
            incident_id=incident_id, ticket=ticket, how="auto", attached_at=clock.now()
        )


@transaction.atomic
def attach(incident_id: int, numbers: list[str], *, actor: Staff) -> dict[str, Any]:
    """Attach tickets by number (the agent at intake, a supervisor in bulk)."""
    incident = get_visible(incident_id, actor)
    if not actor.can_supervise:
        _base.require_operator(actor)
    if incident.status not in ACTIVE_STATUSES:
        raise Conflict("incident.closed", _("重大故障已恢复,不能再关联工单"))
    attached, skipped = [], []
    for number in dict.fromkeys(numbers):
        try:
            ticket = _base.lock_visible(number, actor)
        except NotFound:
            skipped.append({"number": number, "reason": "not_found"})
            continue
        if ticket_side.attach(ticket, incident=incident.number, how="manual", actor=actor):
            AttachedTicket.objects.create(
                incident=incident, ticket=ticket, how="manual", attached_at=clock.now(),
                attached_by=actor,
            )  # fmt: skip
            attached.append(number)
        else:
            skipped.append({"number": number, "reason": "not_open_or_attached"})
    return {"attached": attached, "skipped": skipped}


@transaction.atomic
def detach(incident_id: int, number: str, *, actor: Staff, reason: str) -> None:
    incident = get_visible(incident_id, actor)
    reason = _base.require_text(reason, "reason", _("解除原因"))
    ticket = _base.lock_visible(number, actor)
    row = AttachedTicket.objects.filter(incident=incident, ticket=ticket).first()
    if row is None or row.answered_at is not None:
        raise Conflict("incident.not_attached", _("工单未关联此重大故障或已答复"))
    row.delete()
    ticket_side.detach(ticket, reason=reason, actor=actor)


def resolve(incident_id: int, *, actor: Staff, reply: str) -> dict[str, Any]:
    """Answer every attached open ticket with ``reply`` and mark the incident resolved.
    Runs in batches, each its own transaction; a second call answers nothing twice."""
    incident = get_visible(incident_id, actor)
    if not may_declare(actor):
        raise Forbidden("incident.forbidden", _("仅班长、主管或质量经理可答复重大故障"))
    reply = reply.strip() or incident.reply
    if not reply:
        raise Invalid("field.required", _("请填写统一答复"), {"reply": [_("必填")]})
    answered = 0
    while True:
        with transaction.atomic():
            rows = list(
                AttachedTicket.objects.select_for_update()
                .filter(incident=incident, answered_at__isnull=True)
                .select_related("ticket")
                .order_by("id")[:RESOLVE_BATCH]
            )
            if not rows:
                break
            now = clock.now()
            for row in rows:
                ticket = _base.lock_system(row.ticket.number)
                if ticket_side.answer(ticket, incident=incident.number, reply=reply, actor=actor):
                    answered += 1
                row.answered_at = now
            AttachedTicket.objects.bulk_update(rows, ["answered_at"])
    with transaction.atomic():
        fresh = Incident.objects.select_for_update().get(pk=incident.pk)
        first_time = fresh.status in ACTIVE_STATUSES
        if first_time:
            fresh.status = IncidentStatus.RESOLVED
            fresh.reply = reply
            fresh.resolved_at = clock.now()
            fresh.resolved_by = actor
            fresh.save(update_fields=["status", "reply", "resolved_at", "resolved_by"])
            audit.record(actor, "incident.resolved", fresh, number=fresh.number, answered=answered)
        active_incidents.cache_clear()  # type: ignore[attr-defined]
        transaction.on_commit(active_incidents.cache_clear)  # type: ignore[attr-defined]
    return {"status": fresh.status, "answered": answered}
