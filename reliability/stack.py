"""The system under test: Kafka, PostgreSQL and the four services as processes on free ports."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from access.signing import issue_token, load_key
from deploy.local.processes import port_is_free
from deploy.local.stack import SERVICE_PORTS, LocalStack, database_url_for

WRITE_SERVICES = ("cases", "referrals", "vouchers")
SERVICES = (*WRITE_SERVICES, "indicators")


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

    def up(self) -> None:
        self.stack.up(timeout=180)

    def down(self) -> None:
        self.resume_all()
        self.stack.down()

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
        """The pid of a service, `kafka` or `postgres`."""
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
        for process in (*SERVICES, "kafka", "postgres"):
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
