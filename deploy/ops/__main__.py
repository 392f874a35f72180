"""`pana-ops <command>` (or `python -m deploy.ops`): what an operator on call runs (--help)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from deploy.ops.backlog import consumer_lag, outbox_backlog
from deploy.ops.directory import PROVIDER_COLUMNS, post_all, read_rows, unit_rows
from deploy.ops.importing import add_commands as add_import_commands
from deploy.ops.targets import targets


def _lag(_: argparse.Namespace) -> int:
    found = targets()

    async def run() -> None:
        print("outbox backlog (events committed, not yet on Kafka):")
        for name, url in found.databases.items():
            backlog = await outbox_backlog(url)
            print(f"  {name:<11} {'-' if backlog is None else backlog}")
        print("consumer lag (messages behind the end of each partition):")
        for name, url in found.databases.items():
            for lag in await consumer_lag(url, found.kafka):
                print(f"  {name:<11} {lag.consumer} {lag.topic}[{lag.partition}] {lag.behind}")

    asyncio.run(run())
    return 0


def _verify_audit(args: argparse.Namespace) -> int:
    from access.audit import main as verify

    found = targets()
    names = args.service or list(found.databases)
    worst = 0
    for name in names:
        print(f"{name}: ", end="", flush=True)
        command = ["verify", "--database-url", found.databases[name]]
        if args.checkpoints is not None:
            command += [
                "--checkpoints", str(args.checkpoints / f"{name}.jsonl"),
                "--auditor-public-key", str(args.auditor_public_key), "--service", name,
            ]  # fmt: skip
        worst = max(worst, verify(command))
    return worst


def _audit_keygen(args: argparse.Namespace) -> int:
    from access.audit_checkpoints import keygen

    private, public = keygen(args.out)
    print(f"auditor key: {private} (keep it away from every service); public key: {public}")
    return 0


def _audit_checkpoint(args: argparse.Namespace) -> int:
    from access.audit_checkpoints import load_private

    key = load_private(args.auditor_key)
    found = targets()
    for name in args.service or list(found.databases):
        try:
            checkpoint = asyncio.run(
                _checkpoint(found.databases[name], key, name, args.checkpoints)
            )
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"{name}: not checkpointed: {exc}", file=sys.stderr)
            return 2
        print(f"{name}: signed head {checkpoint.sequence}:{checkpoint.head_hash}")
    return 0


async def _checkpoint(url: str, key: Any, name: str, folder: Path) -> Any:
    """Sign the head of `name`'s chain (only what is chained) and keep it in the auditor's file."""
    from access.audit import head
    from access.audit_checkpoints import sign, store

    conn = await asyncpg.connect(url)
    try:
        sequence, digest = await head(conn)
    finally:
        await conn.close()
    checkpoint = sign(key, name, sequence, digest, datetime.now(UTC))
    store(folder / f"{name}.jsonl", checkpoint)
    return checkpoint


def _load_providers(args: argparse.Namespace) -> int:
    rows = read_rows(args.csv, PROVIDER_COLUMNS)
    for line in post_all(targets().urls["vouchers"], "/providers", args.token, rows):
        print(line)
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from deploy.ops.history import HistoryIncomplete
    from deploy.ops.rebuild import ServiceRunning, rebuild, refuse_if_running

    found = targets()
    try:
        refuse_if_running(found.urls["indicators"])
        consumer = asyncio.run(
            rebuild(
                found.databases["indicators"],
                args.logframe,
                os.environ.get("PANA_CONSUMER_PREFIX") or "indicators",
                kafka=found.kafka,
            )
        )
    except (ServiceRunning, KeyError, HistoryIncomplete) as exc:
        print(f"not rebuilt: {exc}", file=sys.stderr)
        return 1
    print(f"dropped {args.logframe} and the position of {consumer}; start the indicators")
    print("service: it replays every topic from the beginning (`lag` shows the progress)")
    return 0


def _republish(args: argparse.Namespace) -> int:
    from deploy.ops.history import owned_topics, republish
    from deploy.ops.rebuild import ServiceRunning, refuse_if_running

    found = targets()
    topics = owned_topics(args.service)
    try:
        for name, url in found.urls.items():
            refuse_if_running(url, name)
    except ServiceRunning as exc:
        print(f"not republished: {exc}", file=sys.stderr)
        return 1
    admin, owner = found.principals("admin"), found.principals(args.service)
    published = asyncio.run(
        republish(
            found.databases[args.service],
            admin,
            owner,
            topics,
            source=f"/pana/{args.service}",
            consumer_databases=found.databases,
        )
    )
    names = ", ".join(t.name for t in topics)
    print(f"republished {published} events of {args.service} to {names}; consumers read them")
    print("again from the start (skipping what they applied): start the services")
    return 0


def _program_check(args: argparse.Namespace) -> int:
    from deploy.ops.program_check import check_program
    from program.load import ProgramError

    try:
        seen = asyncio.run(check_program(args.program, targets().databases.values()))
    except ProgramError as refused:
        print(refused, file=sys.stderr)
        return 1
    used = sum(len(codes) for codes in seen.values())
    print(f"{args.program}: valid, and keeps all {used} codes recorded events use")
    return 0


def _load_units(args: argparse.Namespace) -> int:
    rows = unit_rows(args.csv)
    for line in post_all(targets().urls["referrals"], "/units", args.token, rows):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pana-ops", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    lag = commands.add_parser("lag", help="outbox backlog and consumer lag of every service")
    lag.set_defaults(run=_lag)
    audit = commands.add_parser("verify-audit", help="check every service's audit hash chain")
    audit.add_argument("--service", action="append", help="only this service (repeatable)")
    audit.add_argument(
        "--checkpoints",
        type=Path,
        help="the auditor's folder of signed checkpoints (<service>.jsonl)",
    )
    audit.add_argument("--auditor-public-key", type=Path, help="verifies the checkpoints")
    audit.set_defaults(run=_verify_audit)
    keygen = commands.add_parser("audit-keygen", help="make the auditor's Ed25519 key pair")
    keygen.add_argument("--out", type=Path, required=True, help="a folder no service can read")
    keygen.set_defaults(run=_audit_keygen)
    checkpoint = commands.add_parser(
        "audit-checkpoint", help="sign each service's audit chain head with the auditor's key"
    )
    checkpoint.add_argument("--auditor-key", type=Path, required=True)
    checkpoint.add_argument(
        "--checkpoints", type=Path, required=True, help="the auditor's folder (<service>.jsonl)"
    )
    checkpoint.add_argument("--service", action="append", help="only this service (repeatable)")
    checkpoint.set_defaults(run=_audit_checkpoint)
    providers = commands.add_parser(
        "load-providers", help="add partner providers from a CSV (name,region,kind,services)"
    )
    providers.add_argument("csv", type=Path, help="services are ';'-separated")
    providers.add_argument("--token", required=True, help="an administrator's bearer token")
    providers.set_defaults(run=_load_providers)
    units = commands.add_parser(
        "load-units",
        help="add receiving units from a CSV (name,destination,region,office,phone,email,"
        "has_system_account)",
    )
    units.add_argument("csv", type=Path)
    units.add_argument("--token", required=True, help="an administrator's bearer token")
    units.set_defaults(run=_load_units)
    rebuild = commands.add_parser(
        "rebuild", help="rebuild a logframe version's read model from Kafka (service stopped)"
    )
    rebuild.add_argument("--logframe", required=True, help="the version key, e.g. pana_peru_y2_v1")
    rebuild.set_defaults(run=_rebuild)
    again = commands.add_parser(
        "republish",
        help="restore a service's Kafka topics from its event store (every service stopped)",
    )
    again.add_argument("--service", required=True, choices=["cases", "referrals", "vouchers"])
    again.set_defaults(run=_republish)
    check = commands.add_parser(
        "program-check",
        help="validate a program file and refuse it if it drops a code recorded events use",
    )
    check.add_argument("--program", type=Path, required=True, help="the new program file")
    check.set_defaults(run=_program_check)
    add_import_commands(commands)
    token = commands.add_parser("token", help="issue a token (same as python -m access.tokens)")
    token.add_argument("rest", nargs=argparse.REMAINDER)
    token.set_defaults(run=lambda a: _tokens(a.rest))
    args = parser.parse_args(argv)
    if args.command == "verify-audit" and (args.checkpoints is None) != (
        args.auditor_public_key is None
    ):
        parser.error("--checkpoints and --auditor-public-key go together")
    return int(args.run(args))


def _tokens(rest: list[str]) -> int:
    from access.signing import main as tokens

    return tokens(rest or ["--help"])


if __name__ == "__main__":
    sys.exit(main())
