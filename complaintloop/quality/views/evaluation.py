"""内部评价 on the ticket page: the panel lists the ticket's ratings and offers the
form for each side the viewer's unit may rate now; posting records it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from complaintloop.core.errors import DomainError

from .. import selectors, services
from ..models import EvaluationSide
from .common import form_errors

SCORES = (5, 4, 3, 2, 1)


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _panel(request, number: str, *, errors=None, side_failed=None, values=None, status=200):
    actor = request.user
    found = list(selectors.evaluations(actor, number))  # 404 when out of scope
    ticket = found[0].ticket if found else None
    if ticket is None:
        from complaintloop.tickets.models import Ticket

        ticket = (
            Ticket.objects.visible_to(actor).select_related("accepting_unit").get(number=number)
        )
    done = {e.side for e in found}
    forms = []
    for side, label in EvaluationSide.choices:
        if side in done:
            continue
        target = services.evaluation_target(ticket, side, actor)
        if target is not None:
            forms.append({"side": side, "label": label, "target": target})
    return render(
        request,
        "quality/_evaluation.html",
        {
            "t": ticket,
            "evaluations": found,
            "forms": forms,
            "scores": SCORES,
            "errors": errors,
            "side_failed": side_failed,
            "values": values or {},
        },
        status=status,
    )


@login_required
def panel(request, number: str):
    if request.method != "POST":
        try:
            return _panel(request, number)
        except DomainError as exc:
            return render(
                request, "quality/_evaluation_error.html", {"error": exc.message}, status=exc.status
            )
    side = request.POST.get("side") or ""
    values = request.POST.dict()
    try:
        services.evaluate(
            number,
            actor=request.user,
            side=side,
            score=request.POST.get("score") or "",
            comment=request.POST.get("comment") or "",
            complete=_yes_no(request.POST.get("complete")),
            correctly_classified=_yes_no(request.POST.get("correctly_classified")),
        )
    except DomainError as exc:
        try:
            return _panel(
                request,
                number,
                errors=form_errors(exc),
                side_failed=side,
                values=values,
                status=exc.status,
            )
        except DomainError as outer:
            return render(
                request,
                "quality/_evaluation_error.html",
                {"error": outer.message},
                status=outer.status,
            )
    return _panel(request, number)
