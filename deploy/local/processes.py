"""Background processes with pid files: start, find stale ones, stop cleanly.

The local stack and the test harness both start long-running processes (Kafka, PostgreSQL, the
services). A crashed earlier run may leave a pid file whose process is gone, or a port still bound
by a forgotten process; these helpers tell the two apart so the next run can recover by itself or
say exactly what to do.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


class InfrastructureError(RuntimeError):
    """A local process could not be started; the message says what to do."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port that is free now, below the kernel's ephemeral range.

    A port the kernel picks (bind to 0) lies in the ephemeral range, where any outgoing
    connection may take it before the process meant to listen on it starts: below that range
    only listeners take ports.
    """
    low, _ = _ephemeral_range()
    start, stop = max(1024, low - 12_000), max(2048, low - 1)
    for _ in range(200):
        port = random.randint(start, stop)  # a port number, not a secret
        if port_is_free(port):
            return port
    raise InfrastructureError(f"no free port found in {start}..{stop}")


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    """True when a TCP connection to host:port succeeds."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (and is not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        with contextlib.suppress(OSError, IndexError):
            return stat.read_text().split(")")[-1].split()[0] != "Z"
    return True


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; True when it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


@dataclass
class ManagedProcess:
    """A process recorded in `pid_file`, logging to `log_file`."""

    name: str
    pid_file: Path
    log_file: Path

    def pid(self) -> int | None:
        """The recorded pid if its process is alive; a stale pid file is removed."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if pid_alive(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def running(self) -> bool:
        return self.pid() is not None

    def start(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> int:
        """Start detached (own session) so it outlives the starting command, as `make up` needs."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                list(argv),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=cwd,
                user=user,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        return proc.pid

    def stop(self, timeout: float = 30.0, sig: signal.Signals = signal.SIGTERM) -> None:
        """Ask the process to stop with `sig`, then SIGKILL after `timeout` seconds."""
        pid = self.pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if not wait_until(lambda: not pid_alive(pid), timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_until(lambda: not pid_alive(pid), 10)
        self._reap(pid)
        self.pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL, as a crash would; the pid file stays behind like after a real crash."""
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_until(lambda: not pid_alive(pid), 10)
            self._reap(pid)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    @staticmethod
    def _reap(pid: int) -> None:
        # When the process is our own child, collect it so it does not linger as a zombie.
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def require_free_port(port: int, what: str, env_var: str) -> None:
    """Fail with a clear instruction when a port needed by `what` is taken by a stranger."""
    if not port_is_free(port):
        raise InfrastructureError(
            f"port {port} needed by {what} is in use by another process. Stop that process "
            f"(e.g. `fuser -k {port}/tcp`) or choose another port with {env_var}=<port>."
        )
