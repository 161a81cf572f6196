"""Commands of the reports app: request a report (on demand or from the schedule),
generate it in the worker, and mail it to the scope's recipients."""

from __future__ import annotations

import logging
import time
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaintloop.core import clock
from complaintloop.core.errors import Forbidden, Invalid, NotFound
from complaintloop.org.models import Staff, Unit, UnitKind

from . import content as report_content
from . import periods, render
from .models import Recipient, Report, ReportKind, ReportStatus, Trigger

log = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A report stuck in "running" longer than this was lost with its worker: it may be retried.
STALE_SECONDS = 15 * 60


def report_scopes() -> list[Unit]:
    """Units a report can be made for: the province and each city."""
    return list(
        Unit.objects.filter(kind__in=(UnitKind.PROVINCE, UnitKind.CITY), is_active=True).order_by(
            "path"
        )
    )


def scopes_for(actor: Staff) -> list[Unit]:
    """The report scopes inside the actor's data scope."""
    path = actor.scope_path
    if not path or not actor.can_view_quality:
        return []
    units = report_scopes()
    if path == "/" or path.count("/") == 2:
        return units
    return [u for u in units if u.path.startswith(path)]


def _scope(actor: Staff, code: str) -> Unit:
    for unit in scopes_for(actor):
        if unit.code == code:
            return unit
    # Out of scope looks like absent, as for tickets.
    raise Invalid("report.scope", _("范围不存在或不在数据范围内"), {"scope": [_("请选择范围")]})


@transaction.atomic
def request(actor: Staff, *, kind: str, period: str, scope: str) -> Report:
    """Queue a report that the actor asked for on the page; the worker makes it."""
    if not actor.can_view_quality:
        raise Forbidden("report.forbidden", _("无权生成监测报告"))
    parsed = periods.parse(kind, period, today=clock.localtime().date())
    unit = _scope(actor, scope)
    report = Report.objects.create(
        kind=kind,
        period_start=parsed.start,
        period_end=parsed.end,
        scope_unit=unit,
        requested_by=actor,
        trigger=Trigger.MANUAL,
        created_at=clock.now(),
    )
    _enqueue(report)
    return report


def schedule(kind: str, today: date | None = None) -> list[Report]:
    """The beat tick: one report per scope for the previous month (week). Safe to run
    twice: a scheduled report of the same kind, period and scope is made once."""
    today = today or clock.localtime().date()
    period = periods.previous_complete(kind, today)
    made = []
    for unit in report_scopes():
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    kind=kind,
                    period_start=period.start,
                    period_end=period.end,
                    scope_unit=unit,
                    trigger=Trigger.SCHEDULE,
                    created_at=clock.now(),
                )
                _enqueue(report)
        except IntegrityError:
            continue
        made.append(report)
    return made


def _enqueue(report: Report) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.generate_report.delay(report.pk))


def _claim(report_id: int) -> bool:
    """Exactly one worker runs a report: queued → running by a conditional update."""
    return (
        Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
            status=ReportStatus.RUNNING, started_at=clock.now()
        )
        == 1
    )


def generate(report_id: int) -> Report:
    """Build the content, render PDF and XLSX, store them; a failure is recorded on the
    report (status failed, error), never raised to whoever asked for it."""
    if not _claim(report_id):
        found = Report.objects.filter(pk=report_id).first()
        if found is None:
            raise NotFound("report.not_found", _("报告不存在"))
        return found
    report = Report.objects.select_related("scope_unit").get(pk=report_id)
    started = time.perf_counter()
    try:
        # Reports are published in Chinese whatever language the requester uses.
        with translation.override(settings.LANGUAGE_CODE):
            period = report_content.period_of(report.kind, report.period_start)
            data = report_content.build(report.kind, period, report.scope_unit)
            pdf_bytes, pages = render.pdf(data, number=number(report))
            xlsx_bytes = render.xlsx(data)
    except Exception as exc:  # noqa: BLE001 — any failure is the report's outcome
        log.exception("report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=clock.now(),
            duration_ms=int((time.perf_counter() - started) * 1000),
        )
        report.refresh_from_db()
        return report
    _store(report, pdf_bytes, xlsx_bytes, pages, started)
    deliver(report.pk)
    report.refresh_from_db()
    return report


def number(report: Report) -> str:
    """报告编号: scope code, kind and period, then the row id."""
    key = report_content.period_of(report.kind, report.period_start).key.replace("-", "")
    prefix = "YB" if report.kind == ReportKind.MONTHLY else "ZB"
    return f"{report.scope_unit.code}-{prefix}{key}-{report.pk:04d}"


def _store(report: Report, pdf_bytes: bytes, xlsx_bytes: bytes, pages: int, started: float) -> None:
    # Old files of a retried report are replaced, not left behind.
    for field in (report.pdf, report.xlsx):
        if field:
            field.delete(save=False)
    stem = f"{report.slug}-{report.pk}"
    report.pdf.save(f"{stem}.pdf", ContentFile(pdf_bytes), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx_bytes), save=False)
    report.pdf_bytes, report.xlsx_bytes, report.pages = len(pdf_bytes), len(xlsx_bytes), pages
    report.status = ReportStatus.DONE
    report.error = ""
    report.finished_at = clock.now()
    report.duration_ms = int((time.perf_counter() - started) * 1000)
    report.save()


def retry(report_id: int, *, actor: Staff) -> Report:
    """Queue a failed (or lost) report again."""
    report = Report.objects.visible_to(actor).filter(pk=report_id).first()
    if report is None:
        raise NotFound("report.not_found", _("报告不存在"))
    stale = report.status == ReportStatus.RUNNING and (
        report.started_at is None
        or (clock.now() - report.started_at).total_seconds() > STALE_SECONDS
    )
    if report.status != ReportStatus.FAILED and not stale:
        raise Invalid("report.not_retryable", _("只有失败的报告可以重新生成"), {})
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED, error="")
        _enqueue(report)
    report.refresh_from_db()
    return report


def recipients(report: Report) -> list[str]:
    return list(
        Recipient.objects.filter(
            scope_unit=report.scope_unit, kind=report.kind, is_active=True
        ).values_list("email", flat=True)
    )


def deliver(report_id: int) -> int:
    """Mail a done report (PDF and XLSX attached) to its scope's recipients, once.
    A mail failure is logged and left for the next retry; the report stays done."""
    report = Report.objects.select_related("scope_unit").get(pk=report_id)
    to = recipients(report)
    if report.status != ReportStatus.DONE or not to or report.emailed_at:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = report_title(report)
        body = (
            f"{subject}\n\n"
            f"统计周期:{report.period_start} — {report.period_end}\n"
            f"共 {report.pages} 页。附件为 PDF 报告与 XLSX 明细。\n\n"
            "本邮件由 ComplaintLoop 自动发送。"
        )
    message = EmailMessage(subject=subject, body=body, to=to)
    report.pdf.open("rb")
    report.xlsx.open("rb")
    try:
        message.attach(f"{report.slug}.pdf", report.pdf.read(), "application/pdf")
        message.attach(f"{report.slug}.xlsx", report.xlsx.read(), XLSX_TYPE)
    finally:
        report.pdf.close()
        report.xlsx.close()
    try:
        message.send()
    except OSError:
        log.exception("mailing report %s failed", report_id)
        return 0
    Report.objects.filter(pk=report_id).update(emailed_at=clock.now(), emailed_to=len(to))
    return len(to)


def report_title(report: Report) -> str:
    period = report_content.period_of(report.kind, report.period_start)
    label = render.period_label(report.kind, period)
    return f"{report.scope_unit.name} {label} {render.kind_label(report.kind)}"


@transaction.atomic
def subscribe(actor: Staff, *, scope: str, kind: str, email: str, name: str = "") -> Recipient:
    """Add a recipient of a scope's reports (within the actor's data scope)."""
    if not actor.can_view_quality:
        raise Forbidden("report.forbidden", _("无权管理报告订阅"))
    unit = _scope(actor, scope)
    if kind not in ReportKind.values:
        raise Invalid("report.kind", _("报告类型无效"), {"kind": [_("请选择报告类型")]})
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(
            "report.email", _("邮箱格式不正确"), {"email": [_("邮箱格式不正确")]}
        ) from exc
    recipient, _created = Recipient.objects.update_or_create(
        scope_unit=unit, kind=kind, email=email, defaults={"name": name.strip(), "is_active": True}
    )
    return recipient


@transaction.atomic
def unsubscribe(actor: Staff, recipient_id: int) -> None:
    units = {u.pk for u in scopes_for(actor)}
    deleted, _rows = Recipient.objects.filter(pk=recipient_id, scope_unit_id__in=units).delete()
    if not deleted:
        raise NotFound("report.recipient_not_found", _("订阅不存在"))
