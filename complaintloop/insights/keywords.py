"""Keywords of a ticket's text (R24): jieba with the domain dictionary and stop words
kept as editable rows; TF-IDF on jieba's IDF table, domain terms weighted up.

A private ``jieba.Tokenizer`` carries the domain words, so search tokens (which use the
default tokenizer) do not change when the dictionary is edited."""

from __future__ import annotations

import importlib
import logging
import re
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Max, Sum

from complaintloop.core import clock, outbox
from complaintloop.core.models import Outbox
from complaintloop.tickets.models import Ticket

from .models import DomainTerm, StopWord, TicketKeyword

TOP_N = 5
DATA_DIR = Path(__file__).resolve().parent / "data"
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]*$|^\d{5}$")
_lock = threading.Lock()


def read_data_file(name: str) -> list[list[str]]:
    """Rows of a dictionary file under ``data/``: whitespace-split, comments dropped."""
    rows = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(line.split())
    return rows


class _Extractor:
    def __init__(self) -> None:
        self.signature: tuple | None = None
        self.tokenizer = None
        self.idf: dict[str, float] = {}
        self.median_idf = 1.0
        self.terms: dict[str, float] = {}
        self.stop: set[str] = set()

    def _load(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        terms = dict(DomainTerm.objects.values_list("word", "weight"))
        stop = set(StopWord.objects.values_list("word", flat=True))
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in terms:
            tokenizer.add_word(word, freq=20000)
        if not self.idf:
            tfidf = importlib.import_module("jieba.analyse.tfidf")  # the module, not the alias
            loader = tfidf.IDFLoader(tfidf.DEFAULT_IDF)
            self.idf, self.median_idf = loader.get_idf()
        self.tokenizer, self.terms, self.stop = tokenizer, terms, stop

    def refresh(self) -> None:
        """Reload the dictionary when its rows changed (two cheap aggregate queries)."""
        signature = (
            tuple(
                DomainTerm.objects.aggregate(n=Max("id"), c=Max("weight"), s=Sum("weight")).values()
            ),
            DomainTerm.objects.count(),
            StopWord.objects.count(),
            StopWord.objects.aggregate(n=Max("id"))["n"],
        )
        if signature != self.signature or self.tokenizer is None:
            with _lock:
                self._load()
                self.signature = signature

    def extract(self, text: str, top: int = TOP_N) -> list[tuple[str, float]]:
        if not text or self.tokenizer is None:
            return []
        counts = Counter(
            w
            for w in (t.strip().lower() for t in self.tokenizer.cut(text))
            if len(w) >= 2 and w not in self.stop and _WORD.match(w)
        )
        if not counts:
            return []
        total = sum(counts.values())
        scored = {
            w: n / total * self.idf.get(w, self.median_idf) * self.terms.get(w, 1.0)
            for w, n in counts.items()
        }
        best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [(w[:32], round(s, 4)) for w, s in best]


_extractor = _Extractor()


def extract(text: str, top: int = TOP_N) -> list[tuple[str, float]]:
    """Top keywords of ``text`` with their weights, best first."""
    _extractor.refresh()
    return _extractor.extract(text, top)


def _rows(ticket_id: int, text: str) -> list[TicketKeyword]:
    return [
        TicketKeyword(ticket_id=ticket_id, word=w, weight=s) for w, s in _extractor.extract(text)
    ]


def _store(tickets: list[tuple[int, str, str]]) -> list[TicketKeyword]:
    """(Re)compute the keywords of (id, title, description) rows; one delete and one
    insert for all of them, and running it twice leaves the same rows."""
    rows = [r for pk, title, desc in tickets for r in _rows(pk, f"{title} {desc}")]
    with transaction.atomic():
        TicketKeyword.objects.filter(ticket_id__in=[t[0] for t in tickets]).delete()
        TicketKeyword.objects.bulk_create(rows, batch_size=1000)
    return rows


def extract_all(batch: int = 2000, *, only_missing: bool = True, progress=None) -> int:
    """Extract keywords in bulk (after a seed or an import); returns tickets done.
    Walks tickets by id; with ``only_missing`` it skips, per batch, those that have
    keywords (an index lookup, not an anti-join over the whole table)."""
    _extractor.refresh()
    done, last = 0, 0
    while True:
        tickets = list(
            Ticket.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "description")[:batch]
        )
        if not tickets:
            return done
        last = tickets[-1][0]
        if only_missing:
            have = set(
                TicketKeyword.objects.filter(ticket_id__in=[t[0] for t in tickets])
                .values_list("ticket_id", flat=True)
                .distinct()
            )
            tickets = [t for t in tickets if t[0] not in have]
        if tickets:
            _store(tickets)
            done += len(tickets)
            if progress:
                progress(f"keywords {done}")


@outbox.batch_consumer("ticket.event")
def keywords_at_intake(rows: list[Outbox]) -> None:
    """The keywords of the tickets created in a poll, in one pass. Idempotent: a
    redelivered row recomputes the same keywords."""
    numbers = {r.payload.get("ticket") for r in rows if r.payload.get("kind") == "created"}
    numbers.discard(None)
    if not numbers:
        return
    _extractor.refresh()
    tickets = list(
        Ticket.objects.filter(number__in=numbers).values_list("pk", "title", "description")
    )
    if tickets:
        _store(tickets)


@outbox.consumer("insights.dictionary")
def dictionary_changed(row: Outbox) -> None:
    """Reload the edited dictionary here at once; re-extract recent tickets when asked.
    Idempotent: re-extraction leaves the same rows however often it runs."""
    _extractor.signature = None
    _extractor.refresh()
    days = int(row.payload.get("reextract_days") or 0)
    if days <= 0:
        return
    since = clock.now() - timedelta(days=days)
    ids = Ticket.objects.filter(created_at__gte=since).values_list("pk", flat=True)
    extract_ids(list(ids))


def extract_ids(ids: list[int], batch: int = 2000) -> int:
    """Recompute the keywords of the given tickets with the current dictionary."""
    _extractor.refresh()
    done = 0
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        tickets = Ticket.objects.filter(pk__in=chunk).values_list("pk", "title", "description")
        rows = [r for pk, title, desc in tickets for r in _rows(pk, f"{title} {desc}")]
        with transaction.atomic():
            TicketKeyword.objects.filter(ticket_id__in=chunk).delete()
            TicketKeyword.objects.bulk_create(rows, batch_size=1000)
        done += len(chunk)
    return done
