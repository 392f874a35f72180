"""Run the benchmarks in order on one set of servers; collect figures, gaps and memory."""

from __future__ import annotations

import contextlib
import dataclasses
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench import (
    appends,
    first_paint,
    freshness,
    projection,
    rebuild,
    redemptions,
    service_memory,
)
from bench.figures import Figure, NotMeasured
from bench.infrastructure import Servers, issuer
from bench.memory import MemoryLog
from bench.plan import Plan
from bench.processes import ServiceProcess
from deploy.local.secrets import ensure_local_secrets
from tests.support.infrastructure import fresh_database

Say = Callable[[str], None]


@dataclass
class Results:
    """What a run produced, in the order the table shows it."""

    figures: list[Figure] = field(default_factory=list)
    missing: list[NotMeasured] = field(default_factory=list)
    memory: MemoryLog = field(default_factory=MemoryLog)
    durations: dict[str, float] = field(default_factory=dict)
    memory_notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure, say: Say) -> None:
        self.figures.append(figure)
        ratio = f"{figure.ratio:.2f}x" if figure.ratio is not None else "-"
        say(f"   {figure.benchmark}: {figure.ours.summary()}, ratio {ratio}: {figure.verdict}")


@contextlib.contextmanager
def stage(results: Results, name: str, say: Say) -> Iterator[None]:
    """Time a stage; a failure is recorded as not measured and the run goes on."""
    say(f"-- {name}")
    started = time.monotonic()
    try:
        yield
    except Exception as exc:
        reason = f"the run failed: {type(exc).__name__}: {str(exc)[:400]}"
        results.missing.append(NotMeasured(name, reason))
        say(f"   {reason}\n{traceback.format_exc()[-2000:]}")
    finally:
        results.durations[name] = time.monotonic() - started
        say(f"   ({results.durations[name]:.0f} s)")


async def run(found: Servers, plan: Plan, say: Say) -> Results:
    results = Results()
    deadline = time.monotonic() + plan.budget_seconds
    secrets = ensure_local_secrets(found.root / "auth")
    keys = issuer(secrets)
    # Each service connects as its own Kafka principal; the indicators that project the
    # benchmarks' own topics (benchmarks 2 and 5) as the admin, since no service may read those.
    env = {**secrets, **found.env("vouchers")}
    indicators_env = {
        **secrets,
        **found.env("admin"),
        "PANA_LOGFRAMES_DIR": str(rebuild.only_default_logframe(found.root / "logframes")),
    }
    logs = found.root / "logs"
    logs.mkdir(exist_ok=True)
    with stage(results, "1. appends", say):
        results.add(await appends.measure(found, plan), say)
    async with (
        fresh_database(found.postgres, "bench_vouchers") as vouchers_url,
        fresh_database(found.postgres, "bench_bare") as bare_url,
        fresh_database(found.postgres, "bench_indicators") as indicators_url,
        fresh_database(found.postgres, "bench_cases") as cases_url,
        fresh_database(found.postgres, "bench_referrals") as referrals_url,
    ):
        vouchers = ServiceProcess(
            "services.vouchers",
            {**env, "PANA_DATABASE_URL": vouchers_url},
            logs / "vouchers.log",
            announcer=found.kafka.access("cases"),
        )
        bare = ServiceProcess(
            "bench.bare_service", {"PANA_DATABASE_URL": bare_url}, logs / "bare.log"
        )
        indicators = ServiceProcess(
            "services.indicators",
            {**indicators_env, **found.env("indicators"), "PANA_DATABASE_URL": indicators_url},
            logs / "indicators.log",
        )
        with stage(results, "3-4. with the vouchers service running", say), vouchers.running():
            with stage(results, "3. HTTP redemptions", say), bare.running():
                figure = await redemptions.measure(
                    vouchers, vouchers_url, bare, keys, plan, results.memory, found.cpu
                )
                where = await redemptions.profile(
                    env, vouchers_url, keys, plan, logs, vouchers.announcer
                )
                results.add(dataclasses.replace(figure, notes=(*figure.notes, where)), say)
            with stage(results, "4. freshness", say), indicators.running():
                figure = await freshness.measure(
                    vouchers, indicators, found.admin, keys, plan, results.memory
                )
                results.add(figure, say)
            databases = {"cases": cases_url, "referrals": referrals_url}
            others = {
                name: ServiceProcess(
                    f"services.{name}",
                    {**env, **found.env(name), "PANA_DATABASE_URL": url},
                    logs / f"{name}.log",
                )
                for name, url in databases.items()
            }
            with (
                stage(results, "5c. memory of cases and referrals", say),
                others["cases"].running(),
                others["referrals"].running(),
            ):
                line = await service_memory.measure(
                    others, databases, vouchers, keys, plan, results.memory
                )
                results.memory_notes.append(line)
                say(f"   {line}")
    with stage(results, "2, 5. projection, rebuild, reads", say):
        await projection.measure(
            found,
            plan,
            indicators_env,
            keys,
            results.memory,
            say,
            lambda figure: results.add(figure, say),
            deadline,
        )
    with stage(results, "6. dashboard first paint", say):
        results.add(await first_paint.measure(found, plan, indicators_env, say), say)
    return results
