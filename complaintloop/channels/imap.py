"""Polling a mailbox over IMAP (IMAPS by default, STARTTLS otherwise) with the
standard library's imaplib: unseen messages are fetched without marking them, ingested,
then flagged \\Seen. Ingestion is idempotent, so a poll cut short is safely repeated."""

from __future__ import annotations

import imaplib
import logging
import ssl
import time
from dataclasses import dataclass

from django.conf import settings

from complaintloop.core import clock

from .models import Mailbox, Outcome
from .services import email

log = logging.getLogger("complaintloop.channels")


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    outcomes: dict | None = None
    error: str = ""
    seconds: float = 0.0


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.CHANNELS_IMAP_CA_FILE or None)
    return context


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    timeout = settings.CHANNELS_IMAP_TIMEOUT
    if mailbox.use_ssl:
        conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=_context(), timeout=timeout
        )
    else:
        conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
        conn.starttls(ssl_context=_context())
    conn.login(mailbox.username, mailbox.password)
    return conn


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def poll(mailbox: Mailbox, *, limit: int | None = None) -> PollResult:
    """Fetch and ingest up to ``limit`` unseen messages; errors are kept on the
    mailbox (``last_error``) for the admin, never raised."""
    limit = limit or settings.CHANNELS_POLL_LIMIT
    result = PollResult(mailbox=mailbox.name, outcomes={})
    started = time.monotonic()
    conn = None
    try:
        conn = _connect(mailbox)
        status, _data = conn.select(_quote(mailbox.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot select folder {mailbox.folder!r}")
        status, data = conn.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split()[:limit] if status == "OK" and data and data[0] else []
        for uid in uids:
            status, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
            if status != "OK" or raw is None:
                continue
            try:
                entry = email.ingest(raw, mailbox=mailbox)
                outcome = entry.outcome
            except Exception:  # one bad message must not stop the mailbox
                log.exception("mailbox %s: message uid %s failed", mailbox.pk, uid)
                outcome = Outcome.ERROR
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
            result.fetched += 1
            conn.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        log.warning("mailbox %s poll failed: %s", mailbox.pk, result.error)
    finally:
        if conn is not None:
            try:
                conn.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
    result.seconds = time.monotonic() - started
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=clock.now(), last_error=result.error
    )
    return result


def poll_all(*, limit: int | None = None) -> list[PollResult]:
    boxes = (
        Mailbox.objects.filter(is_active=True).exclude(host="").select_related("unit", "order_type")
    )
    return [poll(box, limit=limit) for box in boxes]
