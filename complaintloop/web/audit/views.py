"""审计日志: what the auditor reads (R33): unmasked numbers, exports, configuration
changes, with filters, keyset pages and a CSV export that is itself audited."""

from __future__ import annotations

import csv
import datetime
import json
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from complaintloop.core import audit, selectors

PAGE_SIZE = 100
EXPORT_LIMIT = 50_000
FAMILY_LABELS = {
    "": gettext_lazy("全部"),
    "pii": gettext_lazy("查看完整号码"),
    "export": gettext_lazy("导出"),
    "config": gettext_lazy("配置变更"),
    "retention": gettext_lazy("数据保留"),
    "login": gettext_lazy("登录"),
    "security": gettext_lazy("安全设置"),
}


def _day(raw: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((raw or "").strip()) if raw else None
    except ValueError:
        return None


def _filter(request: HttpRequest) -> tuple[selectors.AuditFilter, dict, dict]:
    get = request.GET
    errors: dict[str, str] = {}
    family = get.get("family", "")
    if family not in FAMILY_LABELS:
        errors["family"], family = _("未知类别"), ""
    since, until = _day(get.get("since")), _day(get.get("until"))
    for name, value in (("since", since), ("until", until)):
        if get.get(name) and value is None:
            errors[name] = _("日期格式应为 YYYY-MM-DD")
    tz = timezone.get_current_timezone()
    cursor = get.get("before", "")
    values = {
        "family": family,
        "actor": get.get("actor", "").strip()[:150],
        "object_type": get.get("object_type", "").strip()[:64],
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    flt = selectors.AuditFilter(
        family=family,
        actor=values["actor"],
        object_type=values["object_type"],
        since=datetime.datetime.combine(since, datetime.time(), tz) if since else None,
        until=datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time(), tz)
        if until
        else None,
        before_id=int(cursor) if cursor.isdigit() and len(cursor) < 19 else None,
    )
    return flt, values, errors


def _changes(entry) -> list[tuple[str, object, object]]:
    changes = (entry.detail or {}).get("changes") or {}
    return [(name, pair[0], pair[1]) for name, pair in changes.items() if len(pair) == 2]


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not actor.can_read_audit:
        return render(
            request,
            "web/audit/index.html",
            {"nav": "audit", "forbidden": True},
            status=403,
        )
    flt, values, errors = _filter(request)
    if request.GET.get("format") == "csv" and not errors:
        return _csv(actor, flt, values)
    rows = list(selectors.audit_log(flt)[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    for row in rows:
        row.changes = _changes(row)
        rest = {k: v for k, v in (row.detail or {}).items() if k not in ("changes", "label")}
        row.rest = json.dumps(rest, ensure_ascii=False) if rest else ""
    query = urlencode({k: v for k, v in values.items() if v})
    return render(
        request,
        "web/audit/index.html",
        {
            "nav": "audit",
            "rows": rows,
            "values": values,
            "errors": errors,
            "families": list(FAMILY_LABELS.items()),
            "object_types": selectors.object_types(),
            "next_cursor": rows[-1].pk if more and rows else None,
            "query": query,
        },
        status=422 if errors else 200,
    )


def _csv(actor, flt: selectors.AuditFilter, values: dict) -> HttpResponse:
    audit.export(actor, "audit_log", **values)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 Chinese only with the BOM
    writer = csv.writer(response)
    writer.writerow([_("时间"), _("操作人"), _("动作"), _("对象类型"), _("对象"), _("详情")])
    for row in selectors.audit_log(flt)[:EXPORT_LIMIT]:
        writer.writerow(
            [
                timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"),
                row.actor.username if row.actor_id else _("系统"),
                row.action,
                row.object_type,
                row.object_id,
                json.dumps(row.detail, ensure_ascii=False),
            ]
        )
    return response
