"""OpenTelemetry tracing with a configurable exporter (none, console, OTLP over HTTP).

With the exporter `none` no tracer provider is installed and neither the HTTP server nor the
database driver is instrumented: spans nobody exports would cost a third of a request's CPU for
nothing (BENCHMARKS.md, benchmark 3). Trace context still flows: `eventkit.edge` carries an
incoming `traceparent` into the events a request writes, so a trace stays whole across services
that do export.
With an exporter, `sample_ratio` keeps that share of new traces (parent-based: a request
continues its caller's decision), which bounds tracing's cost under heavy load.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased


def configure_tracing(
    service: str, exporter: str, endpoint: str | None = None, sample_ratio: float = 1.0
) -> TracerProvider | None:
    """Install a tracer provider exporting this process's spans; None when nothing exports."""
    if exporter == "none":
        return None
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"pana-{service}"}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    # Statements are recorded with their $n placeholders, never the parameter values.
    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()
    return provider


def tracing_installed() -> bool:
    """Whether this process records spans (an exporter, or a test capturing them, is set up)."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)
