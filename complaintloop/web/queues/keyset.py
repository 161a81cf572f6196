"""Keyset (cursor) pagination for the queues: a page starts after (or ends before) the
sort value and id of a row, so page 1,000 costs what page 1 costs at 1M tickets
(OFFSET would read and throw away every row before it).

Rows are ordered by the sort column (NULLs last, in both directions) then id. The
non-NULL and NULL parts are read by separate queries so each can seek on an index."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet


@dataclass
class Page:
    rows: list
    has_prev: bool
    has_next: bool
    first_cursor: str = ""
    last_cursor: str = ""


def encode(value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        raw: list = ["dt", value.isoformat(), pk]
    else:
        raw = ["v", value, pk]
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[Any, int] | None:
    """(value, id) or None for anything malformed (a stale or edited link)."""
    if not cursor:
        return None
    try:
        kind, value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if kind == "dt":
            value = datetime.fromisoformat(value)
        elif kind != "v" or not (value is None or isinstance(value, str | int)):
            return None
        return value, int(pk)
    except (ValueError, TypeError):
        return None


def _after(col: str, descending: bool, value: Any, pk: int) -> Q:
    # Seekable: a range on the column, then only ties on the value are cut by id.
    bound = Q(**{f"{col}__lte" if descending else f"{col}__gte": value})
    return bound & ~Q(**{col: value, "id__lte": pk})


def _before(col: str, descending: bool, value: Any, pk: int) -> Q:
    bound = Q(**{f"{col}__gte" if descending else f"{col}__lte": value})
    return bound & ~Q(**{col: value, "id__gte": pk})


def paginate(
    qs: QuerySet,
    *,
    col: str,
    descending: bool,
    size: int,
    after: str = "",
    before: str = "",
) -> Page:
    """One page of ``qs`` ordered by ``col`` (NULLs last) and id."""
    qs = qs.annotate(sort_value=F(col))
    present = qs.filter(**{f"{col}__isnull": False})
    absent = qs.filter(**{f"{col}__isnull": True})
    forward = (F(col).desc() if descending else F(col).asc(), "id")
    backward = (F(col).asc() if descending else F(col).desc(), "-id")
    back = decode(before)
    if back is not None:
        value, pk = back
        if value is None:
            rows = list(absent.filter(id__lt=pk).order_by("-id")[: size + 1])
            if len(rows) <= size:
                rows += list(present.order_by(*backward)[: size + 1 - len(rows)])
        else:
            rows = list(
                present.filter(_before(col, descending, value, pk)).order_by(*backward)[: size + 1]
            )
        has_prev = len(rows) > size
        rows = rows[:size][::-1]
        return _page(rows, has_prev=has_prev, has_next=True)
    start = decode(after)
    if start is None:
        rows = list(present.order_by(*forward)[: size + 1])
        if len(rows) <= size:
            rows += list(absent.order_by("id")[: size + 1 - len(rows)])
    elif start[0] is None:
        rows = list(absent.filter(id__gt=start[1]).order_by("id")[: size + 1])
    else:
        value, pk = start
        rows = list(
            present.filter(_after(col, descending, value, pk)).order_by(*forward)[: size + 1]
        )
        if len(rows) <= size:
            rows += list(absent.order_by("id")[: size + 1 - len(rows)])
    return _page(rows[:size], has_prev=start is not None, has_next=len(rows) > size)


def _page(rows: list, *, has_prev: bool, has_next: bool) -> Page:
    if not rows:
        return Page(rows, has_prev=has_prev, has_next=False)
    return Page(
        rows,
        has_prev=has_prev,
        has_next=has_next,
        first_cursor=encode(rows[0].sort_value, rows[0].pk),
        last_cursor=encode(rows[-1].sort_value, rows[-1].pk),
    )
