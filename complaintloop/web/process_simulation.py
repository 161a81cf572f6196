"""仿真 on the designer: the draft being edited, run on the last 30 days of tickets
(tickets.simulation). Lives above the apps because it reads both processes and tickets."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from complaintloop.core.errors import DomainError
from complaintloop.processes.views import manager_required
from complaintloop.tickets import simulation


@require_POST
@manager_required
def simulate(request: HttpRequest, key: str) -> JsonResponse:
    days = request.POST.get("days", "30")
    try:
        result = simulation.simulate(
            key,
            request.POST.get("bpmn_xml", ""),
            days=int(days) if days.isdigit() and 1 <= int(days) <= 90 else 30,
        )
    except DomainError as exc:
        return JsonResponse(
            {"code": exc.code, "message": exc.message, "fields": exc.fields or {}},
            status=exc.status,
        )
    return JsonResponse(result)
