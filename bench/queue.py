"""Latency of GET /api/v1/tickets (an agent's queue) against a real gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m \
      .venv/bin/python bench/queue.py --requests 200 [--explain | --explain-all]

Sequential requests (one client) after a warm-up, per variant: agent_nj (city 南京
scope) default list, status=open, status=pending&unit=NJ-WG, overdue=true, and the
province-scope user quality. One JSON line per variant with p50/p95/p99. With
--explain, EXPLAIN (ANALYZE, BUFFERS) of the list query of the slowest variant (by
p95), built in-process through selectors.search + selectors.page. No timing asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# bench/ is sys.path[0] when run as a script, and bench/queue.py would shadow the
# standard library's queue module (logging.handlers, concurrent.futures): move it last.
_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

import httpx  # noqa: E402
from _common import Server, app_version, db_label, django_setup, emit, percentile, server_env, token  # noqa: E402

VARIANTS = [
    ("agent_default", "agent_nj", {}),
    ("agent_open", "agent_nj", {"status": "open"}),
    ("agent_pending_unit", "agent_nj", {"status": "pending", "unit": "NJ-WG"}),
    ("agent_overdue", "agent_nj", {"overdue": "true"}),
    ("quality_default", "quality", {}),
    ("quality_open_overdue", "quality", {"status": "open", "overdue": "true"}),
]


def explain(database_url: str, name: str, user: str, params: dict, limit: int) -> None:
    """Run the view's selectors in-process and EXPLAIN the SQL that page() sends."""
    django_setup(database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaintloop.org.models import Staff
    from complaintloop.tickets import selectors

    actor = Staff.objects.select_related("unit", "scope_unit").get(username=user)
    flt = selectors.TicketFilter(
        status=[params["status"]] if "status" in params else None,
        unit=params.get("unit", ""),
        overdue=True if params.get("overdue") == "true" else None,
    )
    qs = selectors.search(actor, flt)
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        rows, _ = selectors.page(qs, cursor=None, limit=limit)
        ms = (time.perf_counter() - t0) * 1000
    sql = ctx.captured_queries[-1]["sql"]
    emit(
        {
            "bench": "queue_explain",
            "variant": name,
            "rows": len(rows),
            "inprocess_page_ms": round(ms, 1),
            "queryset_sql": str(qs.query),
            "executed_sql": sql,
        }
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(r[0] for r in cur.fetchall())
    else:
        with connection.cursor() as cur:
            cur.execute("EXPLAIN QUERY PLAN " + sql)
            plan = "\n".join(" ".join(str(c) for c in r) for r in cur.fetchall())
    emit({"bench": "queue_explain", "variant": name, "plan": plan})
    print(plan, file=sys.stderr, flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--limit", type=int, default=50, help="page size (API default 50)")
    p.add_argument("-w", "--workers", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--port", type=int, default=0, help="0: a free port")
    p.add_argument("--only", default="", help="comma-separated variant names")
    p.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest variant")
    p.add_argument("--explain-all", action="store_true", help="EXPLAIN ANALYZE every variant")
    args = p.parse_args()
    if not args.database_url:
        p.error("set DATABASE_URL or --database-url")
    variants = [v for v in VARIANTS if not args.only or v[0] in args.only.split(",")]

    env = server_env(args.database_url, dispatch=False)
    django_setup(args.database_url)
    from django.db import connection

    from complaintloop.tickets.models import Ticket

    existing = Ticket.objects.count()
    connection.close()
    tokens = {u: token(env, u) for u in {v[1] for v in variants}}
    results = []
    with Server(env, port=args.port, workers=args.workers, threads=args.threads, extra=[]) as srv:
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            for name, user, params in variants:
                headers = {"Authorization": f"Bearer {tokens[user]}"}
                query = {**params, "limit": args.limit}
                lat, statuses, rows = [], {}, 0
                for i in range(args.warmup + args.requests):
                    t0 = time.perf_counter()
                    r = c.get("/api/v1/tickets", params=query, headers=headers)
                    ms = (time.perf_counter() - t0) * 1000
                    if i < args.warmup:
                        continue
                    lat.append(ms)
                    statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
                    if r.status_code == 200:
                        rows = len(r.json()["items"])
                lat.sort()
                line = {
                    "bench": "queue",
                    "db": db_label(args.database_url),
                    "app": app_version(),
                    "existing_tickets": existing,
                    "variant": name,
                    "user": user,
                    "params": params,
                    "limit": args.limit,
                    "rows": rows,
                    "requests": len(lat),
                    "statuses": statuses,
                    "p50_ms": round(percentile(lat, 50), 1),
                    "p95_ms": round(percentile(lat, 95), 1),
                    "p99_ms": round(percentile(lat, 99), 1),
                    "max_ms": round(lat[-1], 1),
                }
                results.append((line, user, params))
                emit(line)
    if args.explain or args.explain_all:
        chosen = results if args.explain_all else [max(results, key=lambda r: r[0]["p95_ms"])]
        for line, user, params in chosen:
            explain(args.database_url, line["variant"], user, params, args.limit)


if __name__ == "__main__":
    main()
