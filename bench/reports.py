"""Time to make a monitoring report (content from the engine, charts, PDF, XLSX).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m \\
      .venv/bin/python bench/reports.py [--kind monthly|weekly] [--period 2026-10] \\
        [--scopes JS,NJ] [--repeat 1]

In-process (no worker, no broker): ``content.build`` then ``render.pdf`` and
``render.xlsx``, as the Celery task does. One JSON line per scope and run with the wall
and CPU (process) milliseconds of each phase, the milliseconds of each content section,
the SQL query count and summed SQL time, page count and file sizes. The machine is
shared, so CPU ms are the steadier figure. Without --period: the last complete month
(week) before the newest ticket. No timing asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# bench/queue.py would shadow the standard library's queue module: move bench/ last.
_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

from _common import app_version, db_label, django_setup, emit  # noqa: E402


def _timed(fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return (
        result,
        round((time.perf_counter() - wall) * 1000),
        round((time.process_time() - cpu) * 1000),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", default="monthly", choices=("monthly", "weekly"))
    parser.add_argument("--period", default="", help="2026-10 or 2026-W47")
    parser.add_argument("--scopes", default="", help="unit codes; default: province and NJ")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    django_setup(url)

    from django.db import connection
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation

    from complaintloop.org.models import Unit, UnitKind
    from complaintloop.reports import content, periods, render
    from complaintloop.tickets.models import Ticket

    if args.period:
        period = periods.parse(args.kind, args.period, today=timezone.localdate())
    else:
        newest = Ticket.objects.aggregate(m=Max("created_at"))["m"]
        period = periods.previous_complete(args.kind, timezone.localtime(newest).date())
    if args.scopes:
        scopes = [Unit.objects.get(code=c) for c in args.scopes.split(",")]
    else:
        province = Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()
        scopes = [province, Unit.objects.get(code="NJ")]
    tickets = Ticket.objects.count()
    for scope in scopes:
        for run in range(args.repeat):
            with translation.override("zh-hans"), CaptureQueriesContext(connection) as queries:
                data, build_ms, build_cpu = _timed(content.build, args.kind, period, scope)
            sql_ms = round(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            with translation.override("zh-hans"):
                (pdf, pages), pdf_ms, pdf_cpu = _timed(render.pdf, data, number="BENCH")
                xlsx, xlsx_ms, xlsx_cpu = _timed(render.xlsx, data)
            emit(
                {
                    "bench": "report",
                    "kind": args.kind,
                    "period": period.key,
                    "scope": scope.code,
                    "run": run + 1,
                    "total_ms": build_ms + pdf_ms + xlsx_ms,
                    "total_cpu_ms": build_cpu + pdf_cpu + xlsx_cpu,
                    "build_ms": build_ms,
                    "build_cpu_ms": build_cpu,
                    "pdf_ms": pdf_ms,
                    "pdf_cpu_ms": pdf_cpu,
                    "xlsx_ms": xlsx_ms,
                    "xlsx_cpu_ms": xlsx_cpu,
                    "queries": len(queries.captured_queries),
                    "sql_ms": sql_ms,
                    "sections_ms": data.timings,
                    "pages": pages,
                    "pdf_bytes": len(pdf),
                    "xlsx_bytes": len(xlsx),
                    "complaints": data.headline_by_code["complaint_count"].value,
                    "tickets": tickets,
                    "db": db_label(url),
                    "version": app_version(),
                }
            )


if __name__ == "__main__":
    main()
