"""Prepare an authenticated broker: its topics and every principal's ACLs, as the admin.

`python -m deploy.local.kafka_acl --bootstrap-servers HOST:PORT` does it with the admin's
credentials from `PANA_KAFKA_*` (compose's init step); the local stack and the test harness call
`prepare_broker` once the broker accepts clients. Both steps are idempotent: an existing topic or
rule is left as it is.

aiokafka's admin client has no ACL call; the protocol's CreateAcls request (API key 30) is sent
as is.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest

from contracts.topics import ALL_TOPICS
from deploy.kafka_principals import Acl, all_acls
from eventkit.kafka_access import KafkaAccess, access_from_env
from eventkit.topics import ensure_topics

# Codes of Kafka's `ResourceType`, `PatternType`, `AclOperation` and `AclPermissionType`.
_RESOURCE = {"topic": 2, "group": 3, "cluster": 4}
_PATTERN = {False: 3, True: 4}  # LITERAL, PREFIXED
_OPERATION = {"READ": 3, "WRITE": 4, "CREATE": 5, "DESCRIBE": 8}
_ALLOW = 3


class AclRefused(RuntimeError):
    """The broker did not create a rule (the message says why)."""


async def create_acls(admin_access: KafkaAccess, rules: Iterable[Acl]) -> int:
    """Create each ALLOW rule (an existing one is kept); return how many were sent."""
    admin = AIOKafkaAdminClient(**admin_access.options())
    await admin.start()
    sent = 0
    try:
        for acl in rules:
            request = CreateAclsRequest(
                _RESOURCE[acl.resource],
                acl.name,
                _PATTERN[acl.prefixed],
                f"User:{acl.principal}",
                "*",
                _OPERATION[acl.operation],
                _ALLOW,
            )
            response = await admin._send_request(request)
            for code, message in response.creation_responses:
                if code:
                    raise AclRefused(f"{acl}: error {code} {message}")
            sent += 1
    finally:
        await admin.close()
    return sent


async def prepare_broker(admin_access: KafkaAccess, replication_factor: int = 1) -> None:
    """Create the declared topics and every principal's ACLs."""
    await ensure_topics(admin_access, ALL_TOPICS, replication_factor)
    await create_acls(admin_access, all_acls())


def main(argv: list[str] | None = None) -> int:
    """Command line: topics and ACLs on the broker named, as the admin of `PANA_KAFKA_*`."""
    parser = argparse.ArgumentParser(prog="python -m deploy.local.kafka_acl", description=__doc__)
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--attempts", type=int, default=60, help="one a second (broker starting)")
    args = parser.parse_args(argv)
    access = access_from_env(args.bootstrap_servers)
    for attempt in range(args.attempts):
        try:
            asyncio.run(prepare_broker(access, args.replication_factor))
            print(f"topics and ACLs ready on {args.bootstrap_servers}")
            return 0
        except AclRefused:
            raise
        except Exception as exc:  # the broker may still be starting
            if attempt == args.attempts - 1:
                print(f"could not prepare the broker: {exc!r}", file=sys.stderr)
                return 1
            import time

            time.sleep(1.0)
    return 1


if __name__ == "__main__":
    sys.exit(main())
