"""Outbox delivery figures, printed as JSON lines.

1. ``webhooks``: deliveries per second of one ``manage.py outbox_worker`` draining a
   backlog of events to one subscription whose receiver (http.server in this process)
   answers 200 at once; worker CPU ms per delivery.
2. ``lag``: ticket updates (``tickets.services.urge``, a real state change with its
   event, outbox row, staff notices and a webhook) generated at a target rate by
   several processes while one worker runs; outbox lag = delivered_at − created_at
   (created at emit, inside the update's transaction) as p50/p95/p99, and the update
   rate actually achieved.

Usage (PostgreSQL, a scratch database with demo data: ``seed_demo --orders 3000``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h2 .venv/bin/python bench/outbox.py \\
        --webhooks 2000 --rate 200 --seconds 40 --generators 4
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# bench/queue.py would shadow the standard library's queue (Django needs it): keep this
# folder at the end of the path, not the start.
_BENCH_DIR = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _BENCH_DIR] + [_BENCH_DIR]
from _common import APP_DIR, PYTHON, app_version, db_label, emit, percentile, server_env  # noqa: E402


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OUTBOX_DISPATCH_ON_COMMIT"] = "false"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaintloop.settings")
    sys.path.insert(0, str(APP_DIR))
    import django

    django.setup()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def start_receiver() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/hook"


def worker(database_url: str, *extra: str) -> subprocess.Popen:
    env = server_env(database_url, dispatch=False)
    env["NOTIFY_QUIET_HOURS"] = ""
    return subprocess.Popen(
        [PYTHON, "manage.py", "outbox_worker", "--batch", "200", "--idle-sleep", "0.05", *extra],
        cwd=APP_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_webhooks(database_url: str, count: int, url: str) -> None:
    from django.db import transaction

    from complaintloop.core import clock, outbox
    from complaintloop.core.models import Outbox
    from complaintloop.webhooks.models import Delivery, Subscription

    # A seeded scratch database may hold an old backlog; it is not part of the figure.
    Outbox.objects.filter(delivered_at__isnull=True).update(delivered_at=clock.now())
    sub = Subscription.objects.create(name="bench", url=url, event_types=["insights.notice.*"])
    start_id = Outbox.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic():
        for i in range(count):
            outbox.emit("insights.notice", {"notice": f"BENCH{i}", "kind": "bench"})
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    proc = worker(database_url, "--exit-when-idle")
    proc.wait()
    wall = time.perf_counter() - t0
    cpu = children_cpu() - cpu0
    done = Delivery.objects.filter(subscription=sub, status="delivered")
    times = sorted(done.values_list("delivered_at", flat=True))
    span = (times[-1] - times[0]).total_seconds() if len(times) > 1 else float("nan")
    emit(
        {
            "bench": "outbox.webhooks",
            "db": db_label(database_url),
            "app": app_version(),
            "events": count,
            "delivered": len(times),
            "deliveries_per_s": round(len(times) / span, 1) if span else None,
            "wall_s_incl_startup": round(wall, 2),
            "worker_cpu_ms_per_delivery": round(cpu * 1000 / max(len(times), 1), 2),
            "outbox_rows_after": Outbox.objects.filter(
                pk__gt=start_id, delivered_at__isnull=True
            ).count(),
        }
    )
    sub.delete()


def generate(database_url: str, rate: float, seconds: float, offset: int, step: int) -> None:
    """One generator process: urge tickets at ``rate`` per second for ``seconds``."""
    setup_django(database_url)
    from complaintloop.core.errors import DomainError
    from complaintloop.org.models import Staff
    from complaintloop.tickets import services
    from complaintloop.tickets.models import Ticket

    actor = Staff.objects.get(username="quality")
    numbers = list(
        Ticket.objects.filter(status__in=["new", "pending", "in_progress", "suspended"])
        .order_by("id")
        .values_list("number", flat=True)
    )[offset::step]
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    done = errors = 0
    while True:
        due = t0 + done / rate
        now = time.perf_counter()
        if now - t0 >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        try:
            services.urge(numbers[done % len(numbers)], actor=actor, comment="bench")
        except DomainError:
            errors += 1
        done += 1
    elapsed = time.perf_counter() - t0
    print(f"{done} {errors} {elapsed} {time.process_time() - cpu0}", flush=True)


def bench_lag(database_url: str, rate: float, seconds: float, generators: int, url: str) -> None:
    from complaintloop.core.models import Outbox
    from complaintloop.webhooks.models import Delivery, Subscription

    sub = Subscription.objects.create(name="bench-lag", url=url, event_types=["ticket.urged"])
    start_id = Outbox.objects.order_by("-id").values_list("id", flat=True).first() or 0
    proc = worker(database_url)
    time.sleep(3)  # let the worker import Django before the clock starts
    script = str(Path(__file__).resolve())
    gens = [
        subprocess.Popen(
            [
                PYTHON,
                script,
                "--generate",
                str(rate / generators),
                str(seconds),
                str(i),
                str(generators),
            ],
            env={**os.environ, "DATABASE_URL": database_url},
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(generators)
    ]
    results = [g.communicate()[0].split() for g in gens]
    updates = sum(int(r[0]) for r in results)
    failed = sum(int(r[1]) for r in results)
    elapsed = max(float(r[2]) for r in results)
    gen_cpu = sum(float(r[3]) for r in results)
    deadline = time.time() + 120
    pending = Outbox.objects.filter(pk__gt=start_id, delivered_at__isnull=True)
    while pending.exists() and time.time() < deadline:
        time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    rows = Outbox.objects.filter(pk__gt=start_id, topic="ticket.event", delivered_at__isnull=False)
    lags = sorted(
        (d - c).total_seconds() * 1000 for c, d in rows.values_list("created_at", "delivered_at")
    )
    hooks = Delivery.objects.filter(subscription=sub, status="delivered").select_related(None)
    created = dict(rows.values_list("id", "created_at"))
    hook_lags = sorted(
        (d - created[o]).total_seconds() * 1000
        for o, d in hooks.values_list("outbox_id", "delivered_at")
        if o in created
    )
    emit(
        {
            "bench": "outbox.lag",
            "db": db_label(database_url),
            "app": app_version(),
            "target_updates_per_s": rate,
            "achieved_updates_per_s": round((updates - failed) / elapsed, 1),
            "updates": updates - failed,
            "failed_updates": failed,
            "seconds": round(elapsed, 1),
            "generators": generators,
            "generator_cpu_ms_per_update": round(gen_cpu * 1000 / max(updates, 1), 2),
            "outbox_rows": len(lags),
            "undelivered_after_wait": pending.count(),
            "lag_ms_p50": round(percentile(lags, 50), 1),
            "lag_ms_p95": round(percentile(lags, 95), 1),
            "lag_ms_p99": round(percentile(lags, 99), 1),
            "lag_ms_max": round(lags[-1], 1) if lags else None,
            "webhook_lag_ms_p95": round(percentile(hook_lags, 95), 1),
            "cpus": os.cpu_count(),
            "loadavg_1m": round(os.getloadavg()[0], 2),
        }
    )
    sub.delete()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        rate, seconds, offset, step = sys.argv[2:6]
        generate(os.environ["DATABASE_URL"], float(rate), float(seconds), int(offset), int(step))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--webhooks", type=int, default=2000, help="backlog size (0: skip)")
    parser.add_argument("--rate", type=float, default=200, help="target ticket updates/s (0: skip)")
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--generators", type=int, default=4)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("use PostgreSQL: --database-url postgres://...")
    setup_django(args.database_url)
    server, url = start_receiver()
    try:
        if args.webhooks:
            bench_webhooks(args.database_url, args.webhooks, url)
        if args.rate:
            bench_lag(args.database_url, args.rate, args.seconds, args.generators, url)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
