"""A real single-node Apache Kafka broker (KRaft, combined broker + controller) without Docker.

The broker runs from Maven Central jars resolved once by `kafka-pom.xml` into a cache folder
outside the repository, so later runs (and CI on the same machine) need no network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from deploy.local.processes import (
    InfrastructureError,
    ManagedProcess,
    port_accepts,
    require_free_port,
    wait_until,
)

KAFKA_VERSION = "4.3.1"
POM = Path(__file__).with_name("kafka-pom.xml")


def cache_dir() -> Path:
    """Where downloads are kept between runs (`PANA_CACHE_DIR`, default ~/.cache/pana)."""
    return Path(os.environ.get("PANA_CACHE_DIR", Path.home() / ".cache" / "pana"))


def ensure_jars(version: str = KAFKA_VERSION) -> Path:
    """Resolve the broker's jars with Maven once; return the folder holding them."""
    lib = cache_dir() / f"kafka-{version}" / "lib"
    marker = lib / ".complete"
    if marker.exists():
        return lib
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise InfrastructureError(
            "Kafka needs Java 17+ and Maven (`mvn`) to fetch its jars; install them "
            "(Debian: apt-get install -y openjdk-17-jre-headless maven)."
        )
    lib.mkdir(parents=True, exist_ok=True)
    cmd = [
        "mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={lib}", f"-Dkafka.version={version}",
    ]  # fmt: skip
    offline = [*cmd[:3], "-o", *cmd[3:]]
    # Offline first: once ~/.m2 holds the jars no network is needed.
    if subprocess.run(offline, capture_output=True, check=False).returncode != 0:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise InfrastructureError(
                f"could not fetch the Kafka {version} jars from Maven Central:\n"
                f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
    marker.write_text(version)
    return lib


@dataclass
class KafkaBroker:
    """One broker whose data, config, logs and pid file live under `state_dir`."""

    state_dir: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "512m"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def process(self) -> ManagedProcess:
        return ManagedProcess("kafka", self.state_dir / "kafka.pid", self.state_dir / "kafka.log")

    def _write_config(self) -> Path:
        data = self.state_dir / "data"
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{self.controller_port}",
            "listeners": (
                f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(data),
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "share.coordinator.state.topic.num.partitions": "1",
            "min.insync.replicas": "1",
            "default.replication.factor": "1",
            "group.initial.rebalance.delay.ms": "0",
            "num.network.threads": "2",
            "num.io.threads": "2",
            "num.partitions": "1",
            "log.cleaner.dedupe.buffer.size": "8388608",
        }
        config = self.state_dir / "server.properties"
        config.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        log4j = self.state_dir / "log4j2.properties"
        log4j.write_text(
            "rootLogger.level = WARN\n"
            "rootLogger.appenderRef.stdout.ref = STDOUT\n"
            "appender.stdout.type = Console\n"
            "appender.stdout.name = STDOUT\n"
            "appender.stdout.layout.type = PatternLayout\n"
            "appender.stdout.layout.pattern = [%d] %p %m (%c)%n\n"
            "logger.raft.name = kafka.server.KafkaRaftServer\n"
            "logger.raft.level = INFO\n"
        )
        return config

    def _format(self, lib: Path, config: Path) -> None:
        # The cluster id is kept beside the data so a restart reuses the formatted log dirs. When
        # the data dir was formatted for other ports (`--standalone` records the controller
        # endpoint), it is stale: start from an empty one rather than fail.
        marker = self.state_dir / "formatted-for"
        wanted = f"{self.port}:{self.controller_port}"
        if marker.exists() and marker.read_text() != wanted:
            shutil.rmtree(self.state_dir / "data", ignore_errors=True)
            marker.unlink()
        if marker.exists():
            return
        cluster_id = _cluster_id()
        done = subprocess.run(
            [
                "java", "-cp", f"{lib}/*", "kafka.tools.StorageTool", "format", "--standalone",
                "--ignore-formatted", f"--cluster-id={cluster_id}", "-c", str(config),
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise InfrastructureError(
                f"formatting Kafka storage in {self.state_dir / 'data'} failed: {done.stdout}"
                f"{done.stderr}\nDelete that folder to start from an empty broker."
            )
        marker.write_text(wanted)

    def start(self, timeout: float = 90.0) -> None:
        """Start the broker unless it already runs; return when it accepts clients."""
        if self.process.running():
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        require_free_port(self.port, "Kafka", "PANA_KAFKA_PORT")
        require_free_port(
            self.controller_port, "the Kafka controller", "PANA_KAFKA_CONTROLLER_PORT"
        )
        lib = ensure_jars()
        config = self._write_config()
        self._format(lib, config)
        self.process.start(
            [
                "java",
                "-Xms128m",
                f"-Xmx{self.heap}",
                "-XX:+UseSerialGC",
                f"-Dlog4j2.configurationFile={self.state_dir / 'log4j2.properties'}",
                "-cp",
                f"{lib}/*",
                "kafka.Kafka",
                str(config),
            ]
        )
        if not wait_until(lambda: port_accepts(self.port) or not self.process.running(), timeout):
            self.stop()
            raise InfrastructureError(f"Kafka did not start in {timeout:.0f}s:\n{self.log_tail()}")
        if not self.process.running():
            raise InfrastructureError(f"Kafka exited at start:\n{self.log_tail()}")

    def stop(self) -> None:
        """Controlled shutdown (SIGTERM), SIGKILL after 30 s."""
        self.process.stop(timeout=30)

    def log_tail(self) -> str:
        return self.process.log_tail()


def _cluster_id() -> str:
    # Kafka cluster ids are 16 random bytes in URL-safe base64 without padding.
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
