"""Prometheus metrics at /metrics, computed from the database at scrape time so every
web process reports the same figures (no multi-process registry needed)."""

from django.db.models import Count
from django.http import HttpResponse
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .models import Outbox


def metrics_view(request):
    from complaintloop.tickets.models import Ticket, WorkItem

    registry = CollectorRegistry()
    tickets = Gauge("complaintloop_tickets", "Tickets by status", ["status"], registry=registry)
    for row in Ticket.objects.exclude(status="closed").values("status").annotate(n=Count("id")):
        tickets.labels(row["status"]).set(row["n"])
    items = Gauge(
        "complaintloop_open_work_items",
        "Open work items by SLA state",
        ["sla_state"],
        registry=registry,
    )
    for row in WorkItem.objects.filter(status="open").values("sla_state").annotate(n=Count("id")):
        items.labels(row["sla_state"]).set(row["n"])
    pending = Gauge(
        "complaintloop_outbox_pending", "Outbox rows not yet delivered", registry=registry
    )
    pending.set(Outbox.objects.filter(delivered_at__isnull=True).count())
    from complaintloop.partners import metrics as partner_metrics

    partner_metrics.collect(registry)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
