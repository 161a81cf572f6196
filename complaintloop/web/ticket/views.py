"""The ticket page: header, work items, trace, the actions allowed now, customer and
related tickets. Actions post to the services; errors come back inline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from complaintloop.attachments import services as attachments
from complaintloop.core import clock
from complaintloop.core.audit import mask_phone
from complaintloop.core.errors import DomainError, NotFound
from complaintloop.customers import selectors as customers
from complaintloop.customers.models import ContactRecord
from complaintloop.org.models import Unit
from complaintloop.partners import selectors as partner_views
from complaintloop.partners.services import FAULT_LOOKBACK_DAYS
from complaintloop.tickets import selectors
from complaintloop.tickets.models import LinkKind, Status, Ticket, TicketLink, WorkItemKind
from complaintloop.tickets.permissions import STEP_BOUND, available_actions
from complaintloop.tickets.services.process import step_operations

from . import replies, trace
from .actions import ACTIONS
from .choices import target_units
from .sla import badge

STEP_NAMES = {
    "dispatch": gettext_lazy("派单"),
    "handle": gettext_lazy("处理"),
    "assist": gettext_lazy("协办"),
    "callback": gettext_lazy("回访"),
}
UNIT_FIELDS = {"dispatch", "transfer", "request_assistance"}


def _partial(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _not_found(request: HttpRequest, number: str) -> HttpResponse:
    return render(
        request, "web/ticket/not_found.html", {"number": number, "nav": "queues"}, status=404
    )


def _context(request: HttpRequest, ticket: Ticket, **extra) -> dict:
    actor = request.user
    now = clock.now()
    items = list(selectors.open_work_items(ticket))
    actions = available_actions(ticket, actor, items)
    if STEP_BOUND & set(actions):
        # Only then does the current step's definition matter (one more read).
        actions = available_actions(ticket, actor, items, step_operations(ticket))
    events = list(selectors.events(ticket).select_related("actor__unit"))
    codes = trace.units_in(events)
    unit_names = (
        dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    )
    units = list(target_units(actor)) if UNIT_FIELDS & set(actions) else []
    timeline = [
        {
            "e": e,
            "kind": trace.kind_label(e),
            "from": trace.status_label(e.from_status),
            "to": trace.status_label(e.to_status),
            "details": trace.details(e, unit_names),
        }
        for e in reversed(events)
    ]
    visible = Ticket.objects.visible_to(actor)
    family = list(
        visible.filter(Q(parent=ticket) | Q(merged_into=ticket))
        .only("number", "title", "status", "parent_id", "merged_into_id")
        .order_by("-id")[:50]
    )
    links = []
    for link in TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related(
        "source", "target"
    ):
        other = link.target if link.source_id == ticket.pk else link.source
        links.append({"ticket": other, "kind": LinkKind(link.kind).label})
    customer = ticket.customer
    flags = [e.get_kind_display() for e in customer.list_entries.active(now)]
    history = list(
        visible.filter(customer=customer)
        .exclude(pk=ticket.pk)
        .select_related("category")
        .order_by("-created_at")[:5]
    )
    contacts = list(ContactRecord.objects.filter(customer=customer).order_by("-at")[:5])
    forms = [
        {"name": name, "spec": ACTIONS[name], "fields": ACTIONS[name].fields}
        for name in actions
        if name in ACTIONS
    ]
    assists = [w for w in items if w.kind == WorkItemKind.ASSIST]
    return {
        "nav": "queues",
        "t": ticket,
        "sla": badge(
            ticket.due_at,
            ticket.sla_state,
            now,
            closed=ticket.status == Status.CLOSED,
            paused=ticket.status == Status.SUSPENDED,
        ),
        "step": STEP_NAMES.get(ticket.current_step, ticket.current_step),
        "items": [
            {
                "w": w,
                "sla": badge(w.due_at, w.sla_state, now, paused=ticket.status == Status.SUSPENDED),
                "step": STEP_NAMES.get(w.step, w.step),
            }
            for w in items
        ],
        "assists": assists,
        "timeline": timeline,
        "forms": forms,
        "actions": actions,
        "units": units,
        "children": [t for t in family if t.parent_id == ticket.pk],
        "merged": [t for t in family if t.merged_into_id == ticket.pk],
        "links": links,
        "customer": customer,
        "phone": mask_phone(customer.phone),
        "flags": flags,
        "history": history,
        "contacts": contacts,
        "replies": replies.filled(customer.name, ticket.number),
        "link_kinds": LinkKind.choices,
        "attachments": list(ticket.attachments.select_related("uploaded_by")),
        "max_files": attachments.MAX_FILES,
        "max_mb": attachments.MAX_BYTES // (1024 * 1024),
        "partners": partner_views.for_ticket(ticket),
        "fault_days": FAULT_LOOKBACK_DAYS,
        **extra,
    }


@require_GET
@login_required
def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        ticket = selectors.get_visible(number, request.user)
    except NotFound:
        return _not_found(request, number)
    return render(request, "web/ticket/page.html", _context(request, ticket))


@require_POST
@login_required
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    try:
        ticket = selectors.get_visible(number, request.user)
    except NotFound:
        return _not_found(request, number)
    if spec is None:
        return _not_found(request, number)
    raw_version = request.POST.get("version", "")
    version = int(raw_version) if raw_version.isdigit() else None
    try:
        spec.call(ticket.number, request.user, request.POST, version)
    except DomainError as exc:
        # Re-read: the service rolled back, but the page should show the current state.
        ticket = selectors.get_visible(number, request.user)
        context = _context(
            request,
            ticket,
            error=exc.message,
            error_fields=exc.fields,
            error_action=action,
            values=request.POST,
        )
        template = "web/ticket/_main.html" if _partial(request) else "web/ticket/page.html"
        return render(request, template, context, status=exc.status)
    flash = _("已%(action)s") % {"action": spec.label}
    if not _partial(request):
        messages.success(request, flash)
        return redirect("web:ticket", number=ticket.number)
    ticket = selectors.get_visible(number, request.user)
    return render(request, "web/ticket/_main.html", _context(request, ticket, flash=flash))


@require_POST
@login_required
def unmask(request: HttpRequest, number: str) -> HttpResponse:
    """The customer's full number, for PII roles only; every reveal is audited."""
    try:
        ticket = selectors.get_visible(number, request.user)
    except NotFound:
        return _not_found(request, number)
    try:
        data = customers.reveal(ticket.customer, request.user)
    except DomainError as exc:
        return render(request, "web/ticket/_phone.html", {"error": exc.message}, status=exc.status)
    return render(request, "web/ticket/_phone.html", {"phone": data["phone"], "revealed": True})


@require_POST
@login_required
def attach(request: HttpRequest, number: str) -> HttpResponse:
    """上传附件 on the ticket page; the upload is traced in the timeline."""
    try:
        ticket = selectors.get_visible(number, request.user)
    except NotFound:
        return _not_found(request, number)
    files = request.FILES.getlist("attachments")
    try:
        saved = attachments.attach(
            ticket, files, actor=request.user, comment=request.POST.get("comment", "")
        )
    except DomainError as exc:
        ticket = selectors.get_visible(number, request.user)
        context = _context(
            request, ticket, error=exc.message, error_fields=exc.fields, error_action="attach"
        )
        return render(request, "web/ticket/page.html", context, status=exc.status)
    messages.success(
        request,
        ngettext("已上传 %(n)s 个附件", "已上传 %(n)s 个附件", len(saved)) % {"n": len(saved)},
    )
    return redirect("web:ticket", number=ticket.number)


# Shown in the browser (preview); anything else downloads.
INLINE_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "application/pdf",
    "audio/wav",
    "audio/mpeg",
)


@require_GET
@login_required
def attachment(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """An attachment's bytes, for whoever may see the ticket (404 otherwise)."""
    try:
        ticket = selectors.get_visible(number, request.user)
    except NotFound:
        return _not_found(request, number)
    found = ticket.attachments.filter(pk=attachment_id).first()
    if found is None:
        return _not_found(request, number)
    inline = found.content_type in INLINE_TYPES
    return FileResponse(
        found.file.open("rb"),
        as_attachment=not inline,
        filename=found.name,
        content_type=found.content_type or "application/octet-stream",
    )
