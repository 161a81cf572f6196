from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from complaintloop.core.errors import DomainError
from complaintloop.org.models import Role

from . import services

# Where each role starts its day.
HOME_BY_ROLE = {
    Role.AGENT: "/admin/",
    Role.HANDLER: "/admin/",
    Role.SUPERVISOR: "/admin/",
}


@require_http_methods(["GET", "POST"])
def login_view(request):
    error = None
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        try:
            user = services.sign_in(
                request, request.POST.get("username", ""), request.POST.get("password", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            login(request, user)
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                return redirect(next_url)
            return redirect("web:home")
    status = 200 if error is None else 400
    return render(
        request,
        "web/login.html",
        {"error": error, "next": next_url, "username": request.POST.get("username", "")},
        status=status,
    )


@require_http_methods(["POST"])
def logout_view(request):
    logout(request)
    return redirect("web:login")


@login_required
def home(request):
    """Role-aware workbench: the actor's queue counts with links into the queues."""
    from .queues import queries

    counts = queries.tab_counts(request.user)
    soon = queries.items(request.user, queries.QueueQuery(tab="mine"))[:8]
    return render(request, "web/home.html", {"nav": "home", "counts": counts, "soon": soon})
