"""A person's in-app notifications: the list, the unread badge in the header, mark read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintloop.notify import selectors, services

PAGE_SIZE = 50


@require_GET
@login_required
def index(request):
    unread_only = request.GET.get("filter") == "unread"
    inbox = selectors.inbox(request.user, unread_only=unread_only)
    page = Paginator(inbox, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/notifications/index.html",
        {
            "nav": "notifications",
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.inbox(request.user, unread_only=True).count(),
        },
    )


@require_GET
@login_required
def badge(request):
    """Loaded by htmx after the page, so no page pays a query for it."""
    unread = selectors.inbox(request.user, unread_only=True).count()
    return render(request, "web/notifications/_badge.html", {"unread": unread})


@require_POST
@login_required
def read(request):
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    marked = services.mark_read(request.user, ids or None)
    messages.success(request, _("已标记 %(n)d 条为已读") % {"n": marked})
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/notifications/") else "web:notifications")
