"""Retention (R33): edit the policies, run them (for real or as a dry run), record each
run and audit it.

A run takes every active policy in turn, ``RETENTION_BATCH`` rows per transaction; a
row already handled is not due any more, so running again (or after a crash) only
does what is left. One real run at a time (a unique constraint); dry runs write
nothing but their own run row and audit entry."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaintloop.core import audit, clock
from complaintloop.core.errors import Conflict, Forbidden, Invalid, NotFound
from complaintloop.org.models import Role, Staff

from . import erase, pseudonymise
from .defaults import BASIS, DEFAULTS
from .models import DataClass, PeriodUnit, RetentionPolicy, RetentionRun, RunStatus, Trigger

log = logging.getLogger(__name__)

Handler = Callable[..., dict]
REPORTS: dict[str, Callable[[RetentionPolicy, datetime], dict]] = {
    DataClass.ATTACHMENTS: erase.report,
    DataClass.RECORDINGS: erase.report,
    DataClass.CUSTOMER_PII: pseudonymise.report,
}
APPLY: dict[str, Handler] = {
    DataClass.ATTACHMENTS: erase.apply,
    DataClass.RECORDINGS: erase.apply,
    DataClass.CUSTOMER_PII: pseudonymise.apply,
}
POLICY_FIELDS = ("keep", "unit", "is_active", "basis")


def may_manage(actor) -> bool:
    """Editing the policies and starting runs: the system administrator only."""
    return bool(actor.is_superuser or actor.role == Role.SYSTEM_ADMIN)


def may_view(actor) -> bool:
    """Reading the policies and the runs: system administrators and auditors."""
    return bool(may_manage(actor) or actor.role == Role.AUDITOR)


# -- policies -------------------------------------------------------------------------


def ensure_default_policies() -> None:
    """Create the starting policy of every class that has none (never changes one)."""
    for data_class, keep, unit in DEFAULTS:
        RetentionPolicy.objects.get_or_create(
            data_class=data_class, defaults={"keep": keep, "unit": unit, "basis": BASIS}
        )


def _minimum(unit: str, keep: int) -> timedelta:
    days = {PeriodUnit.DAYS: 1, PeriodUnit.MONTHS: 28, PeriodUnit.YEARS: 365}[PeriodUnit(unit)]
    return timedelta(days=keep * days)


def validate(*, keep, unit: str, basis: str = "") -> tuple[int, str]:
    errors: dict[str, list[str]] = {}
    try:
        keep = int(keep)
    except (TypeError, ValueError):
        keep = 0
        errors["keep"] = [_("请填写整数")]
    if unit not in PeriodUnit.values:
        errors["unit"] = [_("未知单位")]
    elif not errors and _minimum(unit, keep) < timedelta(days=settings.RETENTION_MIN_DAYS):
        # A typo (1 day instead of 1 year) would erase years of data on the next night.
        errors["keep"] = [_("保存期限不得少于 %(n)s 天") % {"n": settings.RETENTION_MIN_DAYS}]
    elif keep > 100 and unit == PeriodUnit.YEARS:
        errors["keep"] = [_("保存期限不得超过 100 年")]
    if len(basis) > 255:
        errors["basis"] = [_("最多 255 个字符")]
    if errors:
        raise Invalid("retention.invalid", _("保留策略填写有误"), errors)
    return keep, unit


@transaction.atomic
def update_policy(
    data_class: str,
    *,
    actor: Staff,
    keep,
    unit: str,
    is_active: bool,
    basis: str = "",
) -> RetentionPolicy:
    """Change one class's period (a configuration change: audited with before and
    after values)."""
    if not may_manage(actor):
        raise Forbidden("retention.forbidden", _("仅系统管理员可修改保留策略"))
    policy = RetentionPolicy.objects.select_for_update().filter(data_class=data_class).first()
    if policy is None:
        raise NotFound("retention.unknown_class", _("未知数据类别"))
    keep, unit = validate(keep=keep, unit=unit, basis=basis.strip())
    before = {f: getattr(policy, f) for f in POLICY_FIELDS}
    policy.keep, policy.unit, policy.is_active, policy.basis = keep, unit, is_active, basis.strip()
    changes = {
        f: [before[f], getattr(policy, f)] for f in POLICY_FIELDS if before[f] != getattr(policy, f)
    }
    if not changes:
        return policy
    policy.updated_at = clock.now()
    policy.updated_by = actor
    policy.save()
    audit.record(actor, "config.changed", policy, label=str(policy)[:120], changes=changes)
    return policy


# -- runs -----------------------------------------------------------------------------


def request(actor: Staff, *, dry_run: bool) -> RetentionRun:
    """A run asked for on the page: queued here, done by the worker."""
    if not may_manage(actor):
        raise Forbidden("retention.forbidden", _("仅系统管理员可执行保留策略"))
    _expire_stale()
    now = clock.now()
    try:
        with transaction.atomic():
            if not dry_run and _busy():
                raise Conflict("retention.running", _("已有保留任务在执行,请稍后再试"))
            run = RetentionRun.objects.create(
                dry_run=dry_run,
                trigger=Trigger.PAGE,
                status=RunStatus.QUEUED,
                actor=actor,
                started_at=now,
                heartbeat_at=now,
            )
            transaction.on_commit(lambda: _enqueue(run.pk))
    except IntegrityError as exc:
        raise Conflict("retention.running", _("已有保留任务在执行,请稍后再试")) from exc
    return run


def _enqueue(run_id: int) -> None:
    from . import tasks

    tasks.execute_run.delay(run_id)


def execute(run_id: int) -> RetentionRun:
    """The worker's side of ``request``: claim the queued run and do it."""
    _expire_stale()
    try:
        with transaction.atomic():
            claimed = RetentionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
                status=RunStatus.RUNNING, started_at=clock.now(), heartbeat_at=clock.now()
            )
    except IntegrityError:
        # Another real run started since this one was asked for.
        RetentionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.FAILED,
            finished_at=clock.now(),
            error=_("已有保留任务在执行,本次未执行"),
        )
        return RetentionRun.objects.get(pk=run_id)
    run = RetentionRun.objects.select_related("actor").get(pk=run_id)
    if not claimed:
        return run  # already done (a redelivered task)
    return _execute(run)


def apply(
    *, dry_run: bool = False, actor: Staff | None = None, trigger: str = Trigger.SCHEDULE
) -> RetentionRun:
    """Run every active policy now (the nightly task, the command). Raises Conflict
    while another real run is going on."""
    _expire_stale()
    now = clock.now()
    try:
        with transaction.atomic():
            run = RetentionRun.objects.create(
                dry_run=dry_run,
                trigger=trigger,
                status=RunStatus.RUNNING,
                actor=actor,
                started_at=now,
                heartbeat_at=now,
            )
    except IntegrityError as exc:
        raise Conflict("retention.running", _("已有保留任务在执行,请稍后再试")) from exc
    return _execute(run)


def _busy() -> bool:
    return RetentionRun.objects.filter(
        dry_run=False, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists()


def _expire_stale() -> None:
    """A run whose worker died (no heartbeat for RETENTION_STALE_MINUTES) is failed, so
    it no longer blocks the next one."""
    limit = clock.now() - timedelta(minutes=settings.RETENTION_STALE_MINUTES)
    RetentionRun.objects.filter(
        status__in=[RunStatus.QUEUED, RunStatus.RUNNING], heartbeat_at__lt=limit
    ).update(status=RunStatus.FAILED, finished_at=clock.now(), error="abandoned (no heartbeat)")


def _execute(run: RetentionRun) -> RetentionRun:
    now = clock.now()
    report: dict[str, dict] = {}

    def progress() -> None:
        RetentionRun.objects.filter(pk=run.pk).update(heartbeat_at=clock.now())

    try:
        for policy in RetentionPolicy.objects.order_by("id"):
            report[policy.data_class] = _run_policy(policy, run=run, now=now, progress=progress)
        run.status = RunStatus.DONE
    except Exception as exc:
        log.exception("retention run %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        run.report = report
        run.finished_at = clock.now()
        run.save(update_fields=["status", "report", "finished_at", "error"])
        audit.record(
            run.actor,
            "retention.dry_run" if run.dry_run else "retention.apply",
            run,
            label=str(run)[:120],
            status=run.status,
            trigger=run.trigger,
            counts={name: part.get("count", 0) for name, part in report.items()},
            report=report,
        )
    return run


def _run_policy(policy: RetentionPolicy, *, run: RetentionRun, now, progress) -> dict:
    head = {
        "class": policy.data_class,
        "keep": policy.keep,
        "unit": policy.unit,
        "active": policy.is_active,
    }
    if not policy.is_active:
        return {**head, "count": 0}
    if run.dry_run:
        part = REPORTS[policy.data_class](policy, now)
    else:
        part = APPLY[policy.data_class](
            policy, run=run, now=now, batch=settings.RETENTION_BATCH, progress=progress
        )
    oldest = part.pop("oldest")
    return {
        **head,
        **{k: _plain(v) for k, v in part.items()},
        "oldest": _day(oldest),
        "next_due": _day(policy.due_after(oldest)) if oldest else None,
    }


def _day(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).date().isoformat() if moment else None


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value
