"""监测报告 pages: list, filter, request and download reports; manage mail recipients.
Quality roles only, always within the user's data scope (checked on download too)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaintloop.core import audit, clock
from complaintloop.core.errors import DomainError, NotFound

from . import periods, selectors, services
from .models import ReportKind, ReportStatus

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": services.XLSX_TYPE,
}


def quality_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.can_view_quality:
            return render(request, "reports/forbidden.html", {"nav": "quality"}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _filters(request) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip()[:16] for key in ("kind", "period", "scope")}


def _table_context(request) -> dict:
    filters = _filters(request)
    page = Paginator(selectors.reports(request.user, **filters), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    busy = any(r.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for r in page)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    return {"page": page, "busy": busy, "filters": filters, "query": query}


def _page(
    request,
    *,
    form: dict | None = None,
    errors: dict | None = None,
    form_error: str = "",
    status: int = 200,
):
    actor = request.user
    today = clock.localtime().date()
    scopes = services.scopes_for(actor)
    context = {
        "nav": "quality",
        "subnav": "reports",
        "scopes": scopes,
        "kinds": ReportKind.choices,
        "months": [p.key for p in periods.recent(ReportKind.MONTHLY, today, 24)],
        "weeks": [p for p in periods.recent(ReportKind.WEEKLY, today, 26)],
        "form": form
        or {
            "kind": ReportKind.MONTHLY,
            "period": periods.previous_complete(ReportKind.MONTHLY, today).key,
            "scope": scopes[0].code if scopes else "",
        },
        "errors": errors or {},
        "form_error": form_error,
        "recipients": selectors.recipients(actor),
        **_table_context(request),
    }
    return render(request, "reports/index.html", context, status=status)


@require_http_methods(["GET", "POST"])
@quality_required
def index(request):
    """The list; a POST asks for a report (form errors come back on the page)."""
    if request.method == "POST":
        return _create(request)
    return _page(request)


@require_GET
@quality_required
def table(request):
    """The list alone, polled while a report is being generated."""
    return render(request, "reports/_table.html", _table_context(request))


def _create(request):
    form = {key: request.POST.get(key, "").strip() for key in ("kind", "period", "scope")}
    try:
        report = services.request(request.user, **form)
    except DomainError as exc:
        return _page(request, form=form, errors=exc.fields, form_error=exc.message, status=422)
    messages.success(
        request,
        _("已提交生成:%(kind)s · %(scope)s · %(period)s。生成完成后可在下表下载。")
        % {
            "kind": report.get_kind_display(),
            "scope": report.scope_unit.name,
            "period": report.period_key,
        },
    )
    return redirect("reports:index")


@require_GET
@quality_required
def download(request, report_id: int, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404
    try:
        report = selectors.report(request.user, report_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    field = report.pdf if fmt == "pdf" else report.xlsx
    if report.status != ReportStatus.DONE or not field:
        raise Http404(_("报告尚未生成"))
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("报告文件已丢失,请重新生成")) from exc
    audit.export(request.user, "report", report=report.pk, slug=report.slug, format=fmt)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{report.slug}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


@require_POST
@quality_required
def retry(request, report_id: int):
    try:
        services.retry(report_id, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reports:index")


@require_POST
@quality_required
def add_recipient(request):
    form = {key: request.POST.get(key, "").strip() for key in ("scope", "kind", "email", "name")}
    try:
        recipient = services.subscribe(request.user, **form)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已添加订阅:%(email)s") % {"email": recipient.email})
    return redirect("reports:index")


@require_POST
@quality_required
def remove_recipient(request, recipient_id: int):
    try:
        services.unsubscribe(request.user, recipient_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("已取消订阅"))
    return redirect("reports:index")
