"""Simulation of a process version on the last 30 days of tickets, in-process (issue
13's target: 30 days × 20k tickets < 10 s).

    DATABASE_URL=sqlite:////tmp/sim20k.sqlite3 .venv/bin/python bench/simulation.py \
        --prepare --orders 20000 --months 1 [--key general_complaint] [--repeat 3]

``--prepare`` migrates and seeds ``--orders`` tickets over ``--months`` first. Prints
one JSON line per run: tickets simulated, seconds, expected breaches."""

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
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--key", default="general_complaint")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if args.prepare:
        env = {**os.environ, "DATABASE_URL": url}
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=APP_DIR, env=env, check=True)
        subprocess.run(
            [python, "manage.py", "seed_demo", "--orders", str(args.orders), "--months",
             str(args.months), "--if-empty"],
            cwd=APP_DIR, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    django_setup(url)
    from complaintloop.processes import services as processes
    from complaintloop.tickets import simulation
    from complaintloop.tickets.models import Ticket

    xml = processes.BUILTIN[args.key].read_text(encoding="utf-8")
    in_window = Ticket.objects.count()
    for run in range(args.repeat):
        started = time.perf_counter()
        result = simulation.simulate(args.key, xml, days=args.days)
        emit(
            {
                "bench": "simulation",
                "app": app_version(),
                "db": db_label(url),
                "run": run + 1,
                "key": args.key,
                "days": args.days,
                "tickets_in_db": in_window,
                "tickets_simulated": result["tickets"],
                "seconds": round(time.perf_counter() - started, 3),
                "expected_breaches": result["expected_breaches"],
                "stuck": result["stuck"],
            }
        )


if __name__ == "__main__":
    main()
