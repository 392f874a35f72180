"""`python -m deploy.demo`: play a realistic program year through the public APIs.

Participants in the four regions with the program's sex and age mix, cases, psychological first
aid, referrals answered by receiving units, vouchers redeemed by clinics, outreach in bulk and
livelihood outcomes, all synthetic. Prints a progress bar, what it sent, and the figures the
dashboard should then show under the `pana_peru_demo_v1` logframe.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from deploy.demo.plan import expected, plan_year
from deploy.demo.player import Endpoints, Player
from deploy.ops.targets import targets


def _bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    live = sys.stderr.isatty()
    if live or done == total or done % max(1, total // 10) == 0:
        bar = "#" * filled + "." * (width - filled)
        end = "\n" if done == total or not live else ""
        print(f"\r  [{bar}] {done}/{total} participants", end=end, file=sys.stderr, flush=True)


async def run(args: argparse.Namespace) -> dict[str, object]:
    now = datetime.now(UTC)
    people = plan_year(args.participants, args.seed, now)
    found = targets()
    player = Player(
        Endpoints(found.urls["cases"], found.urls["referrals"], found.urls["vouchers"]),
        args.key,
        concurrency=args.concurrency,
        rate=args.rate,
    )
    try:
        sent = await player.play(people, now, progress=_bar)
    finally:
        await player.close()
    return {
        "participants": args.participants,
        "seed": args.seed,
        "sent": dict(sorted(sent.acts.items())),
        "retries": sent.retries,
        "expected_figures": expected(people),
        "logframe": "pana_peru_demo_v1",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.demo", description=__doc__)
    parser.add_argument("--participants", type=int, default=2000, help="people in the year")
    parser.add_argument("--seed", type=int, default=2023, help="same seed, same year")
    parser.add_argument("--concurrency", type=int, default=8, help="people played at once")
    parser.add_argument("--rate", type=float, default=0.0, help="requests per second (0: max)")
    parser.add_argument(
        "--key", type=Path, default=Path(".local/auth/signing-key.pem"),
        help="the local issuer's signing key (made by make up)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    summary = asyncio.run(run(args))
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"Sent for {summary['participants']} participants (seed {summary['seed']}):")
    for kind, count in summary["sent"].items():  # type: ignore[attr-defined]
        print(f"  {count:>7}  {kind}")
    print(f"Expected on the dashboard (logframe {summary['logframe']}):")
    for indicator, value in summary["expected_figures"].items():  # type: ignore[attr-defined]
        print(f"  {indicator:<7} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
