"""决策表 pages of 流程配置: the tables, the editor (dmn-js) with its test panel, saving
a draft and publishing it. Thin: every change goes through routing.services."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaintloop.core.errors import DomainError
from complaintloop.processes.views import manager_required

from . import dmn, selectors, services, tables


@require_GET
@manager_required
def index(request: HttpRequest) -> HttpResponse:
    found = {row["key"]: row for row in selectors.catalogue()}
    rows = [
        {"spec": spec, **found.get(key, {"key": key, "versions": 0})}
        for key, spec in tables.SPECS.items()
    ]
    return render(request, "routing/index.html", {"nav": "processes", "tables": rows})


def _detail(request, key: str, *, number=None, xml=None, problems=None, comment="", status=200):
    spec = tables.SPECS.get(key)
    versions = selectors.versions(key)
    if spec is None or not versions:
        raise Http404
    shown = selectors.version_row(key, number or versions[0].version)
    if shown is None:
        raise Http404
    in_use = selectors.published_version(key)
    table = selectors.compiled(key, shown.version)
    context = {
        "nav": "processes",
        "key": key,
        "spec": spec,
        "versions": versions,
        "shown": shown,
        "in_use": in_use,
        "dmn_xml": xml if xml is not None else shown.dmn_xml,
        "problems": problems or [],
        "comment": comment,
        "sample_fields": [
            (c.name, dmn.FIELDS[c.name]) for c in table.inputs if c.name in dmn.FIELDS
        ]
        if table
        else [],
        "fields": list(dmn.FIELDS.items()),
        "outputs": spec.outputs,
    }
    return render(request, "routing/detail.html", context, status=status)


@require_GET
@manager_required
def detail(request: HttpRequest, key: str) -> HttpResponse:
    number = request.GET.get("v", "")
    return _detail(request, key, number=int(number) if number.isdigit() else None)


@require_POST
@manager_required
def save_draft(request: HttpRequest, key: str) -> HttpResponse:
    xml = request.POST.get("dmn_xml", "")
    comment = request.POST.get("comment", "").strip()
    try:
        row = services.save_draft(key, xml, actor=request.user, comment=comment)
    except DomainError as exc:
        messages.error(request, exc.message)
        based_on = request.POST.get("based_on", "")
        return _detail(
            request,
            key,
            number=int(based_on) if based_on.isdigit() else None,
            xml=xml,
            problems=[
                {"element": element, "message": text}
                for element, texts in (exc.fields or {}).items()
                for text in texts
            ],
            comment=comment,
            status=422 if exc.status == 422 else exc.status,
        )
    messages.success(request, _("已保存为草稿 v%(n)s,发布后新工单才会使用") % {"n": row.version})
    return redirect(f"{reverse('routing:detail', args=[key])}?v={row.version}")


@require_POST
@manager_required
def publish(request: HttpRequest, key: str, version: int) -> HttpResponse:
    try:
        row = services.publish_version(key, version, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("v%(n)s 已发布:此后受理的工单按该版本派单") % {"n": row.version}
        )
    return redirect(f"{reverse('routing:detail', args=[key])}?v={version}")
