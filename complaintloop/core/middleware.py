"""Request bodies past the configured size are refused with 413 before they are read.

Django itself raises ``RequestDataTooBig`` only once a view reads the body, and answers
it with an HTML 400. Here the declared length is checked first: a JSON body, a form or
an SMS callback may be ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, a multipart upload
(attachments, voicemail, fax) ``UPLOAD_MAX_BODY_BYTES``. What slips past the header
(form fields larger than allowed inside an upload of acceptable size) is caught when
it is read: in page views here, in API handlers by ``complaintloop.api``. The API answers in
its JSON error shape, pages with a plain 413 page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
CODE = "request.too_large"


def is_multipart(request: HttpRequest) -> bool:
    return request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data")


def limit_for(request: HttpRequest) -> int | None:
    """The most bytes this request's body may have (None: no limit configured)."""
    if is_multipart(request):
        return settings.UPLOAD_MAX_BODY_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def message(limit: int | None) -> str:
    if limit is None:
        return _("请求内容过大")
    return _("请求内容过大(上限 %(max)s)") % {"max": filesizeformat(limit)}


def too_large(request: HttpRequest, limit: int | None) -> HttpResponse:
    """413 in the API's error shape for /api/, as a plain page elsewhere."""
    text = message(limit)
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"code": CODE, "message": text, "fields": {}}, status=413)
    page = format_html(
        '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>413</title>'
        "</head><body><h1>{}</h1><p>{}</p></body></html>",
        request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else settings.LANGUAGE_CODE,
        _("请求内容过大"),
        text,
    )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class BodyLimitMiddleware:
    """Answer 413 to a body longer than its limit, without reading it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = limit_for(request)
        if limit is not None and _declared_length(request) > limit:
            return too_large(request, limit)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # CsrfViewMiddleware (after this one) reads the form of every POST to a page it
        # protects, and turns a RequestDataTooBig there into a 400: read it first, so
        # the answer says what is wrong. The API reads its own bodies (complaintloop.api).
        if (
            request.method == "POST"
            and not request.path_info.startswith(API_PREFIX)
            and not getattr(view_func, "csrf_exempt", False)
        ):
            try:
                request.POST  # noqa: B018 (parses and caches the form)
            except RequestDataTooBig:
                return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            # Raised for the form fields and JSON read into memory, never for files.
            return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return None
