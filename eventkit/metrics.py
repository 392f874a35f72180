"""Prometheus metrics an operator on call needs, exposed at `/metrics` by every service.

HTTP request rate and latency (by route template, never by raw path: ids stay out of labels),
outbox backlog, consumer lag, projection freshness (event time to applied). A service adds its
own (the vouchers service: money redeemed, `services/vouchers/metrics.py`).
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

REQUESTS = Counter(
    "pana_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"]
)
LATENCY = Histogram(
    "pana_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_BACKLOG = Gauge("pana_outbox_backlog", "Events committed but not yet on Kafka", ["source"])
PUBLISHED = Counter("pana_relay_published_total", "Events published to Kafka", ["source"])
CONSUMER_LAG = Gauge(
    "pana_consumer_lag", "Messages behind the partition's end", ["consumer", "topic", "partition"]
)
FRESHNESS = Histogram(
    "pana_projection_freshness_seconds",
    "From the event's time to its projection commit",
    ["consumer"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
REPLAY_REMAINING = Gauge(
    "pana_projection_replay_remaining",
    "Records a replaying consumer still has to read to reach the end offsets as of its start"
    " (0: not replaying, its figures are whole)",
    ["consumer"],
)
APPLIED = Counter("pana_projection_applied_total", "Events applied to a read model", ["consumer"])


def metrics_router() -> APIRouter:
    """`GET /metrics` in Prometheus' text format (requests are counted by `eventkit.edge`)."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
