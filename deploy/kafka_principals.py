"""Who may do what on Kafka: one principal per service, an admin, and a read-only reader.

One table for every deployment: the local stack and the test harness create these ACLs through
the Admin API (`deploy/local/kafka_acl.py`), `docker-compose.yml`'s init step through
`python -m deploy.local.kafka_acl`, and the Kubernetes manifests render them as Strimzi
`KafkaUser` resources (`deploy/k8s/render.py`).

- A service writes only the topics whose events it owns (`contracts.topics.SOURCE_BY_AGGREGATE`):
  cases the participants and cases topics, referrals the referrals topic, vouchers the vouchers
  topic. The consumers (referrals' consent feed, indicators) may also write the dead-letter
  topic, which no projection reads: it can move no figure.
- A service reads only what it consumes, under consumer groups named with its own prefix.
- Every principal may describe the `pana.` topics (names and partitions, no content), so a
  service's start-up check that its topics exist needs no right to create them.
- `admin` (the broker's operator, the harness) and `broker` (the broker itself) are super users.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.topics import (
    CASES,
    DEADLETTER_TOPIC,
    PARTICIPANTS,
    REFERRALS,
    SOURCE_BY_AGGREGATE,
    TOPIC_BY_AGGREGATE,
    VOUCHERS,
)

TOPIC_PREFIX = "pana."
ADMIN = "admin"
BROKER = "broker"
SUPER_USERS = (ADMIN, BROKER)
EVENT_TOPICS = tuple(t.name for t in (PARTICIPANTS, CASES, REFERRALS, VOUCHERS))


@dataclass(frozen=True)
class Principal:
    """A Kafka user and its rights: topics written, topics read, consumer group prefix."""

    name: str
    writes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    group_prefix: str | None = None


def _owned_by(service: str) -> tuple[str, ...]:
    source = f"/pana/{service}"
    return tuple(
        dict.fromkeys(
            TOPIC_BY_AGGREGATE[aggregate].name
            for aggregate, owner in SOURCE_BY_AGGREGATE.items()
            if owner == source
        )
    )


SERVICES: tuple[Principal, ...] = (
    Principal("cases", writes=_owned_by("cases")),
    Principal(
        "referrals",
        writes=(*_owned_by("referrals"), DEADLETTER_TOPIC),
        reads=(PARTICIPANTS.name, CASES.name),  # consent and the roster (who exists, where)
        group_prefix="referrals",
    ),
    Principal(
        "vouchers",
        writes=(*_owned_by("vouchers"), DEADLETTER_TOPIC),
        reads=(PARTICIPANTS.name, CASES.name),  # the roster (who exists, where)
        group_prefix="vouchers",
    ),
    Principal(
        "indicators", writes=(DEADLETTER_TOPIC,), reads=EVENT_TOPICS, group_prefix="indicators"
    ),
)
READER = Principal("reader", reads=EVENT_TOPICS, group_prefix="reader")
"""Partners and operators who read the event topics and write nothing."""

PRINCIPALS: tuple[Principal, ...] = (*SERVICES, READER)
USERS: tuple[str, ...] = (*SUPER_USERS, *(p.name for p in PRINCIPALS))


@dataclass(frozen=True)
class Acl:
    """One ALLOW rule: `operation` on a resource (`topic`, `group`) named or prefixed."""

    principal: str
    resource: str
    name: str
    prefixed: bool
    operation: str


def acls(principal: Principal) -> list[Acl]:
    """The ALLOW rules of one principal; anything not listed is refused."""
    out = [Acl(principal.name, "topic", TOPIC_PREFIX, True, "DESCRIBE")]
    out += [Acl(principal.name, "topic", t, False, "WRITE") for t in principal.writes]
    out += [Acl(principal.name, "topic", t, False, "READ") for t in principal.reads]
    if principal.group_prefix:
        out.append(Acl(principal.name, "group", principal.group_prefix, True, "READ"))
    return out


def all_acls() -> list[Acl]:
    """Every rule of every principal."""
    return [acl for p in PRINCIPALS for acl in acls(p)]
