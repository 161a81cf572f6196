"""重大故障 pages: the incidents in the user's scope, declaring one, and one incident
with its attached complaints, attaching more and answering them all. Thin: every change
goes through incidents.services."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from complaintloop.core.errors import DomainError
from complaintloop.org.models import Unit, UnitKind

from . import services
from .models import AttachedTicket, Incident, IncidentStatus


def supervisor_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not services.may_declare(request.user):
            return render(request, "web/console/forbidden.html", {"nav": "incidents"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace(",", ",").replace("、", ",").split(",") if p.strip()]


@require_http_methods(["GET", "POST"])
@supervisor_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.user
    form = {"title": "", "regions": "", "category": "", "keywords": "", "public_text": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            incident = services.declare(
                actor=actor,
                title=form["title"],
                regions=_split(form["regions"]),
                category=form["category"],
                keywords=_split(form["keywords"]),
                public_text=form["public_text"],
                description=request.POST.get("description", ""),
            )
        except DomainError as exc:
            messages.error(
                request,
                f"{exc.message} "
                + "; ".join(f"{k}: {' '.join(v)}" for k, v in (exc.fields or {}).items()),
            )
        else:
            messages.success(
                request, _("已申报 %(n)s,符合范围的新投诉将自动关联") % {"n": incident.number}
            )
            return redirect("incidents:detail", incident_id=incident.pk)
    incidents = [
        i
        for i in Incident.objects.prefetch_related("regions").select_related("category")[:200]
        if services.in_scope(i, actor)
    ]
    counts = {
        row["incident"]: row["n"]
        for row in AttachedTicket.objects.filter(incident__in=incidents)
        .values("incident")
        .annotate(n=Count("id"))
    }
    for incident in incidents:
        incident.ticket_count = counts.get(incident.pk, 0)
    cities = Unit.objects.filter(kind=UnitKind.CITY, is_active=True).order_by("code")
    return render(
        request,
        "incidents/index.html",
        {"nav": "incidents", "incidents": incidents, "form": form, "cities": cities},
    )


@require_http_methods(["GET"])
@supervisor_required
def detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    try:
        incident = services.get_visible(incident_id, request.user)
    except DomainError:
        return render(request, "web/console/forbidden.html", {"nav": "incidents"}, status=404)
    rows = list(
        AttachedTicket.objects.filter(incident=incident)
        .select_related("ticket", "ticket__region")
        .order_by("-id")[:500]
    )
    total = AttachedTicket.objects.filter(incident=incident).count()
    answered = AttachedTicket.objects.filter(incident=incident, answered_at__isnull=False).count()
    return render(
        request,
        "incidents/detail.html",
        {
            "nav": "incidents",
            "incident": incident,
            "rows": rows,
            "total": total,
            "answered": answered,
            "active": incident.status in (IncidentStatus.OPEN, IncidentStatus.MITIGATED),
        },
    )


@require_POST
@supervisor_required
def attach(request: HttpRequest, incident_id: int) -> HttpResponse:
    try:
        result = services.attach(
            incident_id, _split(request.POST.get("numbers", "")), actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已关联 %(a)s 张,跳过 %(s)s 张")
            % {"a": len(result["attached"]), "s": len(result["skipped"])},
        )
    return redirect(reverse("incidents:detail", args=[incident_id]))


@require_POST
@supervisor_required
def resolve(request: HttpRequest, incident_id: int) -> HttpResponse:
    try:
        result = services.resolve(
            incident_id, actor=request.user, reply=request.POST.get("reply", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已统一答复 %(n)s 张工单,故障标记为已恢复") % {"n": result["answered"]}
        )
    return redirect(reverse("incidents:detail", args=[incident_id]))
