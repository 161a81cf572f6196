"""Human-readable ticket numbers: ``TS`` + yyyymmdd + sequence, unique under concurrency.

PostgreSQL draws from a sequence (no row lock held for the rest of the transaction,
so concurrent intake does not queue on one counter row); SQLite serialises writers
anyway and uses the per-day counter table."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from complaintloop.core import clock

from ..models import TicketNumberCounter

SEQUENCE = "ticket_number_seq"


def next_number(at: datetime | None = None) -> str:
    day = clock.localtime(at).strftime("%Y%m%d")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])
        else:
            table = TicketNumberCounter._meta.db_table
            cursor.execute(
                f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 (table name is ours)
                f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                [day],
            )
        (value,) = cursor.fetchone()
    return f"TS{day}{value:07d}"


def after_bulk_load() -> None:
    """Move the PostgreSQL sequence past numbers a bulk load (seed, import) used."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(last), 0) FROM {TicketNumberCounter._meta.db_table}")  # noqa: S608
        (highest,) = cursor.fetchone()
        cursor.execute(
            "SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM ticket_number_seq)))",
            [SEQUENCE, highest + 1],
        )
