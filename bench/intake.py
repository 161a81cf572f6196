"""Tickets created per second through POST /api/v1/tickets against a real gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench100k \
      .venv/bin/python bench/intake.py --prepare --orders 100000 \
      -w 3 --threads 4 --clients 16 --requests 3000 [--no-dispatch]

Prints one JSON line per run (and one per sample of failed responses). Every request
carries a unique Idempotency-Key; bodies use phones of existing customers, leaf
category codes from /api/v1/categories?leaves_only=true and descriptions of seeded
tickets. Routing and SLA are always on. No timing asserts: figures only.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
import uuid
from pathlib import Path

# bench/ is sys.path[0] when run as a script, and bench/queue.py would shadow the
# standard library's queue module (logging.handlers, concurrent.futures): move it last.
_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

import httpx  # noqa: E402
from _common import (  # noqa: E402
    Server,
    app_version,
    db_label,
    django_setup,
    emit,
    machine_cpu,
    percentile,
    pg_backend_pids,
    prepare,
    proc_cpu_seconds,
    server_env,
    token,
)

CHANNELS = [
    ("phone", 60),
    ("app", 12),
    ("web", 8),
    ("hall", 8),
    ("sms", 4),
    ("account_manager", 3),
    ("email", 2),
    ("voicemail", 2),
    ("fax", 1),
]
ORDER_TYPES = [
    ("complaint", 74),
    ("request", 9),
    ("inquiry", 7),
    ("suggestion", 4),
    ("appointment", 3),
    ("praise", 3),
]


def reference_data(database_url: str, user: str, all_phones: bool, sample: int, seed: int) -> dict:
    """Phones of existing customers (by default those of the actor's city, as a city
    hotline sees them) and descriptions of seeded tickets, read through Django."""
    django_setup(database_url)
    from django.db import connection

    from complaintloop.customers.models import Customer
    from complaintloop.org.models import Staff
    from complaintloop.tickets.models import Ticket

    existing = Ticket.objects.count()
    customers = Customer.objects.all()
    scope = Staff.objects.get(username=user).scope_path
    if not all_phones and scope.count("/") > 2:
        customers = customers.filter(region__path__startswith=scope)
    max_cid = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(seed)
    ids = [rng.randint(1, max_cid) for _ in range(min(sample * 4, 20000))] if max_cid else []
    phones = list(customers.filter(id__in=ids).values_list("phone", flat=True)[:sample])
    max_tid = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
    tids = [rng.randint(1, max_tid) for _ in range(sample * 2)] if max_tid else []
    texts = list(
        Ticket.objects.filter(id__in=tids)
        .select_related("category")
        .values_list("category__code", "description")[:sample]
    )
    connection.close()
    return {"existing": existing, "phones": phones, "texts": texts}


def bodies(n: int, phones, texts, leaves: set[str], seed: int) -> list[dict]:
    rng = random.Random(seed)
    leaf_list = sorted(leaves)
    ch, chw = zip(*CHANNELS, strict=True)
    ot, otw = zip(*ORDER_TYPES, strict=True)
    out = []
    for _ in range(n):
        code, text = rng.choice(texts) if texts else ("", "家中宽带每晚掉线,重启光猫后仍然无法上网")
        if code not in leaves:
            code = rng.choice(leaf_list)
        out.append(
            {
                "order_type": rng.choices(ot, otw)[0],
                "channel": rng.choices(ch, chw)[0],
                "customer_phone": rng.choice(phones),
                "category": code,
                "description": text,
            }
        )
    return out


def run(args) -> None:
    database_url = args.database_url
    env = server_env(database_url, dispatch=not args.no_dispatch)
    if args.prepare:
        prepare(env, args.orders)
    ref = reference_data(database_url, args.user, args.all_phones, args.sample, args.seed)
    if not ref["phones"]:
        sys.exit("no customers in the database: run with --prepare (or seed_demo) first")
    bearer = token(env, args.user)
    headers = {"Authorization": f"Bearer {bearer}"}
    extra = ["-k", args.worker_class] if args.worker_class else []
    mode = "outbox_only" if args.no_dispatch else "dispatch_on_commit"
    with Server(
        env, port=args.port, workers=args.workers, threads=args.threads, extra=extra
    ) as srv:
        cats = httpx.get(
            srv.url + "/api/v1/categories",
            params={"leaves_only": "true"},
            headers=headers,
            timeout=30,
        )
        cats.raise_for_status()
        leaves = {c["code"] for c in cats.json() if c["is_active"]}
        total = args.warmup + args.requests
        work = bodies(total, ref["phones"], ref["texts"], leaves, args.seed)
        run_id = uuid.uuid4().hex[:10]

        lock = threading.Lock()
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        samples: list[dict] = []
        cursor = {"next": 0, "limit": 0}

        def client() -> None:
            with httpx.Client(base_url=srv.url, headers=headers, timeout=args.timeout) as c:
                while True:
                    with lock:
                        i = cursor["next"]
                        if i >= cursor["limit"]:
                            return
                        cursor["next"] = i + 1
                    t0 = time.perf_counter()
                    try:
                        r = c.post(
                            "/api/v1/tickets",
                            json=work[i],
                            headers={"Idempotency-Key": f"bench-{run_id}-{i}"},
                        )
                        status, body = str(r.status_code), r.text
                    except httpx.HTTPError as exc:
                        status, body = type(exc).__name__, str(exc)
                    ms = (time.perf_counter() - t0) * 1000
                    with lock:
                        if i >= args.warmup:
                            latencies.append(ms)
                            statuses[status] = statuses.get(status, 0) + 1
                            if not status.startswith("2") and len(samples) < args.error_samples:
                                samples.append(
                                    {"status": status, "body": body[:400], "request": work[i]}
                                )

        def phase(limit: int) -> float:
            cursor["limit"] = limit
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return time.perf_counter() - t0

        phase(args.warmup)  # fill each worker's reference caches and connections
        load_before = os.getloadavg()[0]
        pg_cpu0 = {pid: proc_cpu_seconds([pid]) for pid in pg_backend_pids(database_url)}
        srv_cpu0, cli_cpu0, (busy0, all0) = (
            proc_cpu_seconds(srv.pids()),
            time.process_time(),
            machine_cpu(),
        )
        elapsed = phase(total)
        srv_cpu = proc_cpu_seconds(srv.pids()) - srv_cpu0
        # Backends alive at the end: CPU since the start (or since they were born).
        pg_end = pg_backend_pids(database_url)
        pg_cpu = (
            sum(proc_cpu_seconds([pid]) - pg_cpu0.get(pid, 0.0) for pid in pg_end)
            if pg_end or pg_cpu0
            else None
        )
        cli_cpu = time.process_time() - cli_cpu0
        busy1, all1 = machine_cpu()

    lat = sorted(latencies)
    ok = sum(v for k, v in statuses.items() if k.startswith("2"))
    created = statuses.get("201", 0)
    emit(
        {
            "bench": "intake",
            "db": db_label(database_url),
            "app": app_version(),
            "existing_tickets": ref["existing"],
            "mode": mode,
            "phones": "all_cities" if args.all_phones else "actor_city",
            "clients": args.clients,
            "workers": args.workers,
            "threads": args.threads,
            "worker_class": args.worker_class or ("gthread" if args.threads > 1 else "sync"),
            "requests": len(lat),
            "ok": ok,
            "created": created,
            "errors": len(lat) - ok,
            "statuses": statuses,
            "elapsed_s": round(elapsed, 3),
            "creates_per_s": round(created / elapsed, 1),
            "p50_ms": round(percentile(lat, 50), 1),
            "p95_ms": round(percentile(lat, 95), 1),
            "p99_ms": round(percentile(lat, 99), 1),
            "cpu": {
                "gunicorn_s": round(srv_cpu, 1),
                "gunicorn_ms_per_request": round(1000 * srv_cpu / max(1, len(lat)), 2),
                "postgres_backends_s": None if pg_cpu is None else round(pg_cpu, 1),
                "postgres_ms_per_request": None
                if pg_cpu is None
                else round(1000 * pg_cpu / max(1, len(lat)), 2),
                "client_s": round(cli_cpu, 1),
                "machine_busy_pct": round(100 * (busy1 - busy0) / max(1, all1 - all0), 1),
                "cores": os.cpu_count(),
                "loadavg_1m_before": round(load_before, 2),
            },
        }
    )
    for s in samples:
        emit({"bench": "intake", "error_sample": s})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--prepare", action="store_true", help="migrate + seed_demo --if-empty first")
    p.add_argument("--orders", type=int, default=100_000, help="tickets to seed with --prepare")
    p.add_argument("-w", "--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=1, help=">1 uses gunicorn's gthread worker")
    p.add_argument("-k", "--worker-class", default="", help="gunicorn -k (default sync/gthread)")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--requests", type=int, default=3000)
    p.add_argument("--warmup", type=int, default=100, help="requests sent first, not counted")
    p.add_argument("--port", type=int, default=0, help="0: a free port")
    p.add_argument("--user", default="agent_nj")
    p.add_argument(
        "--no-dispatch",
        action="store_true",
        help="OUTBOX_DISPATCH_ON_COMMIT=false: outbox rows written, not enqueued",
    )
    p.add_argument(
        "--all-phones",
        action="store_true",
        help="customers of every city (default: the actor's city only)",
    )
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--sample", type=int, default=5000, help="customers/descriptions sampled")
    p.add_argument("--error-samples", type=int, default=5)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    if not args.database_url:
        p.error("set DATABASE_URL or --database-url")
    run(args)


if __name__ == "__main__":
    main()
