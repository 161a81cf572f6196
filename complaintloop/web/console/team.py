"""班组: a supervisor's unit as people — presence, open-item limit, skills, how new
work is handed out — and the unit's open work items with push / pull back (R10).
Thin: every change goes through org.services or tickets.services.assign."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from complaintloop.core.errors import DomainError
from complaintloop.org import services as org_services
from complaintloop.org.models import AssignmentMode, Role, Staff, Unit, UnitKind
from complaintloop.tickets import services
from complaintloop.tickets.models import WorkItem, WorkItemKind, WorkItemStatus
from complaintloop.tickets.services.assignment import HOLDER_ROLES, open_loads

TEAM_ROLES = (Role.SUPERVISOR, Role.SYSTEM_ADMIN)
ITEMS_SHOWN = 100


def may_lead_team(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in TEAM_ROLES))


def team_lead_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not may_lead_team(request.user):
            return render(request, "web/console/forbidden.html", {"nav": "console"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _units(actor: Staff) -> list[Unit]:
    """Units with people that the actor leads: their scope's departments and teams."""
    scope = actor.scope_path
    units = Unit.objects.filter(
        is_active=True, kind__in=(UnitKind.DEPARTMENT, UnitKind.TEAM, UnitKind.DISTRICT)
    )
    if not (scope == "/" or scope.count("/") == 2):
        units = units.filter(path__startswith=scope)
    units = units.filter(staff__role__in=HOLDER_ROLES).distinct().select_related("region")
    own = actor.unit_id
    return sorted(units, key=lambda u: (u.pk != own, u.path))


def _skills(text: str) -> list[str]:
    return [part for part in text.replace(",", ",").replace("、", ",").split(",")]


def _handle_post(request: HttpRequest, unit: Unit) -> None:
    actor = request.user
    action = request.POST.get("action", "")
    if action == "mode":
        org_services.set_assignment_mode(unit, request.POST.get("mode", ""), actor=actor)
        messages.success(request, _("分配方式已更新"))
    elif action == "member":
        person = Staff.objects.filter(pk=request.POST.get("staff") or 0, unit=unit).first()
        if person is None:
            messages.error(request, _("该人员不在本单位"))
            return
        limit = request.POST.get("max_open_items", "").strip()
        org_services.set_member(
            person,
            actor=actor,
            is_available=request.POST.get("is_available") == "on",
            max_open_items=int(limit) if limit.isdigit() else None,
            skills=_skills(request.POST.get("skills", "")),
        )
        messages.success(request, _("%(who)s 已更新") % {"who": person})
    elif action == "assign":
        number = request.POST.get("number", "")
        services.assign(
            number,
            actor=actor,
            to_staff=request.POST.get("to_staff") or None,
            comment=request.POST.get("comment", "").strip(),
        )
        messages.success(request, _("工单 %(n)s 已重新分配") % {"n": number})


@team_lead_required
def team(request: HttpRequest) -> HttpResponse:
    actor = request.user
    units = _units(actor)
    code = request.GET.get("unit") or request.POST.get("unit") or ""
    unit = next((u for u in units if u.code == code), units[0] if units else None)
    if request.method == "POST" and unit is not None:
        try:
            _handle_post(request, unit)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{reverse('web:console:team')}?unit={unit.code}")
    members, items = [], []
    if unit is not None:
        members = list(unit.staff.filter(is_active=True, role__in=HOLDER_ROLES).order_by("id"))
        loads = open_loads(members)
        for person in members:
            person.open_items = loads.get(person.pk, 0)
        items = list(
            WorkItem.objects.filter(status=WorkItemStatus.OPEN, unit=unit)
            .filter(Q(kind=WorkItemKind.MAIN))
            .select_related("ticket", "staff")
            .order_by("due_at", "id")[:ITEMS_SHOWN]
        )
    return render(
        request,
        "web/console/team.html",
        {
            "nav": "console",
            "unit": unit,
            "units": units,
            "members": members,
            "items": items,
            "modes": AssignmentMode.choices,
            "items_shown": ITEMS_SHOWN,
        },
    )
