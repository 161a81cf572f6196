"""Marks shared by test modules."""

import pytest
from django.db import connection

# The only skip CI accepts (tests/conftest.py): a test that needs PostgreSQL, on the
# SQLite pass. CI runs the suite on both databases, so such a test still runs once.
POSTGRES_ONLY_REASON = "needs PostgreSQL: runs on the PostgreSQL pass"


def postgres_only(why: str):
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason=f"{POSTGRES_ONLY_REASON} ({why})"
    )
