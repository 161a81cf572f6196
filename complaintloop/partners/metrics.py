"""Partner call failures for /metrics (core.metrics asks every app that has some)."""

from prometheus_client import CollectorRegistry, Gauge

from .models import PartnerFailure


def collect(registry: CollectorRegistry) -> None:
    gauge = Gauge(
        "complaintloop_partner_failures",
        "Partner lookups that timed out or failed since the start, by source and outcome",
        ["source", "outcome"],
        registry=registry,
    )
    for source, outcome, count in PartnerFailure.objects.values_list("source", "outcome", "count"):
        gauge.labels(source, outcome).set(count)
