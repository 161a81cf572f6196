"""Attachments and recordings past their period: the bytes leave storage, the
attachment row gives way to an ErasedFile trace (ticket, type, size, dates; not the
file's name, which may itself name the customer)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Min, QuerySet, Sum

from complaintloop.attachments.models import Attachment
from complaintloop.core import clock
from complaintloop.tickets.models import Status, Ticket

from . import selectors
from .models import ErasedFile, RetentionPolicy, RetentionRun

log = logging.getLogger(__name__)


def report(policy: RetentionPolicy, now: datetime) -> dict:
    """What a run would do now: files due and their bytes, the oldest file still held
    (by its ticket's close), and files whose bytes a previous run could not delete."""
    cutoff = policy.cutoff(now)
    due = selectors.files_due(policy.data_class, cutoff).aggregate(
        count=Count("id"), bytes=Sum("size")
    )
    oldest = selectors.files_held(policy.data_class).aggregate(at=Min("ticket__closed_at"))["at"]
    return {
        "cutoff": cutoff,
        "count": due["count"],
        "bytes": due["bytes"] or 0,
        "oldest": oldest,
        "files_pending": _pending(policy).count(),
    }


def apply(
    policy: RetentionPolicy,
    *,
    run: RetentionRun,
    now: datetime,
    batch: int,
    progress: Callable[[], None],
) -> dict:
    """Erase every file of the policy's class that is due, ``batch`` rows per
    transaction; files a previous run could not delete from storage are tried again."""
    result = report(policy, now)
    _delete_bytes(_pending(policy))
    erased = size = 0
    while True:
        ids = list(
            selectors.files_due(policy.data_class, result["cutoff"])
            .order_by("id")
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            break
        with transaction.atomic():
            rows = _erase_rows(policy, ids, run=run, cutoff=result["cutoff"], now=now)
        _delete_bytes(ErasedFile.objects.filter(attachment_id__in=[r.pk for r in rows]))
        erased += len(rows)
        size += sum(r.size for r in rows)
        progress()
        if not rows:
            break  # every ticket of the batch was reopened meanwhile: the next run decides
    result.update(count=erased, bytes=size, files_pending=_pending(policy).count())
    return result


def _pending(policy: RetentionPolicy) -> QuerySet[ErasedFile]:
    return ErasedFile.objects.filter(data_class=policy.data_class, file_deleted_at__isnull=True)


def _erase_rows(
    policy: RetentionPolicy, ids: list[int], *, run: RetentionRun, cutoff: datetime, now
) -> list[Attachment]:
    # The tickets first, in id order like every ticket lock: a reopen waits for this
    # batch, and a ticket reopened before it is no longer due.
    ticket_ids = set(Attachment.objects.filter(pk__in=ids).values_list("ticket_id", flat=True))
    locked = list(
        Ticket.objects.select_for_update()
        .filter(pk__in=ticket_ids, status=Status.CLOSED, closed_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
    )
    rows = list(
        selectors.files_due(policy.data_class, cutoff).filter(pk__in=ids, ticket_id__in=locked)
    )
    ErasedFile.objects.bulk_create(
        [
            ErasedFile(
                attachment_id=row.pk,
                ticket_id=row.ticket_id,
                data_class=policy.data_class,
                content_type=row.content_type,
                size=row.size,
                uploaded_at=row.uploaded_at,
                storage_name=row.file.name or "",
                run=run,
                erased_at=now,
            )
            for row in rows
        ]
    )
    Attachment.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return rows


def _delete_bytes(traces: QuerySet[ErasedFile]) -> int:
    """Delete the stored files of ``traces``. It runs after their rows are committed
    gone, so a crash in between leaves a trace to retry, never a row without a file."""
    done: list[int] = []
    for trace in traces.only("pk", "storage_name"):
        try:
            if trace.storage_name:
                default_storage.delete(trace.storage_name)
        except OSError:
            log.exception("retention: could not delete the file of %s; next run retries", trace)
            continue
        done.append(trace.pk)
    if done:
        ErasedFile.objects.filter(pk__in=done).update(file_deleted_at=clock.now(), storage_name="")
    return len(done)
