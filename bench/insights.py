"""Early warning and insight pages at scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench1m \
      .venv/bin/python bench/insights.py [--days 1] [--requests 50] [--no-pages]

1. The nightly early-warning run (``detection.run``, what Celery beat calls at 01:45)
   for each of the last ``--days`` days (``--level`` 3 or 4 for finer series), in-process: wall seconds, this process's CPU
   seconds and the PostgreSQL backend's CPU seconds (read from /proc, same machine),
   the number of (city × level-2 category) series with tickets in the 56-day history,
   how many were busy enough that day to be evaluated, and the alerts raised. The run
   writes alerts (idempotent per day: a second run of a day raises nothing new).
2. The insight pages through gunicorn with a signed-in session (as ``bench/pages.py``):
   hotspots (category, keyword, 30 days), pivot, warnings and an alert's evidence page,
   notices; p50/p95 over ``--requests`` after ``--warmup``, and the gunicorn workers'
   CPU ms per request. One JSON line each. No timing asserts.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from datetime import timedelta
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
from pages import sign_in  # noqa: E402


def _backend_cpu() -> float:
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    return proc_cpu_seconds([pid])


def detection_runs(days: int, meta: dict, level: int | None = None) -> int | None:
    from django.utils import timezone

    from complaintloop.core import clock
    from complaintloop.insights import detection
    from complaintloop.insights.models import Alert

    params = detection.Params.from_settings()
    if level is not None:  # a finer category level: more, sparser series
        params = dataclasses.replace(params, category_level=level)
    today = timezone.localdate(clock.now())
    last_alert = None
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        first = day - timedelta(days=params.history_days)
        series = len(detection.series_counts(first, day, params))  # not timed
        candidates = len(detection.scan(day, params))  # warms caches; read-only
        before = Alert.objects.count()
        db0, cpu0, t0 = _backend_cpu(), time.process_time(), time.perf_counter()
        raised = detection.run(day, params)
        wall = time.perf_counter() - t0
        cpu, db = time.process_time() - cpu0, _backend_cpu() - db0
        emit(
            {
                "bench": "early_warning_run",
                **meta,
                "day": day.isoformat(),
                "category_level": params.category_level,
                "series": series,
                "series_evaluated": candidates,
                "seconds": round(wall, 3),
                "python_cpu_s": round(cpu, 3),
                "db_cpu_s": round(db, 3),
                "alerts_found": len(raised),
                "alerts_before": before,
            }
        )
        if raised:
            last_alert = raised[0].pk
    return (
        last_alert or Alert.objects.order_by("-day", "-score").values_list("pk", flat=True).first()
    )


def page_list(alert_id: int | None) -> list[tuple[str, str, str, dict]]:
    pages = [
        ("hotspots", "quality", "/insights/hotspots/", {}),
        ("hotspots_keyword", "quality", "/insights/hotspots/", {"dimension": "keyword"}),
        ("hotspots_30d", "quality", "/insights/hotspots/", {"days": "30", "dimension": "region"}),
        ("hotspots_city", "supervisor_nj", "/insights/hotspots/", {}),
        ("pivot", "quality", "/insights/pivot/", {"days": "30"}),
        ("warnings", "quality", "/insights/warnings/", {}),
        ("warnings_city", "supervisor_nj", "/insights/warnings/", {"tab": "all"}),
        ("notices", "quality", "/insights/notices/", {"tab": "all"}),
    ]
    if alert_id:
        pages.insert(6, ("warning_evidence", "quality", f"/insights/warnings/{alert_id}/", {}))
    return pages


def time_pages(env: dict, pages, meta: dict, requests: int, warmup: int, port: int) -> None:
    with Server(env, port=port, workers=1, threads=1, extra=[]) as srv:
        clients: dict[str, httpx.Client] = {}
        try:
            for name, user, path, params in pages:
                if user not in clients:
                    clients[user] = httpx.Client(base_url=srv.url, timeout=300)
                    sign_in(clients[user], user)
                c = clients[user]
                lat, statuses, size = [], {}, 0
                cpu0 = 0.0
                for i in range(warmup + requests):
                    if i == warmup:
                        cpu0 = proc_cpu_seconds(srv.pids())
                    t0 = time.perf_counter()
                    r = c.get(path, params=params)
                    ms = (time.perf_counter() - t0) * 1000
                    if i < warmup:
                        continue
                    lat.append(ms)
                    statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
                    size = len(r.content)
                cpu = proc_cpu_seconds(srv.pids()) - cpu0
                lat.sort()
                emit(
                    {
                        "bench": "insights_pages",
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
                        "server_cpu_ms_per_req": round(cpu * 1000 / max(len(lat), 1), 1),
                    }
                )
        finally:
            for c in clients.values():
                c.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--days", type=int, default=1, help="nightly runs for the last N days")
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--only", default="", help="comma-separated page names")
    p.add_argument("--level", type=int, default=None, help="category level of the series")
    p.add_argument("--no-pages", action="store_true")
    p.add_argument("--no-detection", action="store_true")
    args = p.parse_args()
    if not args.database_url:
        p.error("set DATABASE_URL or --database-url")
    env = server_env(args.database_url, dispatch=False)
    django_setup(args.database_url)
    from complaintloop.insights.models import Alert
    from complaintloop.tickets.models import Ticket

    meta = {"db": db_label(args.database_url), "app": app_version(),
            "existing_tickets": Ticket.objects.count()}  # fmt: skip
    alert_id = None
    if not args.no_detection:
        alert_id = detection_runs(args.days, meta, args.level)
    else:
        alert_id = Alert.objects.order_by("-day").values_list("pk", flat=True).first()
    from django.db import connection

    connection.close()
    if not args.no_pages:
        pages = [pg for pg in page_list(alert_id) if not args.only or pg[0] in args.only.split(",")]
        time_pages(env, pages, meta, args.requests, args.warmup, args.port)


if __name__ == "__main__":
    main()
