"""改分类: correcting what a ticket is about (category, description) after intake, e.g.
once a voicemail or fax has been transcribed. The trace keeps the old values."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from complaintloop.core.errors import Invalid
from complaintloop.org.models import Staff
from complaintloop.taxonomy import selectors as taxonomy

from ..models import EventKind, Ticket
from . import _base


@transaction.atomic
def reclassify(
    number: str,
    *,
    actor: Staff,
    category: str,
    description: str | None = None,
    title: str | None = None,
    comment: str = "",
    version: int | None = None,
) -> Ticket:
    """Set the category (and optionally the description and title) of an open ticket;
    one COMMENTED event records before and after in its payload."""
    ticket = _base.lock_visible(number, actor)
    _base.require_operator(actor)
    _base.check_transition(ticket, EventKind.COMMENTED, version)
    found = taxonomy.category(category) if category else None
    if found is None or not found.is_active:
        raise Invalid("category.unknown", _("请选择有效的分类"), {"category": [_("未知分类")]})
    before = {
        "category": ticket.category.code if ticket.category_id else None,
        "description": ticket.description,
        "title": ticket.title,
    }
    ticket.category = found
    ticket.category_path = found.path
    text = (description or "").strip()
    if description is not None and not text:
        raise Invalid("field.required", _("请填写问题描述"), {"description": [_("必填")]})
    if text:
        ticket.description = text
    if title is not None and title.strip():
        ticket.title = title.strip()[:200]
    elif text:
        ticket.title = text[:40]
    _base.record(
        ticket,
        EventKind.COMMENTED,
        actor=actor,
        from_status=ticket.status,
        comment="\n".join(part for part in (comment.strip(), text) if part),
        payload={"reclassified": {"before": before, "category": found.code}},
        notify=False,
    )
    return ticket
