from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from complaintloop.core.errors import DomainError
from complaintloop.org.models import Role

from . import services
from .security import second_factor, throttle

# Where each role starts its day.
HOME_BY_ROLE = {
    Role.AGENT: "/admin/",
    Role.HANDLER: "/admin/",
    Role.SUPERVISOR: "/admin/",
}


def _safe_next(request, next_url: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request):
    """The password step; a picture challenge when the throttle asks for one, then the
    code step (``web.security``) for users with a second factor."""
    error = None
    username = request.POST.get("username", "")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    address = throttle.source_address(request)
    if request.method == "POST":
        try:
            user = services.sign_in(
                request,
                username,
                request.POST.get("password", ""),
                answer=request.POST.get("captcha", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            if second_factor.needs_code(user):
                second_factor.begin(request, user, next_url=next_url, address=address)
                return redirect("web:login_code")
            services.finish(request, user, address=address)
            return redirect(next_url or "web:home")
    challenge = throttle.gate(username, address).challenge
    status = 200 if error is None else 400
    return render(
        request,
        "web/login.html",
        {"error": error, "next": next_url, "username": username, "challenge": challenge},
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
