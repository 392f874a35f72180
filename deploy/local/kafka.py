"""A real single-node Apache Kafka broker (KRaft, combined broker + controller) without Docker.

The broker runs from Maven Central jars resolved once by `kafka-pom.xml` into a cache folder
outside the repository, so later runs (and CI on the same machine) need no network.

It accepts only authenticated clients: the client listener is SASL_PLAINTEXT with SCRAM-SHA-512
(plain TCP on the loopback interface: the password is never sent, SCRAM proves it, but the
records travel unencrypted, acceptable on one machine only), the StandardAuthorizer refuses what
no ACL allows (`allow.everyone.if.no.acl.found=false`). The SCRAM users of
`deploy/kafka_principals.py` are written into the metadata log when the storage is formatted
(`--add-scram`), with the passwords of `credentials.json` beside the data (0600, made once);
their ACLs and the topics are created through the Admin API as `admin` once the broker is up.
The controller listener (loopback, controller requests only) authenticates the broker itself
with SASL/PLAIN: SCRAM users live in the metadata the controller serves, so they cannot log the
broker into it.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from deploy.kafka_principals import ADMIN, BROKER, SUPER_USERS, USERS
from deploy.local.processes import (
    InfrastructureError,
    ManagedProcess,
    port_accepts,
    require_free_port,
    wait_until,
)
from eventkit.kafka_access import KafkaAccess, SaslMechanism

MECHANISM: SaslMechanism = "SCRAM-SHA-512"

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


def ensure_credentials(path: Path) -> dict[str, str]:
    """Each Kafka user's password (`deploy.kafka_principals.USERS`), made once, kept 0600."""
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if set(USERS) - set(known):
        known = {u: known.get(u) or secrets.token_urlsafe(24) for u in USERS}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(known, handle)
    return known


def security_properties(passwords: dict[str, str]) -> dict[str, str]:
    """The broker's authentication and authorization settings, for listeners named CLIENT
    (SASL/SCRAM-SHA-512, every client) and CONTROLLER (SASL/PLAIN, the broker itself)."""
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    broker = passwords[BROKER]
    return {
        "inter.broker.listener.name": "CLIENT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": MECHANISM,
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        "listener.name.client.sasl.enabled.mechanisms": MECHANISM,
        "listener.name.client.scram-sha-512.sasl.jaas.config": (
            f'{scram} required username="{BROKER}" password="{broker}";'
        ),
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": (
            f'{plain} required username="{BROKER}" password="{broker}" user_{BROKER}="{broker}";'
        ),
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": ";".join(f"User:{u}" for u in SUPER_USERS),
    }


def scram_arguments(passwords: dict[str, str]) -> list[str]:
    """`kafka-storage format` arguments writing every SCRAM user into the metadata log."""
    out: list[str] = []
    for user, password in passwords.items():
        out += ["--add-scram", f"{MECHANISM}=[name={user},password={password}]"]
    return out


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
    def credentials_file(self) -> Path:
        return self.state_dir / "credentials.json"

    def credentials(self) -> dict[str, str]:
        """Each Kafka user's password, generated once (0600) beside the broker's data."""
        return ensure_credentials(self.credentials_file)

    def access(self, user: str) -> KafkaAccess:
        """How `user` connects (a service's name, `admin` or `reader`)."""
        return KafkaAccess(
            self.bootstrap_servers, "SASL_PLAINTEXT", MECHANISM, user, self.credentials()[user]
        )

    @property
    def admin(self) -> KafkaAccess:
        """The super user that creates topics and ACLs."""
        return self.access(ADMIN)

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
                f"CLIENT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}"
            ),
            "advertised.listeners": f"CLIENT://127.0.0.1:{self.port}",
            **security_properties(self.credentials()),
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
        # It holds the broker's password: readable by its owner only.
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("".join(f"{k}={v}\n" for k, v in props.items()))
        config.chmod(0o600)
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
        # The SCRAM users are written at format time: a data dir formatted before the broker
        # required them (or for other users) is stale too.
        wanted = f"{self.port}:{self.controller_port}:scram:{','.join(USERS)}"
        if marker.exists() and marker.read_text() != wanted:
            shutil.rmtree(self.state_dir / "data", ignore_errors=True)
            marker.unlink()
        if marker.exists():
            return
        cluster_id = _cluster_id()
        users = scram_arguments(self.credentials())
        done = subprocess.run(
            [
                "java", "-cp", f"{lib}/*", "kafka.tools.StorageTool", "format", "--standalone",
                "--ignore-formatted", f"--cluster-id={cluster_id}", "-c", str(config), *users,
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
        self.prepare(timeout)

    def prepare(self, timeout: float = 60.0) -> None:
        """Create the declared topics and every principal's ACLs (idempotent), as `admin`."""
        from deploy.local.kafka_acl import prepare_broker

        last: Exception | None = None

        def attempt() -> bool:
            nonlocal last
            try:
                # In a thread of its own: start() may be called from a running event loop.
                with ThreadPoolExecutor(1) as pool:
                    pool.submit(asyncio.run, prepare_broker(self.admin)).result()
                return True
            except Exception as exc:  # the SCRAM users load with the metadata, just after start
                last = exc
                return False

        if not wait_until(attempt, timeout):
            raise InfrastructureError(f"Kafka's topics and ACLs could not be created: {last!r}")

    def stop(self) -> None:
        """Controlled shutdown (SIGTERM), SIGKILL after 30 s."""
        self.process.stop(timeout=30)

    def log_tail(self) -> str:
        return self.process.log_tail()


def _cluster_id() -> str:
    # Kafka cluster ids are 16 random bytes in URL-safe base64 without padding.
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
