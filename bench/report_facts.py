"""Do the ticket facts give the ticket table's figures at scale, and how much faster?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m \\
      .venv/bin/python bench/report_facts.py [--month 2026-10] [--scopes JS,NJ]

For each scope, ungrouped and grouped as the report's ranking groups it (cities for the
province, handling departments for a city): every report indicator through
``reports.measure.compute_many`` as the report runs it (facts first), then again with
the facts switched off (the ticket-table path). One JSON line each with both times, how
many indicators the facts answered and the codes whose values differ (expected: none).
Read-only. tests/reports/test_measure.py checks the same on a small fixed data set.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

# bench/queue.py would shadow the standard library's queue module: move bench/ last.
_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

from _common import app_version, db_label, django_setup, emit  # noqa: E402


def _values(results: dict) -> dict:
    def one(result):
        return None if result.value is None else round(result.value, 6)

    return {
        code: {k: one(v) for k, v in r.items()} if isinstance(r, dict) else one(r)
        for code, r in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--scopes", default="JS,NJ")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    django_setup(url)

    from complaintloop.org.models import Unit, UnitKind
    from complaintloop.reports import content, measure

    year, month = (int(x) for x in args.month.split("-"))
    start = date(year, month, 1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    found = list(content._indicators().values())
    with_facts = measure._from_facts
    for code in args.scopes.split(","):
        scope = Unit.objects.get(code=code)
        ranking = "region" if scope.kind == UnitKind.PROVINCE else "owner_unit"
        for group_by in (None, ranking):
            kwargs = {"start": start, "end": end, "scope_unit": scope, "group_by": group_by}
            answered = with_facts(found, start, end, scope, group_by)
            began = time.perf_counter()
            fast = measure.compute_many(found, **kwargs)
            facts_s = time.perf_counter() - began
            measure._from_facts = lambda *a, **k: {}
            try:
                began = time.perf_counter()
                slow = measure.compute_many(found, **kwargs)
                tickets_s = time.perf_counter() - began
            finally:
                measure._from_facts = with_facts
            fast_values, slow_values = _values(fast), _values(slow)
            emit(
                {
                    "bench": "report_facts",
                    "db": db_label(url),
                    "app": app_version(),
                    "month": args.month,
                    "scope": code,
                    "group_by": group_by,
                    "indicators": len(found),
                    "from_facts": len(answered),
                    "facts_s": round(facts_s, 2),
                    "tickets_s": round(tickets_s, 2),
                    "differing": sorted(c for c in fast_values if fast_values[c] != slow_values[c]),
                }
            )


if __name__ == "__main__":
    main()
