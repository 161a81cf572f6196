"""Sessions of roles that must use a second factor carry a verified device."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from . import second_factor

# Reachable without a verified session: signing in, its code step, static files.
_OPEN_PREFIXES = ("/login/", "/logout/", "/static/", "/i18n/", "/healthz", "/portal/")


class SecondFactorRequired:
    """A session of a role in ``LOGIN_REQUIRE_OTP_ROLES`` that was never verified by a
    code (signed in before the rule, or its device was reset) is ended and sent back to
    sign in. API requests with a bearer token have no session user and pass. Costs
    nothing unless the setting names roles."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LOGIN_REQUIRE_OTP_ROLES and not request.path.startswith(_OPEN_PREFIXES):
            user = request.user
            if user.is_authenticated and second_factor.required(user) and not user.is_verified():
                logout(request)
                return redirect(f"{settings.LOGIN_URL}?{urlencode({'next': request.path})}")
        return self.get_response(request)
