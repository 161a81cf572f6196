"""Server-side render time of the web console pages against a real gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m \
      .venv/bin/python bench/pages.py --requests 200 [--queries] [--no-timing]

Each demo user signs in through /login/ (GET the form, POST with its CSRF token; the
httpx client keeps the session cookie), then each page is fetched sequentially (one
client, keep-alive): `--warmup` requests not counted, then `--requests` timed. One JSON
line per page with p50/p95/p99, status counts and response size.

Pages: /queues/ (default tab "mine"), ?tab=unit, ?tab=breached as handler_nj; a ticket
page (an open 南京 ticket with the longest trace, unless --ticket) and
/intake/customer/?customer_phone=... (the 南京 customer with most tickets, unless
--phone) as agent_nj; /console/ and /console/data.json as supervisor_nj.

--queries: each page run in-process with django.test.Client().force_login(user) under
CaptureQueriesContext, twice (first = cold caches, second = steady state); one JSON line
per page with the query count and the summed SQL time. No timing asserts.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

# bench/queue.py would shadow the standard library's queue module: move bench/ last.
_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

import httpx  # noqa: E402
from _common import Server, app_version, db_label, django_setup, emit, percentile, server_env  # noqa: E402

PASSWORD = "demo12345"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


def pages(ticket: str, phone: str, deep: str = "") -> list[tuple[str, str, str, dict]]:
    return [
        ("queues_mine", "handler_nj", "/queues/", {}),
        ("queues_unit", "handler_nj", "/queues/", {"tab": "unit"}),
        ("queues_breached", "handler_nj", "/queues/", {"tab": "breached"}),
        ("queues_all", "handler_nj", "/queues/", {"tab": "all"}),
        # A page deep into the scope's open items by cursor (keyset): should cost the same.
        ("queues_deep", "handler_nj", "/queues/", {"tab": "all", "after": deep}),
        ("ticket", "agent_nj", f"/tickets/{ticket}/", {}),
        ("console", "supervisor_nj", "/console/", {}),
        ("console_data", "supervisor_nj", "/console/data.json", {}),
        ("intake_customer", "agent_nj", "/intake/customer/", {"customer_phone": phone}),
    ]


def pick(ticket: str, phone: str) -> tuple[str, str, int]:
    """An open 南京 ticket with the most events, and the 南京 phone with most tickets."""
    from django.db import connection

    from complaintloop.tickets.models import Ticket

    with connection.cursor() as cur:
        if not ticket:
            cur.execute(
                "SELECT t.number, count(e.id) FROM tickets_ticket t"
                " JOIN tickets_ticketevent e ON e.ticket_id = t.id"
                " WHERE t.status <> 'closed' AND t.region_path = '/JS/NJ/'"
                " GROUP BY t.id ORDER BY 2 DESC, t.id DESC LIMIT 1"
            )
            ticket = cur.fetchone()[0]
        if not phone:
            cur.execute(
                "SELECT c.phone, count(*) FROM tickets_ticket t"
                " JOIN customers_customer c ON c.id = t.customer_id"
                " WHERE t.region_path = '/JS/NJ/'"
                " GROUP BY c.phone ORDER BY 2 DESC, c.phone LIMIT 1"
            )
            phone = cur.fetchone()[0]
    existing = Ticket.objects.count()
    connection.close()
    return ticket, phone, existing


def deep_cursor(depth: int = 5000) -> tuple[str, int]:
    """The cursor after the ``depth``-th open item of handler_nj's whole scope (due_at
    order, as the queue sorts by default), and the depth actually reached."""
    from django.db import connection
    from django.db.models import F

    from complaintloop.org.models import Staff
    from complaintloop.web.queues import keyset, queries

    staff = Staff.objects.get(username="handler_nj")
    qs = queries.items(staff, queries.QueueQuery(tab="all")).order_by(
        F("due_at").asc(nulls_last=True), "id"
    )
    total = qs.count()
    at = max(0, min(depth, total - 60))
    row = qs[at]
    connection.close()
    return keyset.encode(row.due_at, row.pk), at


def sign_in(c: httpx.Client, username: str) -> None:
    r = c.get("/login/")
    m = CSRF_RE.search(r.text)
    if r.status_code != 200 or not m:
        raise RuntimeError(f"login form: {r.status_code}, csrf token found: {bool(m)}")
    r = c.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": m.group(1)},
    )
    if r.status_code != 302:
        raise RuntimeError(f"sign in as {username}: {r.status_code} {r.text[:300]}")


def count_queries(page_list, meta: dict) -> None:
    """Each page once (twice: cold, then steady) in-process, counting SQL queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from complaintloop.org.models import Staff

    clients = {}
    for name, user, path, params in page_list:
        if user not in clients:
            clients[user] = Client()
            clients[user].force_login(Staff.objects.get(username=user))
        runs = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                r = clients[user].get(path, params)
                ms = (time.perf_counter() - t0) * 1000
            sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
            runs.append((r.status_code, len(ctx.captured_queries), ms, sql_ms))
        emit(
            {
                "bench": "pages_queries",
                **meta,
                "page": name,
                "user": user,
                "path": path,
                "params": params,
                "status": runs[1][0],
                "queries_cold": runs[0][1],
                "queries": runs[1][1],
                "inprocess_ms": round(runs[1][2], 1),
                "sql_ms": round(runs[1][3], 1),
            }
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("-w", "--workers", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--port", type=int, default=0, help="0: a free port")
    p.add_argument("--only", default="", help="comma-separated page names")
    p.add_argument("--ticket", default="", help="ticket number (default: picked from the DB)")
    p.add_argument("--phone", default="", help="customer phone (default: picked from the DB)")
    p.add_argument("--queries", action="store_true", help="also count SQL queries in-process")
    p.add_argument("--no-timing", action="store_true", help="skip the gunicorn timing")
    args = p.parse_args()
    if not args.database_url:
        p.error("set DATABASE_URL or --database-url")

    env = server_env(args.database_url, dispatch=False)
    django_setup(args.database_url)
    ticket, phone, existing = pick(args.ticket, args.phone)
    deep, depth = deep_cursor()
    page_list = [
        pg for pg in pages(ticket, phone, deep) if not args.only or pg[0] in args.only.split(",")
    ]
    meta = {
        "db": db_label(args.database_url),
        "app": app_version(),
        "existing_tickets": existing,
        "ticket": ticket,
        "phone": phone,
        "queues_deep_offset": depth,
    }

    if not args.no_timing:
        with Server(
            env, port=args.port, workers=args.workers, threads=args.threads, extra=[]
        ) as srv:
            clients: dict[str, httpx.Client] = {}
            try:
                for name, user, path, params in page_list:
                    if user not in clients:
                        clients[user] = httpx.Client(base_url=srv.url, timeout=120)
                        sign_in(clients[user], user)
                    c = clients[user]
                    lat, statuses, size = [], {}, 0
                    for i in range(args.warmup + args.requests):
                        t0 = time.perf_counter()
                        r = c.get(path, params=params)
                        ms = (time.perf_counter() - t0) * 1000
                        if i < args.warmup:
                            continue
                        lat.append(ms)
                        statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
                        size = len(r.content)
                    lat.sort()
                    emit(
                        {
                            "bench": "pages",
                            **meta,
                            "page": name,
                            "user": user,
                            "path": path,
                            "params": params,
                            "requests": len(lat),
                            "statuses": statuses,
                            "bytes": size,
                            "p50_ms": round(percentile(lat, 50), 1),
                            "p95_ms": round(percentile(lat, 95), 1),
                            "p99_ms": round(percentile(lat, 99), 1),
                            "max_ms": round(lat[-1], 1),
                        }
                    )
            finally:
                for c in clients.values():
                    c.close()
    if args.queries:
        count_queries(page_list, meta)


if __name__ == "__main__":
    main()
