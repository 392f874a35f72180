"""The local harness recovers from a crashed earlier run, or says what to do."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.local.processes import (
    InfrastructureError,
    ManagedProcess,
    free_port,
    require_free_port,
)


def test_stale_pid_file_is_removed_and_reported_not_running(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    process = ManagedProcess("x", tmp_path / "x.pid", tmp_path / "x.log")
    process.pid_file.write_text(f"{dead.pid}\n")
    assert not process.running()
    assert not process.pid_file.exists()


def test_garbage_pid_file_does_not_block(tmp_path: Path) -> None:
    process = ManagedProcess("x", tmp_path / "x.pid", tmp_path / "x.log")
    process.pid_file.write_text("not a pid")
    assert process.pid() is None


def test_start_and_stop_leave_nothing_behind(tmp_path: Path) -> None:
    process = ManagedProcess("sleeper", tmp_path / "s.pid", tmp_path / "s.log")
    pid = process.start([sys.executable, "-c", "import time; time.sleep(60)"])
    assert process.pid() == pid
    process.stop(timeout=5)
    assert not process.running()
    assert not process.pid_file.exists()


def test_port_taken_by_a_stranger_names_the_port_and_the_way_out() -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        with pytest.raises(InfrastructureError) as err:
            require_free_port(port, "Kafka", "PANA_KAFKA_PORT")
    assert str(port) in str(err.value)
    assert "PANA_KAFKA_PORT" in str(err.value)
