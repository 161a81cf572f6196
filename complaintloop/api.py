"""The NinjaAPI instance: auth, error mapping, routers of every app. It sits above the
apps (each app only offers its router), so no app imports it."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from complaintloop.core import middleware as body_limit
from complaintloop.core.errors import DomainError


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        from complaintloop.org.models import ApiToken

        found = (
            ApiToken.objects.active()
            .select_related("staff__unit", "staff__scope_unit")
            .filter(key_hash=ApiToken.hash(token), staff__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.staff
        return found.staff


def session_auth(request):
    # Only a browser session needs (and gets) the CSRF check; a client without the
    # session cookie, e.g. with a missing or expired token, must see 401, not a 403 CSRF.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    user = django_auth(request)
    return user if user and user.is_authenticated else None


api = NinjaAPI(
    title="ComplaintLoop API",
    version="1.0.0",
    description="投诉工单闭环平台 REST API. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api-v1",
    auth=[BearerToken(), session_auth],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request, status: int, code: str, message: str, fields=None):
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "_", []).append(err.get("msg", "invalid"))
    return _error(request, 422, "invalid", _("请求参数无效"), fields)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return _error(request, 401, "unauthorized", _("需要登录或有效的 API 令牌"))


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", _("未找到"))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(RequestDataTooBig)
def request_too_large(request, exc):
    # A body past the declared-length check of core.middleware: form fields of a
    # multipart request beyond DATA_UPLOAD_MAX_MEMORY_SIZE.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _error(request, 413, body_limit.CODE, body_limit.message(limit))


@api.exception_handler(DataError)
def data_error(request, exc):
    # Values the database cannot store (NUL bytes, out-of-range numbers) are bad input.
    return _error(request, 422, "invalid", _("请求参数超出允许范围"))


@api.exception_handler(ValueError)
def value_error(request, exc):
    return _error(request, 422, "invalid", (_("请求参数无效:%(detail)s") % {"detail": exc})[:300])


def register_routers() -> None:
    from complaintloop.channels.api import router as channels_router
    from complaintloop.core.audit_api import router as audit_router
    from complaintloop.customers.api import router as customers_router
    from complaintloop.incidents.api import router as incidents_router
    from complaintloop.insights.api import router as insights_router
    from complaintloop.notify.api import router as notify_router
    from complaintloop.org.api import router as org_router
    from complaintloop.processes.api import router as processes_router
    from complaintloop.quality.api import router as quality_router
    from complaintloop.routing.api import router as routing_router
    from complaintloop.taxonomy.api import router as taxonomy_router
    from complaintloop.tickets.api import router as tickets_router
    from complaintloop.webhooks.api import router as webhooks_router

    api.add_router("", tickets_router)
    api.add_router("", customers_router)
    api.add_router("", taxonomy_router)
    api.add_router("", org_router)
    api.add_router("", processes_router)
    api.add_router("", routing_router)
    api.add_router("", insights_router)
    api.add_router("", incidents_router)
    api.add_router("", quality_router)
    api.add_router("", webhooks_router)
    api.add_router("", notify_router)
    api.add_router("", channels_router)
    api.add_router("", audit_router)


register_routers()
