"""`pana-ops import <kind> <file>` and `pana-ops import-template <kind>` (see docs/import.md).

The import checks the whole file first and sends nothing if any row has an error (it prints
them all, in Spanish and English); `--dry-run` stops there. Run again after a crash or a
stop: rows already imported are skipped, the rest are sent.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from deploy.imports.codes import codes
from deploy.imports.kinds import KINDS
from deploy.local.stack import LocalStack, create_databases, database_url_for
from deploy.ops.targets import targets

if TYPE_CHECKING:
    from deploy.imports.sending import Sender

# The import's machinery (openpyxl, the services' HTTP clients, rich) is imported by the two
# commands that use it: every other `pana-ops` command starts without it (about 2.5 s of CPU).


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imports = commands.add_parser("import", help="import a program's records from CSV or XLSX")
    imports.add_argument("kind", choices=list(KINDS))
    imports.add_argument("file", type=Path)
    imports.add_argument("--dry-run", action="store_true", help="check every row, send nothing")
    imports.add_argument(
        "--as",
        dest="subject",
        default=f"import:{getpass.getuser()}",
        help="the subject the acts are recorded under (audit)",
    )
    imports.add_argument("--org", default="ngo", help="the organisation of that subject")
    imports.add_argument(
        "--region",
        action="append",
        choices=codes("region"),
        help="regions the import may write in (default: all)",
    )
    imports.add_argument(
        "--signing-key", type=Path, help="the local issuer's key (default: the stack's)"
    )
    imports.add_argument("--concurrency", type=int, default=8)
    imports.set_defaults(run=_import)
    template = commands.add_parser("import-template", help="write a kind's template (CSV or XLSX)")
    template.add_argument("kind", choices=list(KINDS))
    template.add_argument("out", type=Path, help="a .csv or .xlsx file name")
    template.set_defaults(run=_template)


def _template(args: argparse.Namespace) -> int:
    from deploy.imports.templates import csv_template, xlsx_template

    xlsx = args.out.suffix.lower() == ".xlsx"
    args.out.write_bytes(xlsx_template(args.kind) if xlsx else csv_template(args.kind))
    print(f"wrote {args.out}")
    return 0


def imports_database() -> str:
    """`PANA_IMPORTS_DATABASE_URL`, or the local stack's `pana_imports` (created if missing)."""
    url = os.environ.get("PANA_IMPORTS_DATABASE_URL")
    if url:
        return url
    server = LocalStack.from_env().server_url
    asyncio.run(create_databases(server, ["pana_imports"]))
    return database_url_for(server, "pana_imports")


def _import(args: argparse.Namespace) -> int:
    from deploy.imports.sending import Sender, Signer

    found = targets()
    key = args.signing_key or LocalStack.from_env().auth_dir / "signing-key.pem"
    if not args.dry_run and not key.exists():
        print(f"no signing key at {key}: name the issuer's key with --signing-key", file=sys.stderr)
        return 2
    regions = args.region or codes("region")
    signer = Signer(key, args.subject, args.org, regions)
    urls = {name: found.urls[name] for name in ("cases", "referrals", "vouchers")}
    return asyncio.run(_imported(imports_database(), Sender(urls, signer, args.concurrency), args))


async def _imported(database: str, sender: Sender, args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from deploy.imports.importing import run, start
    from deploy.imports.reading import Unreadable
    from deploy.imports.store import JobStore, open_pool

    pool = await open_pool(database)
    try:
        store = JobStore(pool)
        content = args.file.read_bytes()
        if args.dry_run:
            from deploy.imports.importing import check

            _, checked = await check(store, sender, args.kind, args.file.name, content)
            for error in checked.errors:
                print(error.line())
            print(f"{len(checked.rows)} rows, {len(checked.errors)} errors; nothing was sent")
            return 1 if checked.errors else 0
        job, checked = await start(store, sender, args.kind, args.file.name, content, args.subject)
        if not checked.valid:
            for error in checked.errors:
                print(error.line())
            print(f"nothing imported: {len(checked.errors)} errors (job {job})", file=sys.stderr)
            return 1
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        ) as bar:
            task = bar.add_task(f"{args.kind} (job {job})", total=len(checked.rows))
            state = await run(
                store,
                sender,
                job,
                checked,
                concurrency=args.concurrency,
                progress=lambda done, _: bar.update(task, completed=done),
            )
        for error in state["errors"]:
            print(f"fila {error['row']}: {error['es']} / row {error['row']}: {error['en']}")
        print(
            f"job {job}: {state['done']} imported, {state['skipped']} already imported,"
            f" {state['refused']} refused by the services"
        )
        return 1 if state["refused"] else 0
    except Unreadable as unreadable:
        print(f"{unreadable.es} / {unreadable.en}", file=sys.stderr)
        return 1
    finally:
        await sender.close()
        await pool.close()
