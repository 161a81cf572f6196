"""Keyset pages walk a queue forward and back in sort order, NULLs last, ties by id."""

import pytest

from complaintloop.tickets.models import WorkItem
from complaintloop.web.queues import keyset


def _walk(qs, descending):
    seen, cursor, pages = [], "", []
    while True:
        page = keyset.paginate(qs, col="due_at", descending=descending, size=2, after=cursor)
        pages.append(page)
        seen += [w.pk for w in page.rows]
        if not page.has_next:
            return seen, pages
        cursor = page.last_cursor


@pytest.mark.parametrize("descending", [False, True])
def test_forward_and_back_cover_every_row_once_in_order(world, descending):
    # given seven open items, two without a deadline and two with the same one
    for _ in range(7):
        world.new_ticket()
    items = list(WorkItem.objects.order_by("id"))
    WorkItem.objects.filter(pk__in=[items[1].pk, items[4].pk]).update(due_at=None)
    WorkItem.objects.filter(pk=items[3].pk).update(due_at=items[2].due_at)
    qs = WorkItem.objects.all()
    dated = sorted(
        (w for w in qs if w.due_at),
        key=lambda w: (-w.due_at.timestamp() if descending else w.due_at.timestamp(), w.pk),
    )
    expected = [w.pk for w in dated] + [w.pk for w in qs.order_by("id") if w.due_at is None]
    # when walking forward by cursor
    seen, pages = _walk(qs, descending)
    # then every row comes once, in order, NULLs last
    assert seen == expected
    # and going back from the last page gives the page before it
    back = keyset.paginate(
        qs, col="due_at", descending=descending, size=2, before=pages[-1].first_cursor
    )
    assert [w.pk for w in back.rows] == [w.pk for w in pages[-2].rows]


def test_malformed_cursors_are_ignored():
    assert keyset.decode("%%%") is None
    assert keyset.decode(keyset.encode("TS1", 5)) == ("TS1", 5)
