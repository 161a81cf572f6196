"""Routing and assignment decision cost per ticket, in-process (issue 13's target:
< 1 ms p99 with 500 rules).

    DATABASE_URL=sqlite:////path/to/seeded.sqlite3 .venv/bin/python bench/routing.py \
        --rules 500 --tickets 5000

Publishes a generated ``routing`` table of ``--rules`` rows (COLLECT, inputs over order
type, category, region, level, channel and text; a match usually falls through most
rows, the worst case) inside a transaction that is rolled back, then times
``routing.decide`` on ``--tickets`` recent tickets' fields and ``assignment.choose`` for
their units. Prints one JSON line per measured call kind."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(_BENCH)] + [_BENCH]

from _common import app_version, db_label, django_setup, emit, percentile  # noqa: E402


def _sheet(rules: int, rng: random.Random):
    from complaintloop.org.models import Unit, UnitKind
    from complaintloop.routing import dmn, tables
    from complaintloop.taxonomy.models import Category

    codes = list(Category.objects.values_list("code", flat=True))
    cities = list(Unit.objects.filter(kind=UnitKind.CITY).values_list("code", flat=True))
    words = ["断网", "扣费", "信号", "投诉", "退订", "装机", "曝光", "工信部"]
    sheet = dmn.Sheet(
        key=tables.ROUTING,
        name="bench",
        hit_policy="COLLECT",
        inputs=[
            ("order_type", "t"),
            ("category", "c"),
            ("region", "r"),
            ("customer_level", "l"),
            ("channel", "ch"),
            ("text", "x"),
        ],
        outputs=[(n, str(label), t) for n, label, t in tables.SPECS[tables.ROUTING].outputs],
    )
    for i in range(rules - 1):
        cells = [
            rng.choice(['"complaint"', '"inquiry"', "-", "-"]),
            dmn.literal(rng.choice(codes)) if rng.random() < 0.8 else "-",
            dmn.literal(rng.choice(cities)) if rng.random() < 0.5 else "-",
            rng.choice(['"vip"', '"gold"', 'not("vip")', "-", "-"]),
            rng.choice(['"phone"', '"app", "web"', "-", "-", "-"]),
            f'contains(?, "{rng.choice(words)}")' if rng.random() < 0.3 else "-",
        ]
        outputs = ["", dmn.literal(rng.choice(["WG", "YZ", "KF"])), "", "", ""]
        sheet.rows.append((f"r{i}", f"rule {i}", cells, outputs))
    sheet.rows.append(("fallback", "兜底", ["-"] * 6, ["", '"KF"', "", "", ""]))
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=500)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    django_setup(url)
    from django.db import transaction

    from complaintloop.routing import services as routing
    from complaintloop.tickets.models import Ticket
    from complaintloop.tickets.services import assignment

    rng = random.Random(args.seed)
    tickets = list(
        Ticket.objects.select_related(
            "order_type", "category", "region", "product", "sp", "owner_unit"
        ).order_by("-id")[: args.tickets]
    )
    with transaction.atomic():
        routing.publish_sheet(_sheet(args.rules, rng))
        routing.clear_cache()
        # One pass first: reference reads (category lineage, units) are cached for
        # seconds, so the measured pass shows the steady state between refreshes; the
        # cold pass is reported apart.
        cold_ms = []
        for t in tickets:
            start = time.perf_counter()
            routing.decide(
                order_type=t.order_type, category=t.category, region=t.region, customer_level=""
            )
            cold_ms.append((time.perf_counter() - start) * 1000)
        decide_ms = []
        for t in tickets:
            start = time.perf_counter()
            routing.decide(
                order_type=t.order_type,
                category=t.category,
                region=t.region,
                customer_level=t.customer_level,
                channel=t.channel,
                product=t.product.code if t.product_id else "",
                sp=t.sp.code if t.sp_id else "",
                text=f"{t.title}\n{t.description}",
            )
            decide_ms.append((time.perf_counter() - start) * 1000)
        choose_ms = []
        for t in tickets[:1000]:
            if t.owner_unit is None:
                continue
            start = time.perf_counter()
            assignment.choose(t.owner_unit, assignment.wanted_skills(t))
            choose_ms.append((time.perf_counter() - start) * 1000)
        transaction.set_rollback(True)
    for name, values in (
        ("routing.decide", decide_ms),
        ("routing.decide (cold caches)", cold_ms),
        ("assignment.choose", choose_ms),
    ):
        values.sort()
        emit(
            {
                "bench": "routing",
                "call": name,
                "app": app_version(),
                "db": db_label(url),
                "rules": args.rules,
                "calls": len(values),
                "p50_ms": round(percentile(values, 50), 4),
                "p99_ms": round(percentile(values, 99), 4),
                "max_ms": round(values[-1], 4) if values else None,
            }
        )


if __name__ == "__main__":
    main()
