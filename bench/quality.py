"""Quality figures: the indicator dashboard's render time, the incremental rollup's lag
behind ticket events, and the full rebuild.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m \\
      .venv/bin/python bench/quality.py dashboard --requests 50 [--month 2026-10]
    DATABASE_URL=... .venv/bin/python bench/quality.py lag --rate 200 --seconds 30
    DATABASE_URL=... .venv/bin/python manage.py rebuild_rollups   (prints wall/CPU JSON)

dashboard: gunicorn (1 worker, 1 thread); the province quality manager (`quality`) and
a city supervisor (`supervisor_nj`) each GET /quality/?period=month&date=<month> (the
page with every rollup-backed indicator by city; ticket-table indicators load after it,
measured separately as /quality/rows/<code>/, first uncached, then cached). JSON line
per page: p50/p95/p99 wall ms and the server's CPU ms per request.

lag: --producers processes share --rate ticket updates per second (an urge, supervise
or escalate through the tickets app's own event-append: ticket row + event + outbox row,
one transaction each) on random tickets of the last 30 days; a consumer process polls
the outbox (up to 500 rows) and applies the poll's ticket events as one batch, as
`outbox.drain` does (`--per-event`: one at a time, the path before batching). Only the
rollup's consumer runs: notifications are not part of this figure. Lag = applied −
committed per event;
JSON line with p50/p95/max lag, the achieved rates and consumer CPU ms per event.
This writes to the database (events are append-only): a few thousand events per run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import re
import sys
import time
from pathlib import Path

_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

import httpx  # noqa: E402
from _common import (  # noqa: E402
    Server,
    app_version,
    db_label,
    django_setup,
    emit,
    percentile,
    proc_cpu_seconds,
    server_env,
)

PASSWORD = "demo12345"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


def sign_in(c: httpx.Client, username: str) -> None:
    r = c.get("/login/")
    m = CSRF_RE.search(r.text)
    if not m:
        raise RuntimeError(f"login form: {r.status_code}")
    r = c.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": m.group(1)},
    )
    if r.status_code != 302:
        raise RuntimeError(f"sign in as {username}: {r.status_code}")


def latest_month() -> str:
    from complaintloop.quality.models import DailyTicketStat

    last = DailyTicketStat.objects.order_by("-day").values_list("day", flat=True).first()
    return (last.replace(day=15) if last else __import__("datetime").date.today()).isoformat()


def dashboard(args) -> None:
    django_setup(args.database_url)
    from complaintloop.quality import board, selectors

    day = args.date or latest_month()
    deferred = next(i.code for i in selectors.indicators() if board.plan(i) is None)
    from django.db import connection

    connection.close()
    env = server_env(args.database_url, dispatch=False)
    meta = {"db": db_label(args.database_url), "app": app_version(), "date": day}
    with Server(env, port=0, workers=1, threads=1, extra=[]) as srv:
        for user in ("quality", "supervisor_nj"):
            c = httpx.Client(base_url=srv.url, timeout=300)
            sign_in(c, user)
            for name, path, n, warm in (
                ("dashboard", "/quality/", args.requests, args.warmup),
                (f"row_{deferred}", f"/quality/rows/{deferred}/", 5, 0),
            ):
                params = {"period": "month", "date": day}
                lat, statuses = [], {}
                cpu0 = proc_cpu_seconds(srv.pids())
                first = None
                for i in range(warm + n):
                    t0 = time.perf_counter()
                    r = c.get(path, params=params)
                    ms = (time.perf_counter() - t0) * 1000
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    if i == 0:
                        first = ms
                    if i == warm - 1:
                        cpu0 = proc_cpu_seconds(srv.pids())
                    if i >= warm:
                        lat.append(ms)
                cpu = proc_cpu_seconds(srv.pids()) - cpu0
                lat.sort()
                emit(
                    {
                        "bench": "quality_page",
                        **meta,
                        "user": user,
                        "page": name,
                        "requests": n,
                        "status": statuses,
                        "first_ms": round(first or 0, 1),
                        "p50_ms": round(percentile(lat, 50), 1),
                        "p95_ms": round(percentile(lat, 95), 1),
                        "p99_ms": round(percentile(lat, 99), 1),
                        "server_cpu_ms_per_req": round(cpu * 1000 / max(n, 1), 1),
                    }
                )
            c.close()


def _producer(url: str, rate: float, seconds: float, numbers: list[str], out, seed: int) -> None:
    django_setup(url)
    from django.db import transaction

    from complaintloop.tickets.models import EventKind
    from complaintloop.tickets.services import _base

    rng = random.Random(seed)
    done = 0
    start = time.perf_counter()
    cpu0 = time.process_time()
    while True:
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
        due = int(elapsed * rate)
        if done >= due:
            time.sleep(min(0.002, (done + 1) / rate - elapsed))
            continue
        number = rng.choice(numbers)
        op = rng.choice(("urge", "supervise", "escalate"))
        with transaction.atomic():
            ticket = _base.lock_system(number)
            before = ticket.status
            if op == "urge":
                ticket.urge_count += 1
                kind = EventKind.URGED
            elif op == "supervise":
                ticket.is_supervised = True
                kind = EventKind.SUPERVISED
            else:
                ticket.escalation_level += 1
                kind = EventKind.ESCALATED
            _base.record(ticket, kind, actor=None, from_status=before, comment="bench")
        done += 1
    out.put(
        {
            "updates": done,
            "wall_s": time.perf_counter() - start,
            "cpu_s": time.process_time() - cpu0,
        }
    )


def _consumer(url: str, since: int, stop, out, per_event: bool) -> None:
    django_setup(url)
    from complaintloop.core import clock
    from complaintloop.core.models import Outbox
    from complaintloop.quality import rollup

    last, lags, cpu, batches = since, [], 0.0, 0
    idle_after_stop = 0
    while True:
        rows = list(Outbox.objects.filter(pk__gt=last, topic="ticket.event").order_by("id")[:500])
        if not rows:
            if stop.is_set():  # the producer is done and everything is applied
                idle_after_stop += 1
                if idle_after_stop > 20:
                    break
            time.sleep(0.01)
            continue
        batches += 1
        if per_event:  # the old path: one apply per event
            for row in rows:
                c0 = time.process_time()
                rollup.on_ticket_event(row)
                cpu += time.process_time() - c0
                lags.append((clock.now() - row.created_at).total_seconds() * 1000)
        else:  # what outbox.drain does: the poll's events as one batch
            c0 = time.process_time()
            rollup.on_ticket_events(rows)
            cpu += time.process_time() - c0
            now = clock.now()
            lags.extend((now - row.created_at).total_seconds() * 1000 for row in rows)
        last = rows[-1].pk
    lags.sort()
    out.put(
        {
            "consumer": "per_event" if per_event else "batched",
            "events": len(lags),
            "polls": batches,
            "lag_p50_ms": round(percentile(lags, 50), 1),
            "lag_p95_ms": round(percentile(lags, 95), 1),
            "lag_max_ms": round(lags[-1], 1) if lags else None,
            "consumer_cpu_ms_per_event": round(cpu * 1000 / max(len(lags), 1), 2),
        }
    )


def lag(args) -> None:
    django_setup(args.database_url)
    from datetime import timedelta

    from django.db import connection

    from complaintloop.core import clock
    from complaintloop.core.models import Outbox
    from complaintloop.quality.models import TicketContribution
    from complaintloop.tickets.models import Ticket

    if not TicketContribution.objects.exists():
        sys.exit("run `manage.py rebuild_rollups` first (the consumer needs contributions)")
    recent = Ticket.objects.filter(created_at__gte=clock.now() - timedelta(days=30)).exclude(
        status="closed"
    )
    numbers = list(recent.order_by("?").values_list("number", flat=True)[:5000])
    if not numbers:
        last = Ticket.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
        numbers = list(
            Ticket.objects.filter(created_at__gte=last - timedelta(days=30))
            .exclude(status="closed")
            .order_by("?")
            .values_list("number", flat=True)[:5000]
        )
    since = Outbox.objects.order_by("-id").values_list("id", flat=True).first() or 0
    connection.close()
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    stop = ctx.Event()
    done = ctx.Queue()
    consumer = ctx.Process(
        target=_consumer, args=(args.database_url, since, stop, out, args.per_event)
    )
    share = args.rate / args.producers
    producers = [
        ctx.Process(
            target=_producer,
            args=(args.database_url, share, args.seconds, numbers, done, 7 + n),
        )
        for n in range(args.producers)
    ]
    consumer.start()
    time.sleep(3)  # let the consumer import Django before the first event
    for p in producers:
        p.start()
    made = [done.get() for _ in producers]
    for p in producers:
        p.join()
    stop.set()
    merged = out.get()
    consumer.join()
    updates = sum(m["updates"] for m in made)
    merged.update(
        producers=args.producers,
        updates=updates,
        producer_rate=round(updates / max(m["wall_s"] for m in made), 1),
        producer_cpu_ms_per_update=round(sum(m["cpu_s"] for m in made) * 1000 / updates, 2),
    )
    emit(
        {
            "bench": "quality_rollup_lag",
            "db": db_label(args.database_url),
            "app": app_version(),
            "target_rate": args.rate,
            "seconds": args.seconds,
            "tickets_touched_pool": len(numbers),
            **merged,
        }
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("mode", choices=("dashboard", "lag"))
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--date", default="", help="a day of the month shown (default: latest)")
    p.add_argument("--rate", type=float, default=200)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--producers", type=int, default=1, help="processes sharing --rate")
    p.add_argument("--per-event", action="store_true", help="apply events one by one (old path)")
    args = p.parse_args()
    if not args.database_url:
        p.error("set DATABASE_URL or --database-url")
    (dashboard if args.mode == "dashboard" else lag)(args)


if __name__ == "__main__":
    main()
