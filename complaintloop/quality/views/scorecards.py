"""记分卡: a month's department or staff scorecards, ranked, with XLSX/CSV export and
the weights (quality managers and admins edit them)."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaintloop.core import audit
from complaintloop.core.errors import DomainError, Invalid

from .. import scorecards, selectors, services
from ..models import ScorecardItem, ScoreSource, Subject
from ..templatetags.quality_tags import iname
from .common import form_errors, parse_choice, parse_month, quality_required, today

SUBJECTS = ((Subject.DEPARTMENT, gettext_lazy("部门")), (Subject.STAFF, gettext_lazy("员工")))
FORMATS = (("html", ""), ("xlsx", ""), ("csv", ""))


def line_label(item: ScorecardItem) -> str:
    if item.source == ScoreSource.INDICATOR and item.indicator:
        return iname(item.indicator)
    return str(item.get_source_display())


def _months(current: date) -> list[date]:
    months = []
    cursor = current.replace(day=1)
    for _n in range(12):
        months.append(cursor)
        cursor = (cursor.replace(day=1) - date.resolution).replace(day=1)
    return months


@quality_required
def index(request):
    actor = request.user
    context = {"nav": "quality", "subnav": "scorecards", "subjects": SUBJECTS}
    try:
        subject = parse_choice(request.GET.get("subject"), "subject", SUBJECTS, "department")
        month = parse_month(request.GET.get("month"))
        fmt = parse_choice(request.GET.get("format"), "format", FORMATS, "html")
        region = (request.GET.get("region") or "").strip() or None
        data = scorecards.scorecard(actor, subject=subject, month=month, region=region)
    except DomainError as exc:
        context["errors"] = form_errors(exc)
        return render(request, "quality/scorecards.html", context, status=exc.status)
    if fmt in ("xlsx", "csv"):
        audit.export(actor, "scorecard", subject=subject, month=month, region=region, format=fmt)
        return _xlsx(data) if fmt == "xlsx" else _csv(data)
    can_edit = actor.is_superuser or actor.role in services.MANAGER_ROLES
    context.update(
        data=data,
        subject=subject,
        month=month,
        months=_months(today()),
        region=region or "",
        labels=[line_label(i) for i in data["items"]],
        all_items=ScorecardItem.objects.filter(subject=subject).select_related("indicator")
        if can_edit
        else [],
        can_edit=can_edit,
        candidates=selectors.indicators().exclude(target__isnull=True) if can_edit else [],
        sources=ScoreSource.choices,
    )
    return render(request, "quality/scorecards.html", context)


def _table(data: dict) -> tuple[list[str], list[list]]:
    header = [_("排名"), _("名称"), _("单位"), _("总分")]
    for item in data["items"]:
        label = line_label(item)
        header += [
            f"{label} {_('数值')}",
            f"{label} {_('得分')} (×{item.weight:g})",
        ]
    rows = []
    for row in data["rows"]:
        line = [row.rank or "", row.name, row.unit, row.total]
        for cell in row.lines:
            line += [cell.value, cell.score]
        rows.append(line)
    return header, rows


def _filename(data: dict, ext: str) -> str:
    scope = data["scope"].code if data["scope"] else "ALL"
    return f"scorecard-{data['subject']}-{data['month']:%Y-%m}-{scope}.{ext}"


def _xlsx(data: dict) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    header, rows = _table(data)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{data['month']:%Y-%m}"
    scope = data["scope"].name if data["scope"] else _("全省")
    sheet.append([f"{_('记分卡')} · {scope} · {data['start']} ~ {data['end']}"])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    for line in rows:
        sheet.append(line)
    sheet.freeze_panes = "C3"
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = 14 if letter > "C" else 22
    weights = book.create_sheet(_("权重"))
    weights.append([_("考核项"), _("来源"), _("权重")])
    for item in data["items"]:
        weights.append([line_label(item), str(item.get_source_display()), float(item.weight)])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(data, "xlsx")}"'
    return response


def _csv(data: dict) -> HttpResponse:
    header, rows = _table(data)
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in line] for line in rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(data, "csv")}"'
    return response


@require_POST
@quality_required
def weights(request):
    back = request.POST.get("next") or "/quality/scorecards/"
    if not back.startswith("/quality/scorecards/"):
        back = "/quality/scorecards/"
    try:
        if request.POST.get("add"):
            services.add_scorecard_item(
                actor=request.user,
                subject=request.POST.get("subject") or "",
                source=request.POST.get("source") or "",
                indicator=request.POST.get("indicator") or None,
                weight=request.POST.get("weight") or "",
            )
        else:
            changes = {}
            for key, value in request.POST.items():
                if key.startswith("weight_"):
                    try:
                        changes[int(key.removeprefix("weight_"))] = value
                    except ValueError:
                        raise Invalid(
                            "scorecard.invalid", _("权重无效"), {key: [_("无效")]}
                        ) from None
            services.set_weights(changes, actor=request.user)
    except DomainError as exc:
        detail = "; ".join(f"{k}: {v}" for k, v in form_errors(exc)["fields"].items())
        messages.error(request, f"{exc.message} {detail}".strip())
        return redirect(back)
    messages.success(request, _("权重已保存"))
    return redirect(back)
