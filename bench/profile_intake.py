"""Where one ticket creation spends its time: cProfile around a loop of
services.create (+ the detail the API answers with, --readback), in-process, no HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench100k \
      .venv/bin/python bench/profile_intake.py --n 500 [--top 40]

Prints one JSON line (per-create wall time, queries per create, time inside the
database driver) and the cProfile table (cumulative) on stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
import uuid
from pathlib import Path

_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

from _common import app_version, db_label, django_setup, emit  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--user", default="agent_nj")
    p.add_argument("--top", type=int, default=45)
    p.add_argument(
        "--explain-queries",
        action="store_true",
        help="PostgreSQL: planning/execution time of every SELECT of one create",
    )
    p.add_argument("--no-profile", action="store_true", help="plain timing, no cProfile")
    p.add_argument(
        "--readback",
        choices=["detail", "fresh", "none"],
        default="detail",
        help="what follows services.create: detail = api.detail(ticket) from the in-memory\n"
        "ticket (the API since e17538c), fresh = api._fresh(number) re-read through\n"
        "selectors.get_visible (the API before), none = services.create only",
    )
    p.add_argument("--no-detail", action="store_true", help="same as --readback none")
    args = p.parse_args()
    if not args.database_url:
        p.error("set DATABASE_URL or --database-url")
    if args.no_detail:
        args.readback = "none"
    os.environ["OUTBOX_DISPATCH_ON_COMMIT"] = "false"
    django_setup(args.database_url)
    from django.db import connection

    from complaintloop.customers.models import Customer
    from complaintloop.org.models import Staff
    from complaintloop.taxonomy.models import Category
    from complaintloop.tickets import api, services

    actor = Staff.objects.select_related("unit").get(username=args.user)
    scope = actor.scope_path
    phones = list(
        Customer.objects.filter(region__path__startswith=scope).values_list("phone", flat=True)[
            :2000
        ]
    )
    parents = set(Category.objects.exclude(parent=None).values_list("parent_id", flat=True))
    leaves = [c for c in Category.objects.filter(is_active=True) if c.pk not in parents]
    rng = random.Random(3)
    run = uuid.uuid4().hex[:8]

    def one(i: int) -> None:
        data = services.NewTicket(
            order_type="complaint",
            channel=rng.choice(["phone", "app", "web", "hall"]),
            customer_phone=rng.choice(phones),
            category=rng.choice(leaves).code,
            description="客户来电反映：家中宽带每晚八点后频繁掉线，重启光猫无效，要求尽快上门处理。",
        )
        ticket, _ = services.create(data, actor=actor, idempotency_key=f"prof-{run}-{i}")
        if args.readback == "detail":
            api.detail(ticket, actor)
        elif args.readback == "fresh":
            api._fresh(ticket.number, actor)

    for i in range(args.warmup):
        one(-1 - i)

    if args.explain_queries and connection.vendor == "postgresql":
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            one(10**6)
        total_plan = total_exec = 0.0
        for q in ctx.captured_queries:
            sql = q["sql"]
            line = {
                "bench": "profile_query",
                "sql": sql[:160],
                "client_ms": float(q["time"]) * 1000,
            }
            if sql.lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) " + sql)
                    plan = cur.fetchone()[0]
                    plan = plan[0] if isinstance(plan, list) else plan
                line["planning_ms"] = round(plan["Planning Time"], 3)
                line["execution_ms"] = round(plan["Execution Time"], 3)
                total_plan += plan["Planning Time"]
                total_exec += plan["Execution Time"]
            emit(line)
        emit(
            {
                "bench": "profile_query_total",
                "queries": len(ctx.captured_queries),
                "select_planning_ms": round(total_plan, 2),
                "select_execution_ms": round(total_exec, 2),
            }
        )

    # Count queries and time spent in the driver with an execute wrapper.
    stats = {"queries": 0, "db_s": 0.0}

    def wrapper(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            stats["db_s"] += time.perf_counter() - t0
            stats["queries"] += 1

    prof = cProfile.Profile()
    with connection.execute_wrapper(wrapper):
        t0 = time.perf_counter()
        if not args.no_profile:
            prof.enable()
        for i in range(args.n):
            one(i)
        prof.disable()
        wall = time.perf_counter() - t0
    emit(
        {
            "bench": "profile_intake",
            "db": db_label(args.database_url),
            "app": app_version(),
            "n": args.n,
            "readback": args.readback,
            "ms_per_create": round(1000 * wall / args.n, 2),
            "queries_per_create": round(stats["queries"] / args.n, 1),
            "db_ms_per_create": round(1000 * stats["db_s"] / args.n, 2),
            "python_ms_per_create": round(1000 * (wall - stats["db_s"]) / args.n, 2),
            "profiled": not args.no_profile,
        }
    )
    if args.no_profile:
        return
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue(), file=sys.stderr)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
