"""Chinese full-text search over tickets (R32): jieba tokens stored at intake and when
comments are added; PostgreSQL full-text (`simple` config, GIN) or SQLite FTS5."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .models import Ticket, TicketSearchDoc

_ready = threading.Lock()
_initialized = False
_WORD = re.compile(r"\w", re.UNICODE)
MAX_QUERY_TOKENS = 12


def _jieba():
    global _initialized
    import jieba

    if not _initialized:
        with _ready:
            if not _initialized:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _initialized = True
    return jieba


def tokens(text: str) -> list[str]:
    """Search-mode tokens (long words and their parts), lowercased, punctuation dropped."""
    if not text:
        return []
    return [t.lower() for t in _jieba().cut_for_search(text) if t.strip() and _WORD.search(t)]


def query_tokens(text: str) -> list[str]:
    words = [t.lower() for t in _jieba().cut(text or "") if t.strip() and _WORD.search(t)]
    return list(dict.fromkeys(words))[:MAX_QUERY_TOKENS]


def _fts_write(rows: Iterable[tuple[int, str]]) -> None:
    rows = list(rows)
    if connection.vendor != "sqlite" or not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany("DELETE FROM ticket_fts WHERE rowid = %s", [(pk,) for pk, _ in rows])
        cursor.executemany("INSERT INTO ticket_fts(rowid, tokens) VALUES (%s, %s)", rows)


def index(ticket: Ticket) -> None:
    """(Re)index a new ticket from its title and description."""
    text = " ".join(tokens(f"{ticket.title} {ticket.description}"))
    TicketSearchDoc.objects.update_or_create(ticket=ticket, defaults={"tokens": text})
    _fts_write([(ticket.pk, text)])


def add_text(ticket: Ticket, text: str) -> None:
    """Append a comment's words to the ticket's document."""
    words = " ".join(tokens(text))
    if not words:
        return
    doc = TicketSearchDoc.objects.filter(ticket=ticket).first()
    combined = f"{doc.tokens} {words}" if doc else words
    TicketSearchDoc.objects.update_or_create(ticket=ticket, defaults={"tokens": combined})
    _fts_write([(ticket.pk, combined)])


def filter_text(qs: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Tickets whose document holds every word of ``text``."""
    words = query_tokens(text)
    if not words:
        return qs
    if connection.vendor == "postgresql":
        ids = RawSQL(
            "SELECT ticket_id FROM tickets_ticketsearchdoc "
            "WHERE to_tsvector('simple', tokens) @@ plainto_tsquery('simple', %s)",
            [" ".join(words)],
        )
    elif connection.vendor == "sqlite":
        expression = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        ids = RawSQL("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH %s", [expression])
    else:  # other databases: word containment on the stored tokens
        matching = TicketSearchDoc.objects.all()
        for w in words:
            matching = matching.filter(tokens__contains=w)
        return qs.filter(pk__in=matching.values("ticket_id"))
    return qs.filter(pk__in=ids)


def rebuild(batch: int = 5000, *, only_missing: bool = True, progress=None) -> int:
    """Index tickets in bulk (after a seed or an import)."""
    done = 0
    last = 0
    while True:
        qs = Ticket.objects.filter(pk__gt=last).order_by("pk")
        if only_missing:
            # An anti-join: NOT IN over a freshly filled, unanalysed table went quadratic.
            qs = qs.filter(search_doc__isnull=True)
        rows = list(qs.values_list("pk", "title", "description", "resolution")[:batch])
        if not rows:
            return done
        docs = [
            TicketSearchDoc(ticket_id=pk, tokens=" ".join(tokens(f"{title} {desc} {res}")))
            for pk, title, desc, res in rows
        ]
        TicketSearchDoc.objects.bulk_create(
            docs, update_conflicts=True, unique_fields=["ticket"], update_fields=["tokens"]
        )
        _fts_write((d.ticket_id, d.tokens) for d in docs)
        done += len(docs)
        last = rows[-1][0]
        if progress:
            progress(f"search index {done}")
