"""The transcription page: listen to the voicemail or read the fax, write down what it
says and classify the ticket (then it is dispatched from the ticket page as usual)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from complaintloop.core.errors import DomainError
from complaintloop.taxonomy.models import Category
from complaintloop.tickets.models import Ticket

from .models import Transcription
from .services import media


@login_required
def transcribe(request: HttpRequest, number: str) -> HttpResponse:
    ticket = (
        Ticket.objects.visible_to(request.user)
        .select_related("customer", "category", "region")
        .filter(number=number)
        .first()
    )
    pending = Transcription.objects.filter(ticket=ticket).first() if ticket else None
    if ticket is None or pending is None:
        raise Http404
    form = {"text": "", "category": ""}
    errors: dict = {}
    error = ""
    if request.method == "POST":
        form = {
            "text": request.POST.get("text", ""),
            "category": request.POST.get("category", ""),
        }
        raw_version = request.POST.get("version", "")
        try:
            media.transcribe(
                number,
                actor=request.user,
                text=form["text"],
                category=form["category"],
                version=int(raw_version) if raw_version.isdigit() else None,
            )
        except DomainError as exc:
            error, errors = exc.message, exc.fields
        else:
            messages.success(request, _("已转写并分类,可以派单了"))
            return redirect("web:ticket", number=number)
    files = list(ticket.attachments.all())
    context = {
        "t": ticket,
        "tr": pending,
        "files": files,
        "categories": Category.objects.filter(is_active=True).order_by("path"),
        "form": form,
        "errors": errors,
        "error": error,
        "can_edit": request.user.can_operate and pending.done_at is None,
    }
    return render(request, "channels/transcribe.html", context, status=422 if error else 200)


@login_required
@xframe_options_sameorigin
def media_file(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    """The fax (PDF/image) or recording shown inline on the transcription page; the
    site otherwise refuses framing, so this view allows it from the same origin only."""
    ticket = Ticket.objects.visible_to(request.user).filter(number=number).first()
    found = ticket.attachments.filter(pk=attachment_id).first() if ticket else None
    if found is None or not Transcription.objects.filter(ticket=ticket).exists():
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its bytes (restored database)
        raise Http404 from exc
    return FileResponse(
        handle,
        filename=found.name,
        content_type=found.content_type or "application/octet-stream",
    )
