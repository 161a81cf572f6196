"""Outage intake and the one answer, in-process (issue 14's figures):
creates with auto-attach against normal creates, then resolving every attached ticket.

    DATABASE_URL=sqlite:////tmp/inc.sqlite3 .venv/bin/python bench/incidents.py \
        --prepare --orders 3000 --tickets 5000

Prints JSON lines: creates/s without an incident and with one matching every create,
then the resolve's seconds and counts (tickets answered, REPLIED events, outbox rows)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

from _common import APP_DIR, app_version, db_label, django_setup, emit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--tickets", type=int, default=5000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if args.prepare:
        env = {**os.environ, "DATABASE_URL": url}
        for command in (
            ["migrate", "-v0"],
            ["seed_demo", "--orders", str(args.orders), "--if-empty"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=APP_DIR, env=env, check=True,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
    os.environ.setdefault("OUTBOX_DISPATCH_ON_COMMIT", "false")
    django_setup(url)
    from complaintloop.core.models import Outbox
    from complaintloop.incidents import services as incidents
    from complaintloop.org.models import Role, Staff
    from complaintloop.tickets import services
    from complaintloop.tickets.models import EventKind, TicketEvent
    from complaintloop.tickets.services import NewTicket

    agent = Staff.objects.get(username="agent_nj")
    supervisor = Staff.objects.filter(role=Role.SUPERVISOR, username="supervisor_nj").first()
    from complaintloop.customers.models import Customer

    phones = list(
        Customer.objects.filter(region__path__startswith="/JS/NJ/").values_list("phone", flat=True)[
            :500
        ]
    )

    def create(n: int, text: str) -> tuple[float, list[str]]:
        numbers = []
        started = time.perf_counter()
        for i in range(n):
            ticket, _ = services.create(
                NewTicket(
                    order_type="complaint", channel="phone", customer_phone=phones[i % len(phones)],
                    category="01020102", description=text,
                ),
                actor=agent,
            )  # fmt: skip
            numbers.append(ticket.number)
        return time.perf_counter() - started, numbers

    sample = min(1000, args.tickets)
    normal_s, _ = create(sample, "宽带网速慢,晚上卡顿")
    emit({"bench": "incidents", "app": app_version(), "db": db_label(url), "phase": "create, no incident",
          "tickets": sample, "creates_per_s": round(sample / normal_s, 1)})  # fmt: skip
    incident = incidents.declare(
        actor=supervisor,
        title="bench 南京宽带中断",
        regions=["NJ"],
        category="0102",
        keywords=["断网"],
    )
    outage_s, numbers = create(args.tickets, "小区断网了,宽带无法上网")
    emit({"bench": "incidents", "app": app_version(), "db": db_label(url), "phase": "create, auto-attach",
          "tickets": args.tickets, "creates_per_s": round(args.tickets / outage_s, 1),
          "extra_cost_pct": round((outage_s / args.tickets) / (normal_s / sample) * 100 - 100, 1)})  # fmt: skip
    outbox_before = Outbox.objects.count()
    started = time.perf_counter()
    result = incidents.resolve(incident.pk, actor=supervisor, reply="光缆已抢通,宽带恢复")
    seconds = time.perf_counter() - started
    replied = TicketEvent.objects.filter(
        kind=EventKind.REPLIED, payload__incident=incident.number
    ).count()
    emit({"bench": "incidents", "app": app_version(), "db": db_label(url), "phase": "resolve",
          "attached": len(numbers), "answered": result["answered"], "replied_events": replied,
          "outbox_rows": Outbox.objects.count() - outbox_before, "seconds": round(seconds, 2)})  # fmt: skip
    again = incidents.resolve(incident.pk, actor=supervisor, reply="x")
    emit({"bench": "incidents", "phase": "resolve again", "answered": again["answered"]})


if __name__ == "__main__":
    main()
