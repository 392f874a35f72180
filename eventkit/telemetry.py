"""OpenTelemetry tracing with a configurable exporter (none, console, OTLP over HTTP)."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter


def configure_tracing(service: str, exporter: str, endpoint: str | None = None) -> TracerProvider:
    """Install a tracer provider for this process; spans are exported as configured."""
    provider = TracerProvider(resource=Resource.create({"service.name": f"pana-{service}"}))
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    # Statements are recorded with their $n placeholders, never the parameter values.
    AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
    return provider
