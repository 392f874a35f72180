"""The system under test: Kafka, PostgreSQL, the four services and a standalone outbox relay,
as processes on free ports.

The relay of `RELAY_SERVICE`'s database runs as a process of its own (`python -m eventkit.relay`)
beside that service's in-process relay; it starts before the service, so it holds the publisher's
advisory lock and the service's relay waits as standby. The faults run SIGKILLs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import asyncpg

from access.signing import issue_token, load_key
from deploy.local.processes import ManagedProcess, port_is_free, wait_until
from deploy.local.stack import ROOT, SERVICE_PORTS, LocalStack, database_url_for
from eventkit.kafka_access import KafkaAccess
from eventkit.relay import _LEADER_LOCK
from eventkit.schema import STORE_DDL, migrate
from tests.support.waiting import until

WRITE_SERVICES = ("cases", "referrals", "vouchers")
SERVICES = (*WRITE_SERVICES, "indicators")
RELAY_SERVICE = "cases"  # the database whose publisher is the standalone relay process
STANDALONE_RELAY = "pana-standalone-relay"  # its connections' application_name in PostgreSQL
PORT_RELEASE_SECONDS = 90.0

# The session holding the relay's advisory lock in this database (a bigint key shows as
# classid = high half, objid = low half, objsubid = 1).
_LEADER_QUERY = """
SELECT a.pid, a.application_name, a.client_port
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


@dataclass(frozen=True)
class RelayLeader:
    """Who holds a database's relay lock: a PostgreSQL backend and its client."""

    backend_pid: int
    application_name: str
    client_port: int | None

    @property
    def standalone(self) -> bool:
        return self.application_name == STANDALONE_RELAY


def listening_port() -> int:
    """A free port below the kernel's ephemeral range.

    A process restarted by a fault must bind its port again. A port the kernel handed out
    (`free_port`) lies in the ephemeral range, where meanwhile any outgoing connection (a client,
    a service's pool) may have taken it as its local port, and the restart then fails.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(1000):
        port = random.randrange(20000, min(low, 32768))
        if port not in _handed_out and port_is_free(port):
            _handed_out.add(port)
            return port
    raise RuntimeError("no free port below the ephemeral range")


_handed_out: set[int] = set()


def tcp_ports(pid: int) -> set[int]:
    """Local ports of the TCP sockets process `pid` holds (its fds' inodes in /proc/net/tcp*)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        with contextlib.suppress(OSError):
            link = os.readlink(fd)
            if link.startswith("socket:["):
                inodes.add(link[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _children(pid: int) -> list[int]:
    """Pids whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


@dataclass
class SystemUnderTest:
    """A `LocalStack` of its own, plus tokens from its local issuer and its databases' URLs."""

    stack: LocalStack

    @classmethod
    def on_free_ports(cls, state_dir: Path) -> SystemUnderTest:
        """A stack whose every port was free a moment ago (nothing else is disturbed)."""
        return cls(
            LocalStack(
                state_dir=state_dir,
                kafka_port=listening_port(),
                kafka_controller_port=listening_port(),
                postgres_port=listening_port(),
                service_ports={name: listening_port() for name in SERVICE_PORTS},
            )
        )

    @property
    def bootstrap_servers(self) -> str:
        return self.stack.kafka.bootstrap_servers

    def kafka(self, user: str = "admin") -> KafkaAccess:
        """How `user` (a service, `admin`, `reader`) connects to the stack's broker."""
        return self.stack.kafka.access(user)

    def up(self) -> None:
        """Infrastructure, then the standalone relay and the other services at once; the relay's
        service only once the relay holds the lock (its own relay then waits as standby)."""
        self.stack.start_infrastructure()
        asyncio.run(self._create_store(RELAY_SERVICE))
        self.start_relay()
        for name in SERVICES:
            if name != RELAY_SERVICE:
                self.stack.start_service(name)
        asyncio.run(self._standalone_relay_leads())
        self.stack.start_service(RELAY_SERVICE)
        self.stack.wait_ready(list(SERVICES), 180)

    def down(self) -> None:
        self.resume_all()
        self.relay.stop(timeout=15)
        self.stack.down()

    async def _create_store(self, service: str) -> None:
        # The relay reads `outbox` as soon as it holds the lock: create the store's tables (the
        # service's own migration repeats this DDL, idempotently) so that it keeps the lock.
        pool = await asyncpg.create_pool(self.database_url(service), min_size=1, max_size=1)
        try:
            await migrate(pool, STORE_DDL)
        finally:
            await pool.close()

    async def _standalone_relay_leads(self) -> None:
        async def leads() -> bool:
            leader = await self.relay_leader()
            return leader is not None and leader.standalone

        await until(leads, 60, f"the standalone relay leads (log: {self.relay.log_file})")

    @property
    def relay(self) -> ManagedProcess:
        """The standalone relay process of `RELAY_SERVICE`'s database."""
        folder = self.stack.state_dir / "relays"
        name = f"{RELAY_SERVICE}-relay"
        return ManagedProcess(name, folder / f"{name}.pid", folder / f"{name}.log")

    def start_relay(self) -> None:
        url = f"{self.database_url(RELAY_SERVICE)}?application_name={STANDALONE_RELAY}"
        self.relay.start(
            [
                sys.executable, "-m", "eventkit.relay", "--database-url", url,
                "--bootstrap-servers", self.bootstrap_servers, "--source", f"/pana/{RELAY_SERVICE}",
            ],
            env={**os.environ, **self.kafka(RELAY_SERVICE).env()},
            cwd=ROOT,
        )  # fmt: skip

    async def relay_leader(self) -> RelayLeader | None:
        """The session holding the relay lock of `RELAY_SERVICE`'s database, if any."""
        conn = await asyncpg.connect(self.database_url(RELAY_SERVICE))
        try:
            row = await conn.fetchrow(_LEADER_QUERY, _LEADER_LOCK)
        finally:
            await conn.close()
        if row is None:
            return None
        return RelayLeader(row["pid"], row["application_name"] or "", row["client_port"])

    def restart_service(self, name: str, env: Mapping[str, str] | None = None) -> None:
        """Stop `name` (SIGTERM: it drains), start it with `env` added, wait until it is ready."""
        process = self.stack.service(name)
        process.stop(timeout=30)
        wait_until(partial(port_is_free, self.stack.service_ports[name]), PORT_RELEASE_SECONDS)
        if env is None:
            self.stack.start_service(name)
        else:
            argv = [sys.executable, "-m", f"services.{name}"]
            process.start(argv, env={**self._service_env(name), **env}, cwd=ROOT)
        self.stack.wait_ready([name], 120)

    def _service_env(self, name: str) -> dict[str, str]:
        """The environment `LocalStack.start_service` gives a service."""
        return {
            **os.environ,
            "PANA_PORT": str(self.stack.service_ports[name]),
            "PANA_ENVIRONMENT": self.stack.environment,
            **self.stack.database_urls(name),  # its own role, owning no table, and the owner's
            **self.kafka(name).env(),
            **self.stack.secrets(),
            # Fuzzed requests name event ids that never come (the OpenAPI example among them):
            # each waits this long before its 409, so the bound is short here.
            "PANA_READ_YOUR_WRITES_TIMEOUT_SECONDS": "0.5",
        }

    def url(self, service: str) -> str:
        return self.stack.url(service)

    def database_url(self, service: str) -> str:
        return database_url_for(self.stack.server_url, f"pana_{service}")

    def token(self, role: str, **claims: Any) -> str:
        """A bearer token of `role` from the stack's own issuer."""
        base: dict[str, Any] = {"sub": f"rel-{uuid.uuid4().hex[:8]}", "org": "ngo", "role": role}
        key = load_key(self.stack.auth_dir / "signing-key.pem")
        return issue_token(key, {**base, **claims})

    def headers(self, role: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **claims)}"}

    def pid(self, process: str) -> int | None:
        """The pid of a service, `kafka`, `postgres` or `relay` (the standalone relay)."""
        if process == "relay":
            return self.relay.pid()
        if process == "kafka":
            return self.stack.kafka.process.pid()
        if process == "postgres":
            return self.stack.postgres.process.pid()
        return self.stack.service(process).pid()

    @contextlib.contextmanager
    def frozen(self, process: str) -> Iterator[None]:
        """SIGSTOP `process` and its children (a stall: sockets open, no answers), then SIGCONT.

        PostgreSQL's backends each lead a process group of their own, so they are found by
        parent pid; the postmaster is stopped first so that it starts no new ones meanwhile.
        """
        pid = self.pid(process)
        assert pid is not None, f"{process} does not run"
        stopped = [pid]
        os.kill(pid, signal.SIGSTOP)
        stopped += _children(pid)
        for child in stopped[1:]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGSTOP)
        try:
            yield
        finally:
            for each in reversed(stopped):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(each, signal.SIGCONT)

    def resume_all(self) -> None:
        """SIGCONT every process of the stack (after a test failed inside `frozen`)."""
        for process in (*SERVICES, "relay", "kafka", "postgres"):
            pid = self.pid(process)
            for each in [pid, *_children(pid)] if pid is not None else []:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(each, signal.SIGCONT)

    def resident_kib(self, service: str) -> int:
        """The service process's resident memory (VmRSS) in KiB."""
        pid = self.pid(service)
        assert pid is not None, f"{service} does not run"
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for {service}")

    def log_errors(self, service: str, limit: int = 3) -> str:
        """The last unhandled exceptions in the service's log (their last frames and error)."""
        lines = self.stack.service(service).log_file.read_text(errors="replace").splitlines()
        crashes = [line for line in lines if "Exception in ASGI application" in line]
        return "\n".join(line[-2500:] for line in crashes[-limit:])
