"""Hostile input with schemathesis: every operation of a service's OpenAPI, as every role, and
sequences that follow the document's OpenAPI links (stateful mode).

Each case is sent with a role's token; a failure is a 5xx or an answer the document does not
describe (`not_a_server_error`, `response_schema_conformance`). Failures are collected, not
raised, so one run reports all of them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok
from schemathesis.engine.errors import is_inconsistent_replay

# Long-lived or long-polling reads: an SSE stream never ends; `/positions` may wait 30 s.
SKIPPED_PATHS = ("/stream", "/positions/{event_id}")
CHECKS = [not_a_server_error, response_schema_conformance]
# A rule's refusal ({"detail": {"rule", "message"}} or {"detail": "..."}) answered 422 where the
# document only describes FastAPI's validation error: a known gap, counted apart (see the
# report and `test_refusals_are_documented`).
UNDOCUMENTED_REFUSAL = "/components/schemas/HTTPValidationError/properties/detail"


@dataclass
class Fuzzed:
    """What one service got and answered."""

    operations: int = 0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    undocumented_refusals: list[str] = field(default_factory=list)
    linked: int = 0  # stateful: 2xx answers on a path naming a record (one made on the way)
    labels: set[str] = field(default_factory=set)
    by_operation: Counter[str] = field(default_factory=Counter)  # "POST /x 201" -> answers
    restarts: int = 0  # stateful runs cut short by Hypothesis' replay check, then run again


def fuzz(base_url: str, roles: dict[str, dict[str, str]], examples: int) -> Fuzzed:
    """Send `examples` generated cases per operation and role (`roles`: name -> headers)."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    fuzzed = Fuzzed()
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            fuzzed.failures.append(f"an operation the document does not define well: {result}")
            continue
        operation = result.ok()
        if operation.path in SKIPPED_PATHS:
            continue
        fuzzed.operations += 1
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
        for role, headers in roles.items():
            _run(strategy, base_url, role, headers, examples, fuzzed)
    return fuzzed


def _run(
    strategy: Any, base_url: str, role: str, headers: dict[str, str], examples: int, fuzzed: Fuzzed
) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        fuzzed.requests += 1
        fuzzed.statuses[response.status_code] += 1
        _judge(case, response, role, fuzzed)

    send()


def _judge(case: Any, response: Any, role: str, fuzzed: Fuzzed) -> None:
    """Run the checks on one answer; record a failure instead of raising it."""
    fuzzed.labels.add(case.operation.label)
    try:
        case.validate_response(response, checks=CHECKS)
    except (Exception, BaseExceptionGroup) as failure:  # a check failed: record, go on
        text = f"{case.operation.label} as {role}: {response.status_code}: {failure}"
        known = response.status_code == 422 and UNDOCUMENTED_REFUSAL in str(failure)
        (fuzzed.undocumented_refusals if known else fuzzed.failures).append(text[:800])


RESTARTS = 5
HeadersFor = Callable[[str, str], dict[str, str]]
"""The headers to send an operation with, by (method, path template): a role per operation."""


def stateful(
    base_url: str,
    headers_for: HeadersFor,
    scenarios: int,
    steps: int,
    prepare: Callable[[Any], None] | None = None,
) -> Fuzzed:
    """Follow the document's OpenAPI links: sequences that act on records made on the way.

    `scenarios` sequences of at most `steps` calls each; the same checks as `fuzz`. A call on
    a path parameter answered 2xx is one that reached a real record (`linked`). `prepare` may
    make a generated case realistic before it is sent (a date the rules accept, a real provider),
    where the document cannot say what the rules want.
    """
    document = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    schema = document.exclude(path_regex="^(" + "|".join(map(re.escape, SKIPPED_PATHS)) + ")$")
    fuzzed = Fuzzed()
    machine: Any = schema.as_state_machine()

    class Sequences(machine):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            if prepare is not None:
                prepare(case)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            headers = headers_for(case.operation.method.upper(), case.operation.path)
            return {"base_url": base_url, "headers": headers, "timeout": 30}

        def validate_response(self, response: Any, case: Any, *_: Any, **__: Any) -> None:
            fuzzed.requests += 1
            fuzzed.statuses[response.status_code] += 1
            fuzzed.by_operation[f"{case.operation.label} {response.status_code}"] += 1
            if "{" in case.operation.path and response.status_code < 300:
                fuzzed.linked += 1
            _judge(case, response, "stateful", fuzzed)

    run_settings = settings(
        max_examples=scenarios,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    for _ in range(RESTARTS):
        try:
            Sequences.run(settings=run_settings)
            break
        except (Flaky, AssertionError) as stopped:
            # A real server answers a replayed sequence differently (a record made the first
            # time exists the second), which Hypothesis reports as flaky generation (or asserts
            # on, inside its data tree): what ran was checked, so run again until one run
            # completes or the restarts are spent.
            if isinstance(stopped, AssertionError) and not is_inconsistent_replay(stopped):
                raise
            fuzzed.restarts += 1
    fuzzed.operations = len(fuzzed.labels)
    return fuzzed
