"""受理: the agent's intake page. Thin views: parse, call the selectors and
``tickets.services.create``, render; htmx requests get the partial they asked for."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from complaintloop.attachments import services as attachments
from complaintloop.core.errors import DomainError, Forbidden, Invalid
from complaintloop.customers import selectors as customers
from complaintloop.customers.models import Customer
from complaintloop.incidents import services as incident_services
from complaintloop.partners import selectors as partner_views
from complaintloop.partners import services as partners
from complaintloop.routing import reasons
from complaintloop.routing.models import Urgency
from complaintloop.taxonomy import selectors as taxonomy
from complaintloop.tickets.models import Channel, EventKind, Status, Ticket, TicketEvent
from complaintloop.tickets.services import NewTicket

from . import selectors

# Form fields in page (and tab) order; errors focus the first one that failed.
FIELDS = (
    "customer_phone",
    "customer_name",
    "category",
    "description",
    "order_type",
    "channel",
    "urgency",
    "title",
    "product",
    "sp",
    "attachments",
    "resolution",
    "pre_handling",
)
ACTIONS = ("dispatch", "resolve", "prehandle")
MIN_LOOKUP_DIGITS = 5


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _defaults() -> dict[str, str]:
    codes = [t.code for t in taxonomy.order_types()]
    return {
        "order_type": "complaint" if "complaint" in codes else (codes[0] if codes else ""),
        "channel": Channel.PHONE,
    }


def _form_context(
    *,
    values: dict[str, str] | None = None,
    errors: dict | None = None,
    key: str | None = None,
    action: str = "",
    c360: selectors.Customer360 | None = None,
) -> dict:
    values = values if values is not None else _defaults()
    errors = errors or {}
    code = values.get("category", "")
    phone = selectors.normalize_phone(values.get("customer_phone", ""))
    return {
        "values": values,
        "errors": errors,
        "first_error": next((f for f in FIELDS if f in errors), ""),
        "other_errors": {k: v for k, v in errors.items() if k not in FIELDS},
        "action": action,
        "idempotency_key": key or uuid.uuid4().hex,
        "order_types": taxonomy.order_types(),
        "channels": Channel.choices,
        "urgencies": Urgency.choices,
        "products": taxonomy.products(),
        "sps": taxonomy.service_providers(),
        "category": taxonomy.category(code) if code else None,
        "c360": c360,
        "phone": phone,
        "lookup_done": len(phone) >= MIN_LOOKUP_DIGITS,
        "max_files": attachments.MAX_FILES,
        "max_mb": attachments.MAX_BYTES // (1024 * 1024),
        "nav": "intake",
    }


def _render(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    template = "web/intake/_workspace.html" if _is_htmx(request) else "web/intake/page.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if not request.user.can_operate:
        error = Forbidden("ticket.forbidden", _("当前角色无权受理工单"))
        return render(
            request,
            "web/intake/page.html",
            {"forbidden": error.message, "nav": "intake"},
            status=403,
        )
    if request.method == "POST":
        return _submit(request)
    return _render(request, _form_context())


def _values(request: HttpRequest) -> dict[str, str]:
    values = {f: request.POST.get(f, "") for f in FIELDS if f != "attachments"}
    values["customer_phone"] = values["customer_phone"].strip().replace(" ", "").replace("-", "")
    return values


def _precheck(values: dict[str, str], action: str, files) -> None:
    """Collect the errors a form can show at once; the service checks the rest."""
    fields: dict[str, list[str]] = {}
    if not values["customer_phone"]:
        fields["customer_phone"] = [_("必填")]
    if not values["description"].strip():
        fields["description"] = [_("必填")]
    if action == "resolve" and not values["resolution"].strip():
        fields["resolution"] = [_("首问解决需填写处理结果")]
    if action == "prehandle" and not values["pre_handling"].strip():
        fields["pre_handling"] = [_("预处理需填写处理说明")]
    try:
        attachments.validate(files)
    except Invalid as exc:
        fields.update(exc.fields)
    if fields:
        raise Invalid("form.invalid", _("请检查标红的字段"), fields)


def _new_ticket(values: dict[str, str], action: str) -> NewTicket:
    return NewTicket(
        order_type=values["order_type"],
        channel=values["channel"],
        description=values["description"],
        title=values["title"].strip(),
        customer_phone=values["customer_phone"],
        customer_name=values["customer_name"].strip(),
        category=values["category"].strip(),
        product=values["product"],
        sp=values["sp"],
        urgency=values["urgency"],
        resolve_now=action == "resolve",
        resolution=values["resolution"].strip() if action == "resolve" else "",
        pre_handling=values["pre_handling"].strip() if action == "prehandle" else "",
        dispatch=action == "dispatch",
    )


def _submit(request: HttpRequest) -> HttpResponse:
    values = _values(request)
    action = request.POST.get("action", "dispatch")
    if action not in ACTIONS:
        action = "dispatch"
    key = request.POST.get("idempotency_key", "").strip()[:64] or None
    files = request.FILES.getlist("attachments")
    try:
        _precheck(values, action, files)
        ticket, created = partners.create_ticket(
            _new_ticket(values, action),
            actor=request.user,
            enrichment=_enrichment(values["customer_phone"], request.user),
            idempotency_key=key,
        )
    except DomainError as exc:
        c360 = None
        if len(selectors.normalize_phone(values["customer_phone"])) >= MIN_LOOKUP_DIGITS:
            c360 = selectors.customer_360(
                values["customer_phone"], request.user, category_code=values["category"]
            )
        if exc.code == "idempotency.key_reused":
            # This form already created a ticket and was then changed: a fresh key lets
            # the agent file the changed one as a new ticket on purpose.
            key = None
        context = _form_context(values=values, errors=exc.fields, key=key, action=action, c360=c360)
        context["error"] = exc.message
        context["preserve_files"] = bool(files)
        return _render(request, context, status=exc.status)
    attached, warning = 0, ""
    if created and files:
        try:
            attached = len(attachments.attach(ticket, files, actor=request.user))
        except (DomainError, OSError) as exc:
            warning = _("工单已创建,但附件保存失败:%(error)s") % {
                "error": getattr(exc, "message", str(exc))
            }
    context = _form_context()
    context["confirmation"] = _confirmation(ticket, created=created, attached=attached)
    context["warning"] = warning
    return _render(request, context, status=201 if created else 200)


def _enrichment(phone: str, actor) -> partners.Enrichment | None:
    """What the partner systems say about the caller (usually cached from the panel the
    agent just saw); bounded by their timeouts, never an error."""
    phone = selectors.normalize_phone(phone)
    if len(phone) < MIN_LOOKUP_DIGITS:
        return None
    return partners.lookup(partners.customer_ref(phone, customers.by_phone(phone), actor))


def _may_look_up(phone: str, actor) -> bool:
    """Partner data of a number registered to a customer outside the actor's scope would
    show what the customer panel hides (R29)."""
    known = customers.by_phone(phone)
    return known is None or customers.is_visible(known, actor)


def _confirmation(ticket: Ticket, *, created: bool, attached: int) -> dict:
    event = (
        TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CREATED).only("payload").first()
    )
    routing = (event.payload or {}).get("routing", {}) if event else {}
    return {
        "ticket": ticket,
        "created": created,
        "owner": ticket.owner_unit,
        "reason": reasons.say(routing),
        "closed": ticket.status == Status.CLOSED,
        "pre_handled": ticket.status == Status.NEW,
        "attached": attached,
    }


@login_required
@require_GET
def customer(request: HttpRequest) -> HttpResponse:
    """The customer 360 panel for the number typed so far."""
    phone = selectors.normalize_phone(request.GET.get("customer_phone", ""))
    c360 = None
    if len(phone) >= MIN_LOOKUP_DIGITS:
        c360 = selectors.customer_360(
            phone, request.user, category_code=request.GET.get("category", "").strip()
        )
    region = getattr(getattr(c360, "customer", None), "region", None) if c360 else None
    return render(
        request,
        "web/intake/_c360.html",
        {
            "incidents": incident_services.active_for_region(region.path) if region else [],
            "c360": c360,
            "phone": phone,
            "lookup_done": len(phone) >= MIN_LOOKUP_DIGITS,
            "values": {"customer_name": request.GET.get("customer_name", "")},
            "oob": True,
        },
    )


@login_required
@require_GET
def partner_panel(request: HttpRequest) -> HttpResponse:
    """CRM/BOSS/NSP answers for the caller, loaded after the 360 panel so a slow
    partner never delays what our own database already knows."""
    # A known caller is named by id so the page never carries the full number (R33).
    pk = request.GET.get("customer", "")
    found = (
        Customer.objects.visible_to(request.user).filter(pk=pk).first() if pk.isdigit() else None
    )
    phone = found.phone if found else selectors.normalize_phone(request.GET.get("customer_phone"))
    if len(phone) < MIN_LOOKUP_DIGITS:
        return HttpResponse("")
    if found is None and not _may_look_up(phone, request.user):
        return HttpResponse("")
    enrichment = _enrichment(phone, request.user)
    return render(
        request,
        "partners/_panel.html",
        {
            "pv": partner_views.present(enrichment.as_dict()) if enrichment else None,
            "mode": "live",
            "fault_days": partners.FAULT_LOOKBACK_DAYS,
        },
    )


@login_required
@require_GET
def repeat(request: HttpRequest) -> HttpResponse:
    """Only the repeat warning, refreshed when the agent picks a category."""
    phone = selectors.normalize_phone(request.GET.get("customer_phone", ""))
    found = customers.by_phone(phone) if len(phone) >= MIN_LOOKUP_DIGITS else None
    if found is None:
        return HttpResponse("")
    code = request.GET.get("category", "").strip()
    category = taxonomy.category(code) if code else None
    return render(
        request,
        "web/intake/_repeat.html",
        {
            "phone": phone,
            "repeats": selectors.repeats(found, request.user, category),
            "repeat_days": selectors.repeat_days(),
            "repeat_category": category,
        },
    )


@login_required
@require_GET
def categories(request: HttpRequest) -> HttpResponse:
    """Matching categories for the picker (max 20, leaves first)."""
    q = request.GET.get("q", "").strip()[:64]
    found = taxonomy.search_categories(q) if q else []
    return render(request, "web/intake/_categories.html", {"q": q, "found": found})
