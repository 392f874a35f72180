"""Services under test run as their own processes, so the load generator never shares their loop.

`ServiceProcess` is one service the way `make up` runs one: a `deploy.local` `ManagedProcess`
(`python -m <module>` with `PANA_*` settings, its pid file beside its log) that counts as started
once `deploy.local.stack.wait_ready` saw `/readyz` answer 200. It adds what a benchmark reads:
the seconds that took and the process's resident memory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from deploy.local.processes import InfrastructureError, ManagedProcess, free_port
from deploy.local.stack import ROOT, wait_ready
from eventkit.kafka_access import KafkaAccess


@dataclass
class ServiceProcess:
    """One service process on a free port; its output goes to `log_file`."""

    module: str
    env: dict[str, str]
    log_file: Path
    args: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    ready_after: float = 0.0
    """Seconds from the process's start to its first 200 from `/readyz`."""
    announcer: KafkaAccess | None = None
    """The cases service's principal, for a bench that announces people on Kafka as the cases
    service does (the vouchers service refuses vouchers for people its copy does not know)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def process(self) -> ManagedProcess:
        return ManagedProcess(self.module, self.log_file.with_suffix(".pid"), self.log_file)

    @property
    def pid(self) -> int:
        pid = self.process.pid()
        assert pid is not None, f"{self.module} runs"
        return pid

    def start(self, timeout: float = 90.0) -> None:
        env = {**os.environ, **self.env, "PANA_PORT": str(self.port), "PANA_LOG_LEVEL": "WARNING"}
        started = time.monotonic()
        self.process.start([sys.executable, "-m", self.module, *self.args], env=env, cwd=ROOT)
        try:
            if wait_ready({self.module: (self.process, self.url)}, timeout):
                raise InfrastructureError(f"{self.module} not ready in {timeout:.0f}s")
        except InfrastructureError as exc:
            self.stop()
            raise RuntimeError(f"{exc}: {self.process.log_tail()}") from exc
        self.ready_after = time.monotonic() - started

    def signal(self, sig: signal.Signals) -> None:
        os.kill(self.pid, sig)

    def rss_mib(self) -> float:
        """Resident set size now, in MiB (from /proc)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        return kib / 1024

    def stop(self) -> None:
        self.process.stop(timeout=20)

    @contextlib.contextmanager
    def running(self) -> Iterator[ServiceProcess]:
        """Started, and stopped when the block ends."""
        self.start()
        try:
            yield self
        finally:
            self.stop()
