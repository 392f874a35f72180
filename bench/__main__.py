"""`python -m bench [--quick] [--output PATH]`: run the suite, print the table, write the report."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import structlog
import uvloop

from bench import report, suite
from bench.infrastructure import servers
from bench.machine import Machine, describe, load_average
from bench.plan import FULL, QUICK

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 repeats, small sizes (CI)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    # The consumer runner logs through structlog; its info lines would interleave the table.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    command = "python -m bench" + (" --quick" if args.quick else "")

    def say(text: str) -> None:
        print(text, flush=True)

    started, clock, load_start = datetime.now(UTC), time.monotonic(), load_average()
    say(f"{command}: load average {load_start}")
    with servers() as found:

        async def run() -> tuple[suite.Results, Machine]:
            machine = await describe(found.url("postgres"))
            return await suite.run(found, plan, say), machine

        results, machine = uvloop.run(run())
    seconds, load_end = time.monotonic() - clock, load_average()
    print()
    print(report.table(results))
    print(f"\n{seconds / 60:.1f} min; load average at end {load_end}")
    text = report.markdown(
        results, plan, machine, command, started, seconds, (load_start, load_end)
    )
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
