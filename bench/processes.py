"""Services under test run as their own processes, so the load generator never shares their loop.

`ServiceProcess` starts `python -m <module>` with `PANA_*` settings, waits until `/readyz`
answers 200, reports its resident memory, and stops it (SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.local.processes import free_port
from eventkit.kafka_access import KafkaAccess

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ServiceProcess:
    """One service process on a free port; its output goes to `log_file`."""

    module: str
    env: dict[str, str]
    log_file: Path
    args: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    ready_after: float = 0.0
    """Seconds from the process's start to its first 200 from `/readyz`."""
    announcer: KafkaAccess | None = None
    """The cases service's principal, for a bench that announces people on Kafka as the cases
    service does (the vouchers service refuses vouchers for people its copy does not know)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        env = {**os.environ, **self.env, "PANA_PORT": str(self.port), "PANA_LOG_LEVEL": "WARNING"}
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module, *self.args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        started = time.monotonic()
        deadline = started + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.module} exited: {self.log_tail()}")
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        self.ready_after = time.monotonic() - started
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.module} not ready in {timeout:.0f}s: {self.log_tail()}")

    def rss_mib(self) -> float:
        """Resident set size now, in MiB (from /proc)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        return kib / 1024

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self) -> str:
        return self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
